using Keelson.Engine.Source;
using Keelson.Engine.Source.Helm;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// index.yaml read token by token, keeping only what picking and downloading a version needs: the same charts,
/// versions, URLs and digests as reading the whole tree, for every shape an index can take.
/// </summary>
public sealed class HelmRepoIndexTests
{
    private const string Where = "https://charts.example.com/index.yaml";

    // The shape `helm repo index` writes (fields from Helm's repo.ChartVersion), with fields Keelson does not read.
    private const string HelmWritten = """
        apiVersion: v1
        entries:
          nginx:
          - annotations:
              category: Infrastructure
            apiVersion: v2
            appVersion: 1.27.0
            created: "2024-05-01T10:00:00.000000000Z"
            dependencies: [{name: common, repository: "oci://registry-1.docker.io/bitnamicharts", version: 2.x.x}]
            description: NGINX Open Source is a web server
            digest: 8b9c7c6f0e2c1a6a4b6e5d0f3b2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b
            home: https://bitnami.com
            keywords: [nginx, http, "web server"]
            maintainers:
            - name: Broadcom
              url: https://github.com/bitnami/charts
            name: nginx
            sources: [https://github.com/bitnami/charts/tree/main/bitnami/nginx]
            urls:
            - https://charts.example.com/nginx-18.1.0.tgz
            - nginx-18.1.0.tgz
            version: 18.1.0
          - apiVersion: v2
            digest: sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
            name: nginx
            urls: [nginx-18.0.0-rc.1.tgz]
            version: 18.0.0-rc.1
          redis: []
        generated: "2024-05-01T10:00:00.000000000Z"
        serverInfo: {contextPath: /charts}
        """;

    public static TheoryData<string, string> Indexes => new()
    {
        { "as helm writes it", HelmWritten },
        { "flow style", """{"apiVersion": "v1", "entries": {"a": [{"version": "1.0.0", "urls": ["a-1.0.0.tgz"], "digest": "ab"}, {"version": "2.0.0", "urls": []}]}}""" },
        { "quoted and block scalars", "entries:\n  a:\n  - version: '1.0.0'\n    digest: \"cd\"\n    urls:\n    - |-\n      a-1.0.0.tgz\n" },
        { "null and missing fields", "entries:\n  a:\n  - version: 1.0.0\n    digest: ~\n    urls:\n  - version: 2.0.0\n    digest: null\n    urls: a-2.0.0.tgz\n  - digest: ab\n  - version:\n  - version: ''\n" },
        { "entries that are not versions", "entries:\n  a:\n  - just a string\n  - [1, 2]\n  - {version: 3.0.0, urls: [{nested: map}, '', ~, ok.tgz]}\n  b: not a list\n  c: {}\n" },
        { "repeated keys: the last counts", "entries:\n  a:\n  - {version: 1.0.0}\nentries:\n  b:\n  - {version: 2.0.0, digest: x, digest: y}\n  b:\n  - {version: 3.0.0}\n" },
        { "no entries", "apiVersion: v1\n" },
        { "null entries", "apiVersion: v1\nentries: ~\n" },
        { "empty entries", "apiVersion: v1\nentries: {}\n" },
        { "a second document is ignored", "entries:\n  a:\n  - {version: 1.0.0}\n---\nentries: [broken\n" },
        { "anchors and aliases", "defaults: &urls [a-1.0.0.tgz]\nentries:\n  a:\n  - version: 1.0.0\n    urls: *urls\n  - &two {version: 2.0.0}\n  b:\n  - *two\n" },
        { "merge keys", "base: &base {digest: ab, urls: [x.tgz]}\nentries:\n  a:\n  - <<: *base\n    version: 1.0.0\n" },
        { "an alias for the entries", "all: &all {a: [{version: 1.0.0}]}\nentries: *all\n" },
        { "an anchor on a skipped field", "entries:\n  a:\n  - version: 1.0.0\n    maintainers: &m [{name: x}]\n  - version: 2.0.0\n    maintainers: *m\n" },
        { "a byte-order mark", "\uFEFFentries:\n  a:\n  - {version: 1.0.0}\n" },
    };

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Reading_as_it_parses_finds_what_the_whole_tree_holds(string what, string text)
    {
        var read = Describe(HelmRepoIndex.Parse(text, Where));
        Assert.Equal(Describe(HelmRepoIndex.ParseTree(text, Where)), read);
        Assert.True(what.Length > 0);
    }

