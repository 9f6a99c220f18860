using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Engine.Render;

/// <summary>
/// Turns the text of a manifest file into Kubernetes objects: every YAML document (JSON files hold one), empty
/// documents dropped, List kinds flattened, and anything that is not an object with apiVersion and kind refused with
/// the file and document named.
/// </summary>
internal static class ManifestParser
{
    public static void Parse(string text, string file, bool json, List<RenderedObject> into)
    {
        IReadOnlyList<JsonNode?> documents;
        if (json)
        {
            documents = [ParseJson(text, file)];
        }
        else
        {
            try
            {
                documents = ManifestYaml.ParseDocuments(text);
            }
            catch (YamlSyntaxException ex) when (ex.Line > 0)
            {
                throw new RenderException($"{file}: line {ex.Line}, column {ex.Column}: invalid YAML: {ex.Message}", file, null, ex.Line, ex.Column, ex);
            }
            catch (YamlSyntaxException ex)
            {
                throw new RenderException($"{file}: invalid YAML: {ex.Message}", file, inner: ex);
            }
        }

        for (var index = 0; index < documents.Count; index++)
        {
            var document = documents[index];
            if (document is null)
            {
                continue;
            }

            var where = documents.Count == 1 ? file : $"{file}: document {index + 1}";
            Add(document, where, file, index, into, depth: 0);
        }
    }

    /// <summary>Decodes file bytes as kubectl does: UTF-8 unless a byte-order mark says otherwise.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static void Add(JsonNode node, string where, string file, int index, List<RenderedObject> into, int depth)
    {
        if (node is not JsonObject obj)
        {
            throw new RenderException($"{where}: expected a Kubernetes object (a mapping with apiVersion and kind), found {Describe(node)}", file, index + 1);
        }

        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var av) ? av : null;
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kd) ? kd : null;
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            var missing = string.IsNullOrEmpty(apiVersion) && string.IsNullOrEmpty(kind) ? "apiVersion and kind" : string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind";
            throw new RenderException($"{where}: not a Kubernetes object: {missing} missing", file, index + 1);
        }

        if (IsList(obj, kind) && depth < 4)
        {
            var items = obj["items"] as JsonArray;
            var members = items?.ToList() ?? [];
            items?.Clear();
            for (var i = 0; i < members.Count; i++)
            {
                var item = members[i] ?? throw new RenderException($"{where}: item {i + 1} of the {kind} is empty", file, index + 1);
                Add(item, $"{where}: item {i + 1}", file, index, into, depth + 1);
            }

            return;
        }

        into.Add(new RenderedObject(obj, file, index));
    }

    // As kubectl: a kind ending in "List" whose items field is a list (or null) is a list, not an object to apply.
    private static bool IsList(JsonObject obj, string kind) =>
        kind.EndsWith("List", StringComparison.Ordinal)
        && obj.TryGetPropertyValue("items", out var items)
        && (items is JsonArray || (items is null && !obj.ContainsKey("spec") && !obj.ContainsKey("status")));

    private static JsonNode? ParseJson(string text, string file)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new RenderException($"{file}: line {line}, column {column}: invalid JSON: {FirstSentence(ex.Message)}", file, 1, line, column, ex);
        }
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "Path: $ | LineNumber: 3 | BytePositionInLine: 4."; the position is already given.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string Describe(JsonNode node) => node switch
    {
        JsonArray => "a list",
        JsonValue value => value.GetValueKind() == JsonValueKind.String ? $"the text '{Truncate(value.GetValue<string>())}'" : $"the value {Truncate(value.ToJsonString())}",
        _ => "something else",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
