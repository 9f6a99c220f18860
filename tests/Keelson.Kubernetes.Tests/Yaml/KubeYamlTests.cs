using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>
/// The behaviour other parts of Keelson rely on, spelled out; the exhaustive comparison with Go is in the golden and
/// live-Go tests.
/// </summary>
public sealed class KubeYamlTests
{
    [Fact]
    public void Reads_a_manifest_into_json_with_kubernetes_types()
    {
        var node = KubeYaml.Parse("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              enabled: "true"
              replicas: "3"
            flag: yes
            count: 0x10
            ratio: 1.50
            """)!;

        Assert.Equal(
            """{"apiVersion":"v1","count":16,"data":{"enabled":"true","replicas":"3"},"flag":true,"kind":"ConfigMap","metadata":{"name":"settings"},"ratio":1.5}""",
            node.ToJsonString());
        Assert.Equal(16, node["count"]!.GetValue<int>());
        Assert.Equal(1.5, node["ratio"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("1.0", "1")]
    [InlineData("1e3", "1000")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("-0.0", "-0")]
    [InlineData("99999999999999999999", "100000000000000000000")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    [InlineData("0o17", "15")]
    [InlineData("0b101", "5")]
    [InlineData("1_000", "1000")]
    [InlineData("08", "8")]
    [InlineData("2001-12-14", "\"2001-12-14\"")]
    [InlineData("1e400", "\"1e400\"")]
    public void Numbers_come_out_as_go_writes_them(string yaml, string json)
    {
        Assert.Equal(json, KubeYaml.Parse("v: " + yaml)!["v"]!.ToJsonString());
    }

    [Fact]
    public void Non_string_keys_become_strings_as_sigs_k8s_yaml_converts_them()
    {
        var node = KubeYaml.Parse("1: a\ntrue: b\n1.5: c\n3.14159265358979: d\n1e6: e\n")!;

        Assert.Equal("""{"1":"a","1.5":"c","1e+06":"e","3.1415927":"d","true":"b"}""", node.ToJsonString(YamlCorpus.Canonical));
    }

    [Fact]
    public void Merge_keys_override_what_came_before_them_as_in_go_yaml_v2()
    {
        var node = KubeYaml.Parse("""
            base: &base {port: 80, name: base}
            before:
              port: 8080
              <<: *base
            after:
              <<: *base
              port: 8080
            """)!;

        Assert.Equal(80, node["before"]!["port"]!.GetValue<int>());
        Assert.Equal(8080, node["after"]!["port"]!.GetValue<int>());
    }

    [Fact]
    public void Duplicate_keys_keep_the_last_value_unless_strict()
    {
        const string yaml = "a: 1\na: 2\n";

        Assert.Equal(2, KubeYaml.Parse(yaml)!["a"]!.GetValue<int>());
        var e = Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml, new YamlReadOptions { RejectDuplicateKeys = true }));
        Assert.Contains("already set", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Documents_of_a_stream_come_back_in_order_with_empty_ones_as_null()
    {
        var docs = KubeYaml.ParseDocuments("a: 1\n---\n---\n# only a comment\n---\n- x\n...\n");

        Assert.Equal(["{\"a\":1}", "null", "null", "[\"x\"]"], docs.Select(d => d?.ToJsonString() ?? "null"));
        Assert.Empty(KubeYaml.ParseDocuments(""));
        Assert.Empty(KubeYaml.ParseDocuments("# nothing\n"));
        Assert.Null(KubeYaml.Parse(""));
        Assert.Null(KubeYaml.Parse("---\n"));
    }

    [Fact]
    public void Parse_refuses_a_second_document_and_points_at_it()
    {
        var e = Assert.Throws<YamlException>(() => KubeYaml.Parse("a: 1\nb: 2\n---\nc: 3\n"));

        Assert.Equal(3, e.Line);
        Assert.Equal(1, e.Column);
        Assert.Contains("single YAML document", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a:\n\t- b\n", 2, 1, "cannot start any token")]
    [InlineData("a: [1, 2\nb: 3\n", 2, 2, "did not find expected ',' or ']'")]
    [InlineData("a: b: c\n", 1, 5, "mapping values are not allowed")]
    [InlineData("a: \"x\\/y\"\n", 1, 6, "unknown escape character")]
    [InlineData("a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key")]
    [InlineData("a: *nope\n", 1, 4, "unknown anchor 'nope'")]
    [InlineData("a: .inf\n", 1, 4, "unsupported value")]
    [InlineData("~: x\n", 1, 1, "unsupported map key")]
    [InlineData("a: !!int abc\n", 1, 4, "cannot decode !!str as a !!int")]
    [InlineData("a: b\u0001\n", 1, 5, "control characters are not allowed")]
    public void Errors_say_what_and_where(string yaml, int line, int column, string what)
    {
        var e = Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml));

        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"yaml: line {line}, column {column}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_billion_laughs_document_fails_fast()
    {
        var yaml = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 30; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml.ToString()));

        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 1, "the error should point at the alias being expanded, not inside the anchor");
        // 10^29 nodes if expanded; refusing must not be proportional to that. (A bound, not a speed measurement.)
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Alias_expansion_has_a_configurable_ceiling()
    {
        // Fine by go-yaml's ratio rule (every alias node is small), but over a ceiling of 50.
        var yaml = "a: &a [1, 2, 3, 4, 5]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";

        Assert.NotNull(KubeYaml.Parse(yaml));
        var e = Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml, new YamlReadOptions { MaxAliasExpansions = 50 }));
        Assert.Contains("more than 50", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Depth_and_size_limits_are_enforced_with_clear_errors()
    {
        var deep = new string('[', 200) + new string(']', 200);
        Assert.NotNull(KubeYaml.Parse(deep));
        var tooDeep = Assert.Throws<YamlException>(() => KubeYaml.Parse(deep, new YamlReadOptions { MaxDepth = 100 }));
        Assert.Contains("exceeded max depth of 100", tooDeep.Message, StringComparison.Ordinal);
        Assert.Equal(1, tooDeep.Line);

        var blockDeep = string.Concat(Enumerable.Range(0, 150).Select(i => new string(' ', i * 2) + "k:\n")) + new string(' ', 300) + "v\n";
        Assert.Throws<YamlException>(() => KubeYaml.Parse(blockDeep, new YamlReadOptions { MaxDepth = 100 }));

        var tooBig = Assert.Throws<YamlException>(() => KubeYaml.Parse("a: " + new string('x', 2000), new YamlReadOptions { MaxDocumentBytes = 1000 }));
        Assert.Contains("over the limit of 1000", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_cannot_nest_deeper_than_the_depth_limit()
    {
        // Each anchor nests the previous one once more: shallow in the text, deep once expanded.
        var yaml = new StringBuilder("a0: &a0 [x]\n");
        for (var i = 1; i < 60; i++)
        {
            yaml.Append($"a{i}: &a{i} [*a{i - 1}]\n");
        }

        Assert.NotNull(KubeYaml.Parse(yaml.ToString()));
        Assert.Throws<YamlException>(() => KubeYaml.Parse(yaml.ToString(), new YamlReadOptions { MaxDepth = 40 }));
    }

    [Fact]
    public void Writes_yaml_as_sigs_k8s_yaml_marshal_does()
    {
        var node = KubeYaml.JsonToNode("""
            {"kind":"Service","metadata":{"name":"web","labels":{"app":"web","tier":"8"}},
             "spec":{"ports":[{"port":80,"name":"http"}],"selector":{},"clusterIP":"","externalIPs":[]},
             "y":true,"note":"line one\nline two\n","ratio":1e6}
            """);

        Assert.Equal(
            """
            kind: Service
            metadata:
              labels:
                app: web
                tier: "8"
              name: web
            note: |
              line one
              line two
            ratio: 1e+06
            spec:
              clusterIP: ""
              externalIPs: []
              ports:
              - name: http
                port: 80
              selector: {}
            "y": true

            """,
            KubeYaml.ToYaml(node));
    }

    [Fact]
    public void Long_strings_wrap_at_80_columns_as_in_helm_toYaml()
    {
        var words = string.Join(" ", Enumerable.Repeat("lorem ipsum", 10));
        var yaml = KubeYaml.ToYaml(new JsonObject { ["description"] = words, ["nospaces"] = new string('x', 100) });

        Assert.Equal(
            "description: lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum\n"
            + "  lorem ipsum lorem ipsum lorem ipsum lorem ipsum\n"
            + "nospaces: " + new string('x', 100) + "\n",
            yaml);
        Assert.Equal(words, KubeYaml.Parse(yaml)!["description"]!.GetValue<string>());
    }

    [Fact]
    public void Map_keys_are_ordered_the_go_yaml_way()
    {
        var node = new JsonObject { ["item10"] = 1, ["item9"] = 2, ["b"] = 3, ["_x"] = 4, ["A"] = 5, ["item1"] = 6 };

        // Not byte order: characters that are not letters come before letters, and digit runs compare as numbers.
        Assert.Equal("_x: 4\nA: 5\nb: 3\nitem1: 6\nitem9: 2\nitem10: 1\n", KubeYaml.ToYaml(node));
    }

    [Theory]
    [InlineData(null, "null\n")]
    [InlineData("\"\"", "\"\"\n")]
    [InlineData("\"yes\"", "\"yes\"\n")]
    [InlineData("\"a: b\"", "'a: b'\n")]
    [InlineData("\"tab\\there\"", "\"tab\\there\"\n")]
    [InlineData("\"😀\"", "\"\\U0001F600\"\n")]
    [InlineData("\" padded \"", "' padded '\n")]
    [InlineData("1.0", "1\n")]
    [InlineData("123456789.5", "1.234567895e+08\n")]
    [InlineData("{}", "{}\n")]
    [InlineData("[]", "[]\n")]
    [InlineData("[[1,[2]],{\"a\":[]}]", "- - 1\n  - - 2\n- a: []\n")]
    public void Scalars_and_empty_collections_take_go_yamls_styles(string? json, string yaml)
    {
        Assert.Equal(yaml, KubeYaml.ToYaml(json is null ? null : KubeYaml.JsonToNode(json)));
    }

    [Fact]
    public void Values_go_yaml_cannot_write_are_errors()
    {
        Assert.Throws<YamlException>(() => KubeYaml.ToYaml(new JsonObject { ["n"] = double.NaN }));
        var control = Assert.Throws<YamlException>(() => KubeYaml.ToYaml(
            new JsonObject { ["data"] = new JsonObject { ["list"] = new JsonArray("ok", "s3cr3t\u007f") } }));
        Assert.Equal("data.list[1]", control.Path);
        Assert.Contains("U+007F", control.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", control.Message, StringComparison.Ordinal);
        Assert.Throws<YamlException>(() => KubeYaml.ToYaml(new JsonObject { [new string('k', 1100)] = 1 }));
    }

    [Fact]
    public void Nodes_built_in_code_write_like_parsed_ones()
    {
        var built = new JsonObject
        {
            ["int"] = 3,
            ["long"] = 9_000_000_000L,
            ["double"] = 0.25,
            ["big"] = 1e21,
            ["when"] = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc),
            ["list"] = new JsonArray(1, "two", null, true),
        };

        Assert.Equal(KubeYaml.ToYaml(KubeYaml.JsonToNode(built.ToJsonString())), KubeYaml.ToYaml(built));
    }

    [Fact]
    public void What_is_written_reads_back_to_the_same_json()
    {
        var node = KubeYaml.JsonToNode("""
            {"a":"multi\nline\n\n","b":" spaced ","c":"x: y","d":["#","- z","007","1e5",""],"e":{"nested":{"deep":[1.5,-2]}},
             "f":"very long text that keeps going and going well past the eighty column limit of go-yaml version two","g":"tab\t"}
            """);

        var back = KubeYaml.Parse(KubeYaml.ToYaml(node));

        Assert.Equal(node!.ToJsonString(), back!.ToJsonString());
    }

    [Fact]
    public void Json_to_node_allows_deep_documents()
    {
        var deep = new string('[', 500) + new string(']', 500);

        Assert.NotNull(KubeYaml.JsonToNode(deep));
        Assert.Null(KubeYaml.JsonToNode("null"));
    }
}
