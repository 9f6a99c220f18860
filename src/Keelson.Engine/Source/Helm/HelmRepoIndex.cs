using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;
using Keelson.Templating.Semver;

namespace Keelson.Engine.Source.Helm;

/// <summary>One chart version of an index.yaml: what is needed to pick and download it.</summary>
internal sealed record HelmIndexEntry(string Version, SemverVersion? Semver, IReadOnlyList<string> Urls, string Digest);

/// <summary>
/// A repository's index.yaml reduced to chart name → versions, and Helm's rule for choosing a version
/// (repo.IndexFile.Get): an exact spelling wins, otherwise the highest version the Masterminds range allows.
/// Pre-releases are only chosen when the range names one (or by exact spelling), as in Helm without --devel.
/// </summary>
internal sealed class HelmRepoIndex
{
    private static readonly YamlReadOptions FirstDocument = new() { FirstDocumentOnly = true };

    private readonly Dictionary<string, List<HelmIndexEntry>> _entries;

    private HelmRepoIndex(Dictionary<string, List<HelmIndexEntry>> entries) => _entries = entries;

    /// <summary>
    /// Reads the text as it is parsed, keeping only each version's name, URLs and digest: an index of a large
    /// repository runs to tens of megabytes, and building its whole tree first (as Flux once did, out of memory)
    /// costs many times that. An index that uses YAML aliases or merge keys where these fields are read (Helm never
    /// writes one) is read through the whole tree instead. The one difference between the two: a plain version that
    /// YAML would take for a number (<c>1.10</c>) is kept as written here, and becomes the number's text (<c>1.1</c>)
    /// through the tree.
    /// </summary>
    /// <exception cref="SourceException">The text is not an index.yaml.</exception>
    public static HelmRepoIndex Parse(string text, string where)
    {
        try
        {
            return Read(new YamlReader(text, FirstDocument), where);
        }
        catch (NeedsTree)
        {
            return ParseTree(text, where);
        }
        catch (YamlException e)
        {
            throw Invalid(where, e);
        }
    }

    /// <summary>The same index read through the whole tree: the way for aliases and merge keys, and the tests' reference.</summary>
    /// <exception cref="SourceException">The text is not an index.yaml.</exception>
    internal static HelmRepoIndex ParseTree(string text, string where)
    {
        JsonNode? root;
        try
        {
            root = KubeYaml.Parse(text, FirstDocument);
        }
        catch (YamlException e)
        {
            throw Invalid(where, e);
        }

        return FromTree(root, where);
    }

    /// <summary>Chart name → its versions in the index's order.</summary>
    internal IReadOnlyDictionary<string, List<HelmIndexEntry>> Charts => _entries;

    private static HelmRepoIndex Read(YamlReader reader, string where)
    {
        if (!reader.Read(out var root) || root.Kind != YamlTokenKind.MappingStart)
        {
            throw NoEntries(where);
        }

        var entries = new Dictionary<string, List<HelmIndexEntry>>(StringComparer.Ordinal);
        while (reader.Read(out var key) && key.Kind != YamlTokenKind.MappingEnd)
        {
            var name = Key(key);
            reader.Read(out var value);
            if (name != "entries")
            {
                reader.Skip(value);
                continue;
            }

            // A repeated key: the last one counts, as in the tree.
            entries.Clear();
            if (value.Kind == YamlTokenKind.Alias)
            {
                throw new NeedsTree();
            }

            if (value.Kind == YamlTokenKind.Scalar && Text(value) is null)
            {
                continue;
            }

            if (value.Kind != YamlTokenKind.MappingStart)
            {
                throw NoEntries(where);
            }

            while (reader.Read(out var chart) && chart.Kind != YamlTokenKind.MappingEnd)
            {
                var chartName = Key(chart);
                reader.Read(out var list);
                entries[chartName] = ReadVersions(reader, list);
            }
        }

        return new HelmRepoIndex(entries);
    }

    private static List<HelmIndexEntry> ReadVersions(YamlReader reader, YamlToken list)
    {
        var versions = new List<HelmIndexEntry>();
        if (list.Kind != YamlTokenKind.SequenceStart)
        {
            NoAlias(list);
            reader.Skip(list);
            return versions;
        }

        while (reader.Read(out var item) && item.Kind != YamlTokenKind.SequenceEnd)
        {
            NoAlias(item);
            if (item.Kind != YamlTokenKind.MappingStart)
            {
                reader.Skip(item);
                continue;
            }

            string? version = null, digest = null;
            List<string> urls = [];
            while (reader.Read(out var key) && key.Kind != YamlTokenKind.MappingEnd)
            {
                var field = Key(key);
                reader.Read(out var value);
                if (field is not ("version" or "digest" or "urls"))
                {
                    reader.Skip(value);
                    continue;
                }

                NoAlias(value);
                if (field == "urls")
                {
                    urls = ReadUrls(reader, value);
                    continue;
                }

                var text = value.Kind == YamlTokenKind.Scalar ? Text(value) : null;
                reader.Skip(value);
                if (field == "version")
                {
                    version = text;
                }
                else
                {
                    digest = text;
                }
            }

            if (version is { Length: > 0 })
            {
                versions.Add(Entry(version, urls, digest));
            }
        }

        return versions;
    }

