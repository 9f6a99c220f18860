using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// One entry of a golden file (testdata/corpus/&lt;area&gt;.golden.json, written by tools/gotemplate-ref from the
/// hand-written &lt;area&gt;.yaml beside it).
/// </summary>
/// <param name="Source">"go" (expectation from the oracle), "hand" (newer Go or Sprig, hand-written) or "shape".</param>
internal sealed record CorpusEntry(
    TemplateCase Case,
    string Source,
    Outcome? Expect,
    ShapeSpec? Shape,
    string? GoSince,
    string? SprigSince,
    string? Note);

/// <param name="Regex">Must match the whole output; written in the common subset of RE2 and .NET syntax.</param>
/// <param name="Parse">"pem-certificate", "pem-private-key" or null.</param>
internal sealed record ShapeSpec(string Regex, string? Parse);

/// <summary>The committed corpus, loaded once per test run (it is read-only).</summary>
internal static class Corpus
{
    private static readonly Lazy<IReadOnlyList<CorpusEntry>> LazyEntries = new(Load);

    /// <summary>Where the test run sees the corpus: the copy in the output folder.</summary>
    public static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "testdata", "corpus");

    /// <summary>The committed source folder, which the live test checks against Go.</summary>
    public static string SourceFolder => Keelson.Testing.RepoPaths.InRepo("tests", "Keelson.Templating.Tests", "testdata", "corpus");

    public static IReadOnlyList<CorpusEntry> Entries => LazyEntries.Value;

    public static CorpusEntry Get(string id) =>
        Entries.FirstOrDefault(e => e.Case.Id == id) ?? throw new KeyNotFoundException($"No corpus entry {id}");

    public static IReadOnlyList<CorpusEntry> ReadGoldenFile(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new InvalidDataException($"{path}: empty golden file");
        var cases = root["cases"]?.AsArray() ?? throw new InvalidDataException($"{path}: no cases");
        return cases.Select(node => ReadEntry(path, node!.AsObject())).ToList();
    }

    private static List<CorpusEntry> Load()
    {
        var files = Directory.GetFiles(OutputFolder, "*.golden.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No golden files in {OutputFolder}; run tools/gotemplate-ref/regen-goldens.sh");
        }

        return files.SelectMany(ReadGoldenFile).ToList();
    }

    private static CorpusEntry ReadEntry(string path, JsonObject json)
    {
        var id = json["id"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: a case has no id");
        var entry = json["entry"]?.GetValue<string>() ?? TemplateCase.DefaultEntry;
        Dictionary<string, string> templates;
        if (json["templates"] is JsonObject many)
        {
            templates = many.ToDictionary(t => t.Key, t => t.Value!.GetValue<string>(), StringComparer.Ordinal);
        }
        else
        {
            templates = new Dictionary<string, string>(StringComparer.Ordinal) { [entry] = json["template"]!.GetValue<string>() };
        }

        var templateCase = new TemplateCase(
            id,
            templates,
            entry,
            json["data"]?.DeepClone(),
            json["missingkey"]?.GetValue<string>() ?? "default",
            json["funcs"]?.GetValue<string>() ?? "builtin");
        var expect = json["expect"] is JsonObject e ? Outcome.FromJson(e) : null;
        var shape = json["shape"] is JsonObject s
            ? new ShapeSpec(s["regex"]!.GetValue<string>(), s["parse"]?.GetValue<string>())
            : null;
        return new CorpusEntry(
            templateCase,
            json["source"]?.GetValue<string>() ?? "go",
            expect,
            shape,
            json["goSince"]?.GetValue<string>(),
            json["sprigSince"]?.GetValue<string>(),
            json["note"]?.GetValue<string>());
    }
}
