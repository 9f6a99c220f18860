using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Keelson.Templating.Tests.Differential.Engine;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// The hand-written corpus against its committed goldens (Go's own outputs, or hand-written expectations for behaviour
/// of newer Go and Sprig than the reference has). Needs no Go: it runs everywhere. Outputs must be byte-identical;
/// for failures only the fact of failing must match (both messages are shown for humans).
/// </summary>
public sealed class GoldenCorpusTests
{
    public static TheoryData<string> ComparedCases() =>
        [.. Corpus.Entries.Where(e => e.Source != "shape").Select(e => e.Case.Id)];

    public static TheoryData<string> ShapeCases() =>
        [.. Corpus.Entries.Where(e => e.Source == "shape").Select(e => e.Case.Id)];

    [Theory]
    [MemberData(nameof(ComparedCases))]
    public void Renders_like_Go(string id)
    {
        var entry = Corpus.Get(id);
        var expected = entry.Expect!;
        var actual = KeelsonEngine.Render(entry.Case);
        Assert.True(expected.Matches(actual), Report(entry, expected, actual));
    }

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public void Random_and_time_functions_have_the_right_shape(string id)
    {
        var entry = Corpus.Get(id);
        var actual = KeelsonEngine.Render(entry.Case);
        Assert.True(actual.Ok, $"{id} failed: {actual}\n{entry.Case.Describe()}");
        var problem = ShapeProblem(entry.Shape!, actual.Output!);
        Assert.True(problem is null, $"{id}: {problem}\n{entry.Case.Describe()}");
    }

    [Fact]
    public void Corpus_is_large_and_covers_every_area()
    {
        var areas = Corpus.Entries.GroupBy(e => e.Case.Id[..e.Case.Id.IndexOf('/', StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.True(Corpus.Entries.Count >= 500, $"only {Corpus.Entries.Count} corpus entries");
        foreach (var area in new[] { "syntax", "pipelines", "control", "templates", "builtins", "printf", "newer", "shape" })
        {
            Assert.True(areas.ContainsKey(area), $"corpus area {area} is missing");
        }

        Assert.Equal(Corpus.Entries.Count, Corpus.Entries.Select(e => e.Case.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Corpus.Entries.Where(e => e.Source == "hand"), e => Assert.True(e.GoSince is not null || e.SprigSince is not null, e.Case.Id));
    }

    internal static string Report(CorpusEntry entry, Outcome expected, Outcome actual)
    {
        var origin = entry.Source == "hand"
            ? $" (hand-written expectation: Go {entry.GoSince ?? "1.19"}, Sprig {entry.SprigSince ?? "3.2.3"})"
            : "";
        var note = entry.Note is null ? "" : $"\nnote: {entry.Note}";
        return $"{entry.Case.Id} differs from Go{origin}\n{entry.Case.Describe()}{note}\n{expected.Explain(actual)}";
    }

    /// <summary>Null when the output has the shape, else what is wrong with it.</summary>
    internal static string? ShapeProblem(ShapeSpec shape, string output)
    {
        if (!Regex.IsMatch(output, $"^(?:{shape.Regex})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5)))
        {
            return $"output {TemplateCase.Quote(output)} does not match /{shape.Regex}/";
        }

        try
        {
            switch (shape.Parse)
            {
                case "pem-certificate":
                    using (X509Certificate2.CreateFromPem(output))
                    {
                    }

                    break;
                case "pem-private-key":
                    if (!System.Security.Cryptography.PemEncoding.TryFind(output, out var fields)
                        || !output[fields.Label].EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                    {
                        return $"no PEM private key in {TemplateCase.Quote(output)}";
                    }

                    Convert.FromBase64String(output[fields.Base64Data].ToString());
                    break;
            }
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException or ArgumentException)
        {
            return $"{shape.Parse} does not parse: {ex.Message}";
        }

        return null;
    }
}
