using Keelson.Kubernetes.Yaml;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>The token reader: the first document's nodes in order, a node skipped whole, the parser's errors and limits.</summary>
public sealed class YamlReaderTests
{
    [Fact]
    public void Reads_the_first_document_as_tokens_in_order()
    {
        var tokens = All(new YamlReader("""
            a: 1
            b: [x, 'y', "z"]
            c: {d: ~, e: &anchor !!str 1}
            f: *anchor
            g: |
              text
            ---
            second: document
            """));

        Assert.Equal(
            [
                "MappingStart", "Scalar a plain", "Scalar 1 plain",
                "Scalar b plain", "SequenceStart", "Scalar x plain", "Scalar y", "Scalar z", "SequenceEnd",
                "Scalar c plain", "MappingStart", "Scalar d plain", "Scalar ~ plain", "Scalar e plain", "Scalar 1", "MappingEnd",
                "Scalar f plain", "Alias anchor",
                "Scalar g plain", "Scalar text\n",
                "MappingEnd",
            ],
            tokens);
    }

    [Fact]
    public void Skip_passes_over_a_whole_node_and_nothing_else()
    {
        var reader = new YamlReader("skip: {a: [1, {b: 2}], c: 3}\nkeep: 4\n");
        Assert.True(reader.Read(out _));
        Assert.True(reader.Read(out var key));
        Assert.Equal("skip", key.Value);
        Assert.True(reader.Read(out var value));
        reader.Skip(value);
        Assert.True(reader.Read(out var next));
        Assert.Equal("keep", next.Value);

        // On a scalar, Skip reads nothing.
        Assert.True(reader.Read(out var scalar));
        reader.Skip(scalar);
        Assert.True(reader.Read(out var end));
        Assert.Equal(YamlTokenKind.MappingEnd, end.Kind);
        Assert.False(reader.Read(out _));
    }

    [Fact]
    public void Positions_are_one_based_as_in_error_messages()
    {
        var reader = new YamlReader("a:\n  b: c\n");
        var tokens = new List<YamlToken>();
        while (reader.Read(out var token))
        {
            tokens.Add(token);
        }

        var b = tokens.Single(t => t.Value == "b");
        Assert.Equal((2, 3), (b.Line, b.Column));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void A_stream_without_a_document_has_no_tokens(string text) => Assert.Empty(All(new YamlReader(text)));

    [Theory]
    [InlineData("a: [1, 2\n")]
    [InlineData("a: 1\n b: 2\n")]
    [InlineData("a: \"\u0007\"\n")]
    [InlineData("\t- a\n")]
    public void Invalid_yaml_fails_with_the_same_error_as_parsing_the_tree(string text)
    {
        var tree = Assert.Throws<YamlException>(() => KubeYaml.Parse(text));
        var read = Assert.Throws<YamlException>(() => All(new YamlReader(text)));
        Assert.Equal(tree.Message, read.Message);
    }

    [Fact]
    public void Limits_apply_as_when_parsing_the_tree()
    {
        var options = new YamlReadOptions { MaxDepth = 3, MaxDocumentBytes = 100 };
        Assert.Contains("exceeded max depth of 3", Assert.Throws<YamlException>(() => All(new YamlReader("a: {b: {c: {d: 1}}}", options))).Message, StringComparison.Ordinal);
        All(new YamlReader("a: {b: {c: 1}}", options));
        Assert.Contains("over the limit of 100", Assert.Throws<YamlException>(() => new YamlReader(new string('a', 101), options)).Message, StringComparison.Ordinal);
    }

    private static List<string> All(YamlReader reader)
    {
        var tokens = new List<string>();
        while (reader.Read(out var token))
        {
            tokens.Add(token.Kind switch
            {
                YamlTokenKind.Scalar => $"Scalar {token.Value}{(token.Plain ? " plain" : "")}",
                YamlTokenKind.Alias => $"Alias {token.Value}",
                _ => token.Kind.ToString(),
            });
        }

        return tokens;
    }
}
