using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>
/// One corpus case and what Go produced for it: <see cref="Expected"/> is the answer to "docs" (YAML → JSON, every
/// document) or "j2y"; <see cref="First"/> is YAMLToJSON's answer (first document only) for YAML cases.
/// </summary>
internal sealed record YamlCase(string Name, string Input, GoAnswer? Expected, GoAnswer? First = null);

/// <summary>
/// The YAML corpus under testdata/yaml and its goldens (Go's answers, committed so that tests need no Go):
/// <list type="bullet">
/// <item>y2j-cases.txt: YAML → JSON cases, each introduced by a line "=== name" (add " !escaped" to write the case as
/// one JSON string literal, for control characters; add " !nonl" to drop the final newline);</item>
/// <item>manifests/*.yaml: real-world manifests and Helm values, read as YAML and (their JSON) written back;</item>
/// <item>j2y-cases.jsonl: JSON → YAML cases, one {"name": ..., "json": ...} per line (the raw JSON text is used).</item>
/// </list>
/// </summary>
internal static class YamlCorpus
{
    public static readonly JsonSerializerOptions Canonical = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "testdata", "yaml");

    public static string Y2jGoldenPath => Path.Combine(Folder, "y2j.golden.jsonl");

    public static string J2yGoldenPath => Path.Combine(Folder, "j2y.golden.jsonl");

    public static List<(string Name, string Yaml)> Y2jInputs()
    {
        var cases = new List<(string, string)>();
        var lines = File.ReadAllText(Path.Combine(Folder, "y2j-cases.txt")).Split('\n');
        string? name = null;
        var flags = "";
        var body = new StringBuilder();
        void Flush()
        {
            if (name is null)
            {
                return;
            }

            var text = body.ToString();
            if (flags.Contains("!escaped", StringComparison.Ordinal))
            {
                text = JsonSerializer.Deserialize<string>(text.Trim())!;
            }
            else if (flags.Contains("!nonl", StringComparison.Ordinal) && text.EndsWith('\n'))
            {
                text = text[..^1];
            }

            cases.Add((name, text));
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                Flush();
                var header = line[4..].Trim();
                var space = header.IndexOf(' ', StringComparison.Ordinal);
                name = space < 0 ? header : header[..space];
                flags = space < 0 ? "" : header[space..];
                body.Clear();
                continue;
            }

            if (name is not null && (i < lines.Length - 1 || line.Length > 0))
            {
                body.Append(line).Append('\n');
            }
        }

        Flush();
        foreach (var file in Directory.GetFiles(Path.Combine(Folder, "manifests")).Order(StringComparer.Ordinal))
        {
            cases.Add(("manifest/" + Path.GetFileName(file), File.ReadAllText(file)));
        }

        var duplicates = cases.GroupBy(c => c.Item1).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException("duplicate case names in y2j-cases.txt: " + string.Join(", ", duplicates));
        }

        return cases;
    }

    /// <summary>The JSON → YAML inputs: j2y-cases.jsonl plus every document Go made of the manifests.</summary>
    public static List<(string Name, string Json)> J2yInputs(IReadOnlyList<YamlCase> y2j)
    {
        var cases = new List<(string, string)>();
        foreach (var line in File.ReadAllLines(Path.Combine(Folder, "j2y-cases.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            cases.Add((doc.RootElement.GetProperty("name").GetString()!, doc.RootElement.GetProperty("json").GetRawText()));
        }

        foreach (var c in y2j.Where(c => c.Name.StartsWith("manifest/", StringComparison.Ordinal) && c.Expected?.Docs is not null))
        {
            for (var i = 0; i < c.Expected!.Docs!.Count; i++)
            {
                cases.Add(($"{c.Name}#{i}", c.Expected.Docs[i]));
            }
        }

        return cases;
    }

    public static Dictionary<string, YamlCase> ReadGolden(string path)
    {
        var golden = new Dictionary<string, YamlCase>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return golden;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var entry = JsonNode.Parse(line)!;
            var name = (string)entry["name"]!;
            var first = entry["first"] is { } f ? new GoAnswer((string?)f, null, null)
                : entry["firstErr"] is { } fe ? new GoAnswer(null, null, (string?)fe)
                : null;
            golden[name] = new YamlCase(name, (string)entry["in"]!, GoAnswer.FromJson(entry), first);
        }

        return golden;
    }

    public static void WriteGolden(string path, IEnumerable<YamlCase> cases)
    {
        var text = new StringBuilder();
        foreach (var c in cases)
        {
            var entry = new JsonObject { ["name"] = c.Name, ["in"] = c.Input };
            if (c.Expected!.Err is { } err)
            {
                entry["err"] = err;
            }
            else if (c.Expected.Docs is { } docs)
            {
                entry["docs"] = new JsonArray(docs.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray());
            }
            else
            {
                entry["out"] = c.Expected.Out;
            }

            if (c.First?.Err is { } firstErr)
            {
                entry["firstErr"] = firstErr;
            }
            else if (c.First?.Out is { } first)
            {
                entry["first"] = first;
            }

            text.Append(entry.ToJsonString(Canonical)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>JSON text in one fixed spelling: same structure, key order and number text give the same string.</summary>
    public static string Canon(JsonNode? node) => node is null ? "null" : node.ToJsonString(Canonical);

    public static string Canon(string json) => Canon(JsonNode.Parse(json, null, new JsonDocumentOptions { MaxDepth = 2000 }));
}
