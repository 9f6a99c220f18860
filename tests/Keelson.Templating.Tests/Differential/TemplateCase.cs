using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// One rendering request, as both the Go oracle and the C# engine take it: named templates parsed into one set in
/// ordinal name order, then <see cref="Entry"/> executed with <see cref="Data"/> (JSON, so numbers are float64 as in
/// Helm values).
/// </summary>
internal sealed record TemplateCase(
    string Id,
    IReadOnlyDictionary<string, string> Templates,
    string Entry,
    JsonNode? Data,
    string MissingKey,
    string Funcs)
{
    public const string DefaultEntry = "main";

    public static TemplateCase Single(string id, string template, JsonNode? data, string missingKey = "default", string funcs = "sprig") =>
        new(id, new Dictionary<string, string> { [DefaultEntry] = template }, DefaultEntry, data, missingKey, funcs);

    /// <summary>The case as one line of the oracle's input.</summary>
    public JsonObject ToWire()
    {
        var wire = new JsonObject { ["id"] = Id };
        if (Templates.Count == 1 && Templates.ContainsKey(Entry) && Entry == DefaultEntry)
        {
            wire["template"] = Templates[Entry];
        }
        else
        {
            var templates = new JsonObject();
            foreach (var (name, text) in Templates.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                templates[name] = text;
            }

            wire["templates"] = templates;
            wire["entry"] = Entry;
        }

        if (Data is not null)
        {
            wire["data"] = Data.DeepClone();
        }

        wire["missingkey"] = MissingKey;
        wire["funcs"] = Funcs;
        return wire;
    }

    /// <summary>Everything a human needs to reproduce the case, for assertion messages.</summary>
    public string Describe()
    {
        var text = Templates.Count == 1 && Templates.ContainsKey(Entry)
            ? $"template: {Quote(Templates[Entry])}"
            : "templates:\n" + string.Join("\n", Templates.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"  {t.Key}: {Quote(t.Value)}")) + $"\nentry: {Entry}";
        return $"{text}\ndata: {Data?.ToJsonString() ?? "null"}\nmissingkey: {MissingKey}, funcs: {Funcs}";
    }

    public static string Quote(string? text) => text is null ? "null" : JsonValue.Create(text)!.ToJsonString(Outcome.ReadableJson);
}
