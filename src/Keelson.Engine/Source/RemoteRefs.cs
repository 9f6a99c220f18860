using System.Text.RegularExpressions;

namespace Keelson.Engine.Source;

/// <summary>How a revision maps onto what the server advertises.</summary>
internal abstract record Resolution
{
    /// <summary>A branch, tag, HEAD or other ref (or a SHA at a ref's tip): the commit and the ref it came from.</summary>
    public sealed record Tip(string Sha, string Ref) : Resolution;

    /// <summary>A full SHA at no ref's tip: it has to be fetched by itself.</summary>
    public sealed record Commit(string Sha) : Resolution;

    /// <summary>An abbreviated SHA at no ref's tip: only the repository's history can say which commit it is.</summary>
    public sealed record Abbreviated(string Prefix) : Resolution;
}

/// <summary>The refs a server advertises (output of <c>git ls-remote --symref</c>), annotated tags peeled.</summary>
internal sealed partial class RemoteRefs
{
    private readonly Dictionary<string, string> _refs;

    private RemoteRefs(Dictionary<string, string> refs, string? headTarget)
    {
        _refs = refs;
        HeadTarget = headTarget;
    }

    /// <summary>The branch HEAD points at, when the server says.</summary>
    public string? HeadTarget { get; }

    public int Count => _refs.Count;

    public static RemoteRefs Parse(string output)
    {
        var direct = new Dictionary<string, string>(StringComparer.Ordinal);
        var peeled = new Dictionary<string, string>(StringComparer.Ordinal);
        string? headTarget = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                continue;
            }

            var left = line[..tab];
            var name = line[(tab + 1)..].TrimEnd('\r');
            if (left.StartsWith("ref: ", StringComparison.Ordinal))
            {
                if (name == "HEAD")
                {
                    headTarget = left[5..];
                }

                continue;
            }

            if (!FullSha().IsMatch(left))
            {
                continue;
            }

            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                peeled[name[..^3]] = left;
            }
            else
            {
                direct[name] = left;
            }
        }

        // An annotated tag advertises the tag object and, with ^{}, the commit it points at: keep the commit.
        foreach (var (name, sha) in peeled)
        {
            direct[name] = sha;
        }

        return new RemoteRefs(direct, headTarget);
    }

    /// <summary>
    /// Maps a revision the way git does for a name (exact ref, then refs/, refs/tags/, refs/heads/), then as a full or
    /// abbreviated SHA. Returns null when nothing can match.
    /// </summary>
    public Resolution? Resolve(string revision)
    {
        if (revision == "HEAD")
        {
            return _refs.TryGetValue("HEAD", out var head) ? new Resolution.Tip(head, HeadTarget ?? "HEAD") : null;
        }

        string[] candidates = revision.StartsWith("refs/", StringComparison.Ordinal)
            ? [revision]
            : ["refs/" + revision, "refs/tags/" + revision, "refs/heads/" + revision];
        foreach (var name in candidates)
        {
            if (_refs.TryGetValue(name, out var sha))
            {
                return new Resolution.Tip(sha, name);
            }
        }

        if (!Hex().IsMatch(revision))
        {
            return null;
        }

        var lower = revision.ToLowerInvariant();
        var tips = _refs.Where(r => r.Value.StartsWith(lower, StringComparison.Ordinal))
            .OrderBy(r => r.Key == "HEAD" ? 1 : 0).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        if (lower.Length == 40)
        {
            return tips.Count > 0 ? new Resolution.Tip(lower, tips[0].Key) : new Resolution.Commit(lower);
        }

        // An abbreviation that matches one advertised tip is taken to mean it; anything else needs the history.
        return tips.Select(t => t.Value).Distinct(StringComparer.Ordinal).Count() == 1
            ? new Resolution.Tip(tips[0].Value, tips[0].Key)
            : new Resolution.Abbreviated(lower);
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    public static partial Regex FullSha();

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$")]
    private static partial Regex Hex();
}
