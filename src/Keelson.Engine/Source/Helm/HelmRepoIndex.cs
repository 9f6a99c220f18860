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

    /// <exception cref="SourceException">The text is not an index.yaml.</exception>
    public static HelmRepoIndex Parse(string text, string where)
    {
        JsonNode? root;
        try
        {
            root = KubeYaml.Parse(text, FirstDocument);
        }
        catch (YamlException e)
        {
            throw new SourceException(SourceErrorReason.GitError, $"{where} is not a valid Helm repository index: {e.Message}", e);
        }

        if (root is not JsonObject obj || obj["entries"] is not (JsonObject or null))
        {
            throw new SourceException(SourceErrorReason.GitError, $"{where} is not a valid Helm repository index: no \"entries\" map");
        }

        var entries = new Dictionary<string, List<HelmIndexEntry>>(StringComparer.Ordinal);
        foreach (var (name, list) in obj["entries"] as JsonObject ?? [])
        {
            var versions = new List<HelmIndexEntry>();
            foreach (var item in list as JsonArray ?? [])
            {
                if (item is not JsonObject e || Text(e["version"]) is not { Length: > 0 } version)
                {
                    continue;
                }

                var urls = (e["urls"] as JsonArray ?? []).Select(Text).OfType<string>().Where(u => u.Length > 0).ToList();
                // Helm skips versions that are not semver when matching ranges; an exact spelling still finds them.
                var semver = SemverVersion.TryParse(version, out var parsed) ? parsed : null;
                versions.Add(new HelmIndexEntry(version, semver, urls, Text(e["digest"]) ?? ""));
            }

            entries[name] = versions;
        }

        return new HelmRepoIndex(entries);
    }

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
}
