using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Templating.Tests.Differential.Engine;
using Keelson.Templating.Tests.Differential.Generated;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// Against the real thing: builds the Go oracle (Debian's Go 1.19 and Sprig 3.2.3), checks that the committed goldens
/// are still what Go produces, and compares thousands of random templates and data between Go and C#. Fails (never
/// skips) when Go or Sprig is missing. KEELSON_DIFF_SEED and KEELSON_DIFF_CASES change the random run;
/// KEELSON_DIFF_DUMP=file.jsonl writes its cases in the oracle's input format; KEELSON_DIFF_FUNCS=builtin leaves Sprig
/// out.
/// </summary>
public sealed class LiveGoTests
{
    public const int DefaultSeed = 20_260_101;
    public const int DefaultCases = 5_000;
    private const int MaxShrunk = 3;
    private const int MaxListed = 25;
    private static readonly TimeSpan ShrinkBudget = TimeSpan.FromSeconds(10);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Goldens_are_what_Go_produces_now()
    {
        var oracle = await GoOracle.BuildAsync(Token);
        var folder = Corpus.SourceFolder;
        var sources = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        var goldens = Directory.GetFiles(folder, "*.golden.json").Select(g => g[..^".golden.json".Length] + ".yaml").ToHashSet();
        Assert.NotEmpty(sources);
        Assert.Empty(goldens.Except(sources));

        var problems = new List<string>();
        await Parallel.ForEachAsync(sources, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = Token }, async (yaml, ct) =>
        {
            var golden = yaml[..^".yaml".Length] + ".golden.json";
            var fresh = await oracle.CompileCorpusAsync(yaml, ct);
            var committed = File.Exists(golden) ? await File.ReadAllTextAsync(golden, ct) : null;
            if (committed != fresh)
            {
                lock (problems)
                {
                    problems.Add(StaleReport(Path.GetFileName(golden), committed, fresh));
                }
            }
        });

