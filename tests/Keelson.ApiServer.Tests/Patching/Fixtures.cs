using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Patching;

namespace Keelson.ApiServer.Tests.Patching;

/// <summary>
/// Fixture files under testdata/patching/&lt;area&gt;: JSON with comments (sources of upstream behaviour are noted there),
/// each file either one case or a "cases" array of named cases.
/// </summary>
internal static class Fixtures
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Folder(string area) => Path.Combine(AppContext.BaseDirectory, "testdata", "patching", area);

    public static JsonObject Load(string area, string file)
    {
        var path = Path.Combine(Folder(area), file);
        return JsonNode.Parse(File.ReadAllText(path), documentOptions: Options) as JsonObject
            ?? throw new InvalidDataException($"{path}: the fixture must be a JSON object");
    }

    /// <summary>"file" for single-case files, "file#name" for each case of a multi-case file.</summary>
    public static TheoryData<string> Cases(string area)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(area), "*.jsonc").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var root = Load(area, file);
            if (root["cases"] is JsonArray cases)
            {
                foreach (var c in cases)
                {
                    data.Add($"{file}#{(string?)c?["name"] ?? throw new InvalidDataException($"{file}: a case has no name")}");
                }
            }
            else
            {
                data.Add(file);
            }
        }

        return data;
    }

    public static JsonObject Case(string area, string id)
    {
        var hash = id.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return Load(area, id);
        }

        var file = id[..hash];
        var name = id[(hash + 1)..];
        var root = Load(area, file);
        var found = root["cases"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["name"] == name);
        // Defaults of the file apply to each case.
        foreach (var (key, value) in root)
        {
            if (key != "cases" && !found.ContainsKey(key))
            {
                found[key] = value?.DeepClone();
            }
        }

        return found;
    }

    public static TypeSchema Schema(JsonObject fixture)
    {
        if (fixture["crdSchema"] is JsonObject crd)
        {
            return TypeSchema.FromOpenApi(crd);
        }

        if (fixture["type"] is JsonObject type)
        {
            return TypeSchema.ForBuiltIn((string?)type["group"] ?? "", (string)type["version"]!, (string)type["kind"]!);
        }

        return TypeSchema.Unstructured;
    }

    /// <summary>Asserts semantic JSON equality (object members unordered, numbers by value) with a readable failure.</summary>
    public static void AssertJsonEqual(JsonNode? expected, JsonNode? actual, string what)
    {
        if (!JsonValues.Equal(expected, actual))
        {
            Assert.Fail($"{what} differs.\nexpected: {Pretty(expected)}\nactual:   {Pretty(actual)}");
        }
    }

    public static string Pretty(JsonNode? node) =>
        node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
}