    [Fact]
    public void The_fields_helm_writes_are_read_and_the_others_skipped()
    {
        var index = HelmRepoIndex.Parse(HelmWritten, Where);
        Assert.Equal(
            "nginx: 18.1.0 [https://charts.example.com/nginx-18.1.0.tgz, nginx-18.1.0.tgz] 8b9c7c6f0e2c1a6a4b6e5d0f3b2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b"
            + " | 18.0.0-rc.1 [nginx-18.0.0-rc.1.tgz] sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nredis:",
            Describe(index));
        Assert.Equal("18.1.0", index.Pick("nginx", "^18.0.0", Where).Version);
        Assert.Equal("18.0.0-rc.1", index.Pick("nginx", "18.0.0-rc.1", Where).Version);
    }

    [Fact]
    public void A_plain_version_is_taken_as_written()
    {
        // Through the tree 1.10 would be the number 1.1; what the chart's author wrote is the version.
        var index = HelmRepoIndex.Parse("entries:\n  a:\n  - {version: 1.10, urls: [a.tgz]}\n", Where);
        Assert.Equal("1.10", index.Pick("a", "1.10", Where).Version);
    }

    [Theory]
    [InlineData("entries: [a, b]\n", "no \"entries\" map")]
    [InlineData("- entries\n", "no \"entries\" map")]
    [InlineData("", "no \"entries\" map")]
    [InlineData("entries: 3\n", "no \"entries\" map")]
    [InlineData("entries:\n  a: [\n", "did not find expected node content")]
    [InlineData("entries:\n  a:\n  - version: 1.0.0\n   bad: indentation\n", "line 4")]
    [InlineData("entries:\n  a:\n  - version: \"1.0.0\u0001\"\n", "control characters are not allowed")]
    public void Text_that_is_not_an_index_is_refused_with_the_same_words_either_way(string text, string expected)
    {
        var streamed = Assert.Throws<SourceException>(() => HelmRepoIndex.Parse(text, Where));
        var tree = Assert.Throws<SourceException>(() => HelmRepoIndex.ParseTree(text, Where));
        Assert.Equal(tree.Message, streamed.Message);
        Assert.StartsWith($"{Where} is not a valid Helm repository index: ", streamed.Message, StringComparison.Ordinal);
        Assert.Contains(expected, streamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_index_is_read_without_building_its_tree()
    {
        var text = HelmIndexes.Large(charts: 300, versions: 20);
        var tree = Allocated(() => HelmRepoIndex.ParseTree(text, Where));
        var read = Allocated(() => HelmRepoIndex.Parse(text, Where));

        // Bytes, not time: the token reader allocates a fraction of what the tree does (a sixth on a 28 MB index in
        // bench/run.sh helm).
        Assert.True(read.Bytes * 2 < tree.Bytes, $"read {read.Bytes:N0} bytes, tree {tree.Bytes:N0}");
        Assert.Equal(Describe(tree.Index), Describe(read.Index));
        Assert.Equal(300, read.Index.Charts.Count);
    }

    private static (HelmRepoIndex Index, long Bytes) Allocated(Func<HelmRepoIndex> parse)
    {
        parse();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var index = parse();
        return (index, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Describe(HelmRepoIndex index) => string.Join(
        "\n",
        index.Charts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c =>
            $"{c.Key}:" + string.Concat(c.Value.Select((v, i) => $"{(i == 0 ? " " : " | ")}{v.Version} [{string.Join(", ", v.Urls)}] {v.Digest}".TrimEnd()))));
}