    private static List<string> ReadUrls(YamlReader reader, YamlToken value)
    {
        List<string> urls = [];
        if (value.Kind != YamlTokenKind.SequenceStart)
        {
            reader.Skip(value);
            return urls;
        }

        while (reader.Read(out var url) && url.Kind != YamlTokenKind.SequenceEnd)
        {
            NoAlias(url);
            if (url.Kind == YamlTokenKind.Scalar && Text(url) is { Length: > 0 } text)
            {
                urls.Add(text);
            }

            reader.Skip(url);
        }

        return urls;
    }

    /// <summary>A mapping key as the tree would have it; anything a string key cannot stand for is left to the tree.</summary>
    private static string Key(YamlToken key) =>
        key.Kind == YamlTokenKind.Scalar && !(key.Plain && key.Value == "<<") && Text(key) is { } text ? text : throw new NeedsTree();

    private static void NoAlias(YamlToken token)
    {
        if (token.Kind == YamlTokenKind.Alias)
        {
            throw new NeedsTree();
        }
    }

    /// <summary>A scalar's text; null for YAML's null. Other plain scalars are taken as written (a version 1.10 stays 1.10).</summary>
    private static string? Text(YamlToken scalar) =>
        scalar.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value;

    private static HelmRepoIndex FromTree(JsonNode? root, string where)
    {
        if (root is not JsonObject obj || obj["entries"] is not (JsonObject or null))
        {
            throw NoEntries(where);
        }

        var entries = new Dictionary<string, List<HelmIndexEntry>>(StringComparer.Ordinal);
        foreach (var (name, list) in obj["entries"] as JsonObject ?? [])
        {
            var versions = new List<HelmIndexEntry>();
            foreach (var item in list as JsonArray ?? [])
            {
                if (item is JsonObject e && Text(e["version"]) is { Length: > 0 } version)
                {
                    versions.Add(Entry(version, [.. (e["urls"] as JsonArray ?? []).Select(Text).OfType<string>().Where(u => u.Length > 0)], Text(e["digest"])));
                }
            }

            entries[name] = versions;
        }

        return new HelmRepoIndex(entries);
    }

    // Helm skips versions that are not semver when matching ranges; an exact spelling still finds them.
    private static HelmIndexEntry Entry(string version, List<string> urls, string? digest) =>
        new(version, SemverVersion.TryParse(version, out var parsed) ? parsed : null, urls, digest ?? "");

    private static SourceException Invalid(string where, YamlException e) =>
        new(SourceErrorReason.GitError, $"{where} is not a valid Helm repository index: {e.Message}", e);

    private static SourceException NoEntries(string where) =>
        new(SourceErrorReason.GitError, $"{where} is not a valid Helm repository index: no \"entries\" map");

    /// <summary>The entry for <paramref name="chart"/> that <paramref name="versionOrRange"/> selects.</summary>
    /// <exception cref="SourceException">No such chart, an invalid range, or no version in it.</exception>
    public HelmIndexEntry Pick(string chart, string versionOrRange, string repo)
    {
        if (!_entries.TryGetValue(chart, out var versions) || versions.Count == 0)
        {
            throw new SourceException(SourceErrorReason.RevisionNotFound, $"chart \"{chart}\" not found in the Helm repository {repo}");
        }

        var spec = versionOrRange.Trim();
        if (spec.Length > 0 && versions.FirstOrDefault(v => v.Version == spec) is { } exact)
        {
            return exact;
        }

        SemverConstraint constraint;
        try
        {
            constraint = SemverConstraint.Parse(spec.Length == 0 ? "*" : spec);
        }
        catch (FormatException e)
        {
            throw new SourceException(SourceErrorReason.InvalidRevision, $"\"{versionOrRange}\" is neither a chart version nor a version range: {e.Message}");
        }

        var best = versions.Where(v => v.Semver is not null && constraint.IsSatisfiedBy(v.Semver))
            .MaxBy(v => v.Semver);
        if (best is null)
        {
            var available = versions.Where(v => v.Semver is not null).OrderByDescending(v => v.Semver).Select(v => v.Version).Take(10).ToList();
            var more = versions.Count > available.Count ? ", ..." : "";
            throw new SourceException(
                SourceErrorReason.RevisionNotFound,
                $"chart \"{chart}\" in the Helm repository {repo} has no version matching \"{(spec.Length == 0 ? "*" : spec)}\" (available: {string.Join(", ", available)}{more})");
        }

        return best;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v ? v.ToString() : null;

    /// <summary>The index uses a YAML feature the token reader leaves to the tree.</summary>
    private sealed class NeedsTree : Exception;
}
