namespace Keelson.Kubernetes.Yaml;

/// <summary>Limits and strictness for <see cref="KubeYaml.Parse"/> and <see cref="KubeYaml.ParseDocuments"/>.</summary>
public sealed record YamlReadOptions
{
    public static YamlReadOptions Default { get; } = new();

    /// <summary>
    /// Most nodes a document may decode through aliases (each node reached via <c>*alias</c> counts once per use).
    /// go-yaml v2's own ratio rule (at most 99% of decoded nodes from aliases once past 1,000 nodes, falling to 10% for
    /// very large documents) is always applied as well, so a "billion laughs" document fails within a few thousand
    /// nodes whatever this is set to. This cap bounds the work on documents that pass the ratio rule.
    /// </summary>
    public int MaxAliasExpansions { get; init; } = 1_000_000;

    /// <summary>Largest input accepted, in UTF-8 bytes.</summary>
    public long MaxDocumentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Deepest nesting of mappings and sequences accepted. go-yaml stops at 10,000; ours is lower by default because
    /// every stage after parsing walks the tree recursively.
    /// </summary>
    public int MaxDepth { get; init; } = 1000;

    /// <summary>
    /// Reject a mapping that sets the same key twice (sigs.k8s.io/yaml's YAMLToJSONStrict / UnmarshalStrict).
    /// Off by default: YAMLToJSON, kubectl's decoding and Helm keep the last value.
    /// </summary>
    public bool RejectDuplicateKeys { get; init; }

    /// <summary>
    /// For <see cref="KubeYaml.Parse"/>: read the first document and ignore the rest of the stream unread, as
    /// sigs.k8s.io/yaml.YAMLToJSON and Unmarshal do (so Helm's fromYaml). Off by default: a second document is then
    /// an error, because silently dropping a manifest is rarely what a caller wants.
    /// </summary>
    public bool FirstDocumentOnly { get; init; }
}