        Assert.True(problems.Count == 0,
            "Goldens are stale; run tools/gotemplate-ref/regen-goldens.sh and review the diff:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Random_templates_render_like_Go()
    {
        var seed = Setting("KEELSON_DIFF_SEED", DefaultSeed);
        var count = Setting("KEELSON_DIFF_CASES", DefaultCases);
        var builtinOnly = Environment.GetEnvironmentVariable("KEELSON_DIFF_FUNCS") == "builtin";
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"random differential run: KEELSON_DIFF_SEED={seed} KEELSON_DIFF_CASES={count}{(builtinOnly ? " KEELSON_DIFF_FUNCS=builtin" : "")}");
        var oracle = await GoOracle.BuildAsync(Token);

        var generated = Enumerable.Range(0, count).Select(i => TemplateGenerator.Generate(seed, i, builtinOnly)).ToList();
        var cases = generated.Select(g => g.ToCase()).ToList();
        if (Environment.GetEnvironmentVariable("KEELSON_DIFF_DUMP") is { Length: > 0 } dump)
        {
            // The oracle's own input format: feed it to tools/gotemplate-ref directly to study a run.
            await File.WriteAllLinesAsync(dump, cases.Select(c => c.ToWire().ToJsonString()), Token);
        }

        var expected = await oracle.RenderAsync(cases, Token);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Go rendered {expected.Count(o => o.Ok)} cases and failed {expected.Count(o => !o.Ok)} (parse or execution errors)");
        var mismatches = new List<(GeneratedCase Case, Outcome Go, Outcome CSharp)>();
        for (var i = 0; i < cases.Count; i++)
        {
            var actual = KeelsonEngine.Render(cases[i]);
            if (!expected[i].Matches(actual))
            {
                mismatches.Add((generated[i], expected[i], actual));
            }
        }

        if (mismatches.Count == 0)
        {
            return;
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{mismatches.Count} of {count} random cases differ from Go (KEELSON_DIFF_SEED={seed}{(builtinOnly ? ", builtins only" : "")}).\n");
        report.Append("Differing case indexes: ")
            .AppendJoin(", ", mismatches.Take(MaxListed).Select(m => m.Case.Index))
            .Append(mismatches.Count > MaxListed ? ", ..." : "").Append('\n');
        foreach (var (failing, go, csharp) in mismatches.Take(MaxShrunk))
        {
            var shrunk = await Shrinker.ShrinkAsync(failing, candidates => FirstDifferingAsync(oracle, candidates), ShrinkBudget);
            var shrunkCase = shrunk.ToCase("-shrunk");
            var shrunkGo = await oracle.RenderAsync(shrunkCase, Token);
            var shrunkCSharp = KeelsonEngine.Render(shrunkCase);
            report.Append(CultureInfo.InvariantCulture, $"\n--- case {failing.Index} (seed {seed})\n")
                .Append(failing.ToCase().Describe()).Append('\n').Append(go.Explain(csharp))
                .Append("--- shrunk to\n").Append(shrunkCase.Describe()).Append('\n').Append(shrunkGo.Explain(shrunkCSharp));
        }

        Assert.Fail(report.ToString());
    }

    [Fact]
    public async Task Generated_cases_are_reproducible_and_mostly_succeed_in_Go()
    {
        var first = TemplateGenerator.Generate(DefaultSeed, 42).ToCase();
        var again = TemplateGenerator.Generate(DefaultSeed, 42).ToCase();
        Assert.Equal(first.Templates[first.Entry], again.Templates[again.Entry]);
        Assert.Equal(first.Data!.ToJsonString(), again.Data!.ToJsonString());

        // A generator whose templates nearly always fail would compare little but error paths; one that never fails
        // would never compare failures.
        var oracle = await GoOracle.BuildAsync(Token);
        var cases = Enumerable.Range(0, 400).Select(i => TemplateGenerator.Generate(DefaultSeed + 1, i).ToCase()).ToList();
        var outcomes = await oracle.RenderAsync(cases, Token);
        var succeeded = outcomes.Count(o => o.Ok);
        Assert.InRange(succeeded, cases.Count / 5, cases.Count * 19 / 20);
        Assert.Contains(outcomes, o => o.Ok && o.Output!.Length > 20);
    }

    [Fact]
    public async Task Oracle_answers_every_case_even_bad_ones()
    {
        var oracle = await GoOracle.BuildAsync(Token);
        var cases = new List<TemplateCase>
        {
            TemplateCase.Single("ok", "{{ .a | upper }}", JsonNode.Parse("""{"a": "x"}""")),
            TemplateCase.Single("unknown-funcs", "{{ 1 }}", null, funcs: "nope"),
            TemplateCase.Single("unknown-missingkey", "{{ 1 }}", null, missingKey: "nope"),
            TemplateCase.Single("nil-dereference-in-sprig", "{{ first .missing }}", new JsonObject()),
            TemplateCase.Single("parse-error", "{{ if }}", null),
            TemplateCase.Single("builtin-has-no-sprig", "{{ upper \"x\" }}", null, funcs: "builtin"),
            new("templates", new Dictionary<string, string> { ["b"] = "B{{ template \"a\" . }}", ["a"] = "A{{ . }}" }, "b", JsonValue.Create(1), "default", "builtin"),
        };

        var outcomes = await oracle.RenderAsync(cases, Token);

        Assert.Equal(Outcome.Success("X"), outcomes[0]);
        Assert.All(outcomes.Skip(1).Take(5), o => Assert.False(o.Ok));
        Assert.StartsWith("bad case:", outcomes[1].Error, StringComparison.Ordinal);
        Assert.Contains("nil pointer", outcomes[3].Error, StringComparison.Ordinal);
        Assert.Equal(Outcome.Success("BA1"), outcomes[6]);
    }

    private static async Task<int> FirstDifferingAsync(GoOracle oracle, IReadOnlyList<GeneratedCase> candidates)
    {
        var cases = candidates.Select((c, i) => c.ToCase($"-candidate-{i}")).ToList();
        var expected = await oracle.RenderAsync(cases, Token);
        for (var i = 0; i < cases.Count; i++)
        {
            if (!expected[i].Matches(KeelsonEngine.Render(cases[i])))
            {
                return i;
            }
        }

        return -1;
    }

    private static int Setting(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"{name}={text} is not a non-negative integer");
    }

    /// <summary>Which cases of a golden file changed, so the reviewer sees more than "file differs".</summary>
    private static string StaleReport(string file, string? committed, string fresh)
    {
        if (committed is null)
        {
            return $"{file}: missing";
        }

        static Dictionary<string, string> ById(string json) => JsonNode.Parse(json)!["cases"]!.AsArray()
            .ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!.ToJsonString(), StringComparer.Ordinal);
        var before = ById(committed);
        var after = ById(fresh);
        var changed = after.Where(c => !before.TryGetValue(c.Key, out var old) || old != c.Value).Select(c => c.Key)
            .Concat(before.Keys.Except(after.Keys)).ToList();
        var details = changed.Take(10).Select(id =>
            $"    {id}\n      committed: {(before.TryGetValue(id, out var b) ? b : "(none)")}\n      Go now:    {(after.TryGetValue(id, out var a) ? a : "(none)")}");
        return $"  {file}: {changed.Count} case(s) changed" + (changed.Count == 0 ? " (formatting only)" : "\n" + string.Join("\n", details));
    }
}
