using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>
/// The committed corpus against Go's committed answers (testdata/yaml/*.golden.jsonl): no Go needed. The goldens are
/// re-verified against a freshly built Go reference by <see cref="YamlGoReferenceTests"/>.
/// </summary>
public sealed class YamlGoldenTests
{
    private static readonly Lazy<Dictionary<string, YamlCase>> Y2j = new(() => YamlCorpus.ReadGolden(YamlCorpus.Y2jGoldenPath));
    private static readonly Lazy<Dictionary<string, YamlCase>> J2y = new(() => YamlCorpus.ReadGolden(YamlCorpus.J2yGoldenPath));

    public static TheoryData<string> Y2jNames => [.. Y2j.Value.Keys];

    public static TheoryData<string> J2yNames => [.. J2y.Value.Keys];

    [Theory]
    [MemberData(nameof(Y2jNames))]
    public void Yaml_reads_as_sigs_k8s_yaml_reads_it(string name)
    {
        var c = Y2j.Value[name];
        YamlAssert.DocumentsMatch(c.Expected!, c.Input);
        YamlAssert.SingleMatches(c.Expected!, c.First!, c.Input);
    }

    [Theory]
    [MemberData(nameof(J2yNames))]
    public void Json_writes_as_sigs_k8s_yaml_marshals_it(string name)
    {
        var c = J2y.Value[name];
        YamlAssert.YamlMatches(c.Expected!, c.Input);
    }

    /// <summary>
    /// go-yaml's key order is not transitive for some key sets; Go's output for those depends on map iteration order,
    /// so they cannot be golden cases.
    /// </summary>
    [Fact]
    public void Corpus_objects_have_a_stable_key_order()
    {
        var unstable = new List<string>();
        foreach (var c in J2y.Value.Values)
        {
            foreach (var keys in Objects(KubeYaml.JsonToNode(c.Input)).Select(o => o.Select(p => p.Key).ToList()))
            {
                if (!RandomDocuments.Transitive(keys))
                {
                    unstable.Add($"{c.Name}: {string.Join(", ", keys)}");
                }
            }
        }

        Assert.Empty(unstable);

        static IEnumerable<JsonObject> Objects(JsonNode? node) => node switch
        {
            JsonObject o => o.Select(p => p.Value).SelectMany(Objects).Prepend(o),
            JsonArray a => a.SelectMany(Objects),
            _ => [],
        };
    }

    [Fact]
    public void Goldens_cover_exactly_the_corpus()
    {
        var inputs = YamlCorpus.Y2jInputs();
        Assert.True(inputs.Count >= 130, $"the YAML corpus shrank to {inputs.Count} cases");
        var problems = new List<string>();
        foreach (var (name, yaml) in inputs)
        {
            if (!Y2j.Value.TryGetValue(name, out var golden))
            {
                problems.Add($"y2j case '{name}' has no golden");
            }
            else if (golden.Input != yaml)
            {
                problems.Add($"y2j case '{name}' changed since its golden was made");
            }
        }

        var y2jCases = inputs.Where(i => Y2j.Value.ContainsKey(i.Name)).Select(i => Y2j.Value[i.Name]).ToList();
        var j2yInputs = YamlCorpus.J2yInputs(y2jCases);
        foreach (var (name, json) in j2yInputs)
        {
            if (!J2y.Value.TryGetValue(name, out var golden))
            {
                problems.Add($"j2y case '{name}' has no golden");
            }
            else if (golden.Input != json)
            {
                problems.Add($"j2y case '{name}' changed since its golden was made");
            }
        }

        problems.AddRange(Y2j.Value.Keys.Except(inputs.Select(i => i.Name)).Select(n => $"golden y2j '{n}' has no case"));
        problems.AddRange(J2y.Value.Keys.Except(j2yInputs.Select(i => i.Name)).Select(n => $"golden j2y '{n}' has no case"));
        Assert.True(
            problems.Count == 0,
            "Regenerate the goldens with Go (KEELSON_UPDATE_YAML_GOLDENS=1 dotnet test --filter YamlGoReferenceTests):\n"
            + string.Join("\n", problems));
        Assert.True(inputs.Count + j2yInputs.Count >= 200, "the corpus must hold at least 200 cases");
    }
}

/// <summary>Comparisons of Keelson's YAML against Go's answers, shared by the golden and the live-Go tests.</summary>
internal static class YamlAssert
{
    public static void DocumentsMatch(GoAnswer expected, string yaml)
    {
        if (expected.Err is { } goError)
        {
            var e = Assert.Throws<YamlException>(() => KubeYaml.ParseDocuments(yaml));
            Assert.False(string.IsNullOrEmpty(e.Problem), $"Go failed ({goError}); Keelson failed without a message");
            return;
        }

        IReadOnlyList<JsonNode?> docs;
        try
        {
            docs = KubeYaml.ParseDocuments(yaml);
        }
        catch (YamlException e)
        {
            Assert.Fail($"Go read this YAML but Keelson failed: {e.Message}\n--- yaml ---\n{yaml}");
            return;
        }

        Assert.Equal(expected.Docs!.Select(d => YamlCorpus.Canon(d)), docs.Select(d => YamlCorpus.Canon(d)));
    }

    /// <summary>
    /// Parse against YAMLToJSON, which reads the first document and ignores the rest: exactly that with
    /// FirstDocumentOnly, and by default the same except that a second document is refused.
    /// </summary>
    public static void SingleMatches(GoAnswer all, GoAnswer first, string yaml)
    {
        var firstOnly = new YamlReadOptions { FirstDocumentOnly = true };
        if (first.Err is not null)
        {
            Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml, firstOnly));
        }
        else
        {
            Assert.Equal(YamlCorpus.Canon(first.Out!), YamlCorpus.Canon(KubeYaml.Parse(yaml, firstOnly)));
        }

        if (all.Docs is { Count: > 1 })
        {
            // Keelson refuses what YAMLToJSON silently truncates.
            Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml));
            return;
        }

        if (first.Err is not null || all.Err is not null)
        {
            Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml));
            return;
        }

        Assert.Equal(YamlCorpus.Canon(first.Out!), YamlCorpus.Canon(KubeYaml.Parse(yaml)));
    }

    public static void YamlMatches(GoAnswer expected, string json)
    {
        var node = KubeYaml.JsonToNode(json);
        if (expected.Err is { } goError)
        {
            var e = Assert.Throws<YamlException>(() => KubeYaml.ToYaml(node));
            Assert.False(string.IsNullOrEmpty(e.Problem), $"Go failed ({goError}); Keelson failed without a message");
            return;
        }

        var yaml = KubeYaml.ToYaml(node);
        if (yaml != expected.Out)
        {
            Assert.Fail($"YAML differs from Go's.\n--- json ---\n{json}\n--- go ---\n{expected.Out}\n--- keelson ---\n{yaml}");
        }
    }
}
