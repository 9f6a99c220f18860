using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Keelson.Templating.Semver;

/// <summary>
/// A version range in Masterminds/semver v3 syntax (3.4, as Helm uses it): comparisons (<c>=</c>, <c>!=</c>,
/// <c>&gt;</c>, <c>&lt;</c>, <c>&gt;=</c>, <c>=&gt;</c>, <c>&lt;=</c>, <c>=&lt;</c>), <c>~</c>/<c>~&gt;</c>,
/// <c>^</c>, wildcards (<c>x</c>, <c>X</c>, <c>*</c>, missing parts), hyphen ranges (<c>1.2 - 1.4.5</c>),
/// AND (comma or space) and OR (<c>||</c>).
/// A pre-release version satisfies an AND group only when some constraint of the group names a pre-release (or
/// <see cref="IncludePrerelease"/> is set).
/// </summary>
public sealed partial class SemverConstraint
{
    // Go's \s is [\t\n\f\r ]; .NET's would also accept \v and Unicode spaces.
    private const string Space = @"[\t\n\f\r ]";
    private const string Ops = @"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
    private const string Cv = @"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

    private readonly Term[][] _groups;
    private readonly bool[] _groupHasPrerelease;

    private SemverConstraint(Term[][] groups, bool includePrerelease)
    {
        _groups = groups;
        _groupHasPrerelease = groups.Select(g => g.Any(t => t.Version.Prerelease.Length > 0)).ToArray();
        IncludePrerelease = includePrerelease;
    }

    /// <summary>Pre-release versions are considered by every group, not only by groups that name a pre-release.</summary>
    public bool IncludePrerelease { get; }

    /// <summary>Parses a constraint (Masterminds' NewConstraint).</summary>
    /// <exception cref="FormatException">With Masterminds' message, e.g. "improper constraint: &gt;&gt;1".</exception>
    public static SemverConstraint Parse(string constraint, bool includePrerelease = false)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        return TryParse(constraint, includePrerelease, out var result, out var error) ? result : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? constraint, [NotNullWhen(true)] out SemverConstraint? result) =>
        TryParse(constraint ?? "", false, out result, out _) && constraint is not null;

    internal static bool TryParse(string constraint, bool includePrerelease, [NotNullWhen(true)] out SemverConstraint? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var ors = RewriteRange(constraint).Split("||");
        var groups = new Term[ors.Length][];
        for (var k = 0; k < ors.Length; k++)
        {
            var or = ors[k];
            if (!ValidGroup().IsMatch(or))
            {
                error = "improper constraint: " + or;
                return false;
            }

            var found = FindTerm().Matches(or).Select(m => m.Value).ToList();
            if (found.Count == 0)
            {
                found.Add(or);
            }

            groups[k] = new Term[found.Count];
            for (var i = 0; i < found.Count; i++)
            {
                if (!TryParseTerm(found[i], out var term, out error))
                {
                    return false;
                }

                groups[k][i] = term;
            }
        }

        error = null;
        result = new SemverConstraint(groups, includePrerelease);
        return true;
    }

    /// <summary>True when the version satisfies every constraint of at least one OR group (Masterminds' Check).</summary>
    public bool IsSatisfiedBy(SemverVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        for (var i = 0; i < _groups.Length; i++)
        {
            var includePre = IncludePrerelease || _groupHasPrerelease[i];
            if (_groups[i].All(t => t.Check(version, includePre) is null))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Like <see cref="IsSatisfiedBy"/>, with the reasons it is not (Masterminds' Validate).</summary>
    public bool Validate(SemverVersion version, out IReadOnlyList<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(version);
        var errors = new List<string>();
        var preReported = false;
        for (var i = 0; i < _groups.Length; i++)
        {
            var includePre = IncludePrerelease || _groupHasPrerelease[i];
            var ok = true;
            foreach (var term in _groups[i])
            {
                if (!includePre && version.Prerelease.Length > 0)
                {
                    if (!preReported)
                    {
                        errors.Add(PrereleaseExcluded(version));
                        preReported = true;
                    }

                    ok = false;
                }
                else if (term.Check(version, includePre) is { } reason)
                {
                    errors.Add(reason);
                    ok = false;
                }
            }

            if (ok)
            {
                reasons = [];
                return true;
            }
        }

        reasons = errors;
        return false;
    }

    /// <summary>Masterminds' String(): AND terms joined by spaces, OR groups by " || ".</summary>
    public override string ToString() =>
        string.Join(" || ", _groups.Select(g => string.Join(' ', g.Select(t => t.Operator + t.Text))));

    private static string PrereleaseExcluded(SemverVersion v) =>
        $"{v} is a prerelease version and the constraint is only looking for release versions";

    /// <summary>"1.2 - 1.4.5" becomes "&gt;= 1.2, &lt;= 1.4.5 " (the trailing space keeps a following term separate).</summary>
    private static string RewriteRange(string text)
    {
        var output = text;
        foreach (Match m in HyphenRange().Matches(text))
        {
            var replacement = $">= {m.Groups[1].Value}, <= {m.Groups[11].Value} ";
            var at = output.IndexOf(m.Value, StringComparison.Ordinal);
            if (at >= 0)
            {
                output = string.Concat(output.AsSpan(0, at), replacement, output.AsSpan(at + m.Value.Length));
            }
        }

        return output;
    }

    private static bool TryParseTerm(string text, [NotNullWhen(true)] out Term? term, [NotNullWhen(false)] out string? error)
    {
        term = null;
        var m = SingleTerm().Match(text);
        if (!m.Success)
        {
            error = "improper constraint: " + text;
            return false;
        }

        var major = m.Groups[3].Value;
        var minor = m.Groups[4].Value;
        var patch = m.Groups[5].Value;
        var pre = m.Groups[6].Value;
        var version = m.Groups[2].Value;
        bool minorDirty = false, patchDirty = false, dirty = false;
        if (IsX(major))
        {
            version = "0.0.0" + pre;
            dirty = true;
        }
        else if (IsX(minor.TrimStart('.')) || minor.Length == 0)
        {
            minorDirty = dirty = true;
            version = major + ".0.0" + pre;
        }
        else if (IsX(patch.TrimStart('.')) || patch.Length == 0)
        {
            patchDirty = dirty = true;
            version = major + minor + ".0" + pre;
        }

        if (!SemverVersion.TryParse(version, out var parsed, out _))
        {
            // The term pattern lets through what the version pattern rejects, e.g. "1|2" or "x1".
            error = "constraint parser error";
            return false;
        }

        error = null;
        term = new Term(m.Groups[1].Value, m.Groups[2].Value, parsed, dirty, minorDirty, patchDirty);
        return true;
    }

    private static bool IsX(string s) => s is "x" or "X" or "*";

    [GeneratedRegex($@"{Space}*({Cv}){Space}+-{Space}+({Cv}){Space}*", RegexOptions.CultureInvariant)]
    private static partial Regex HyphenRange();

    // Linear-time engine: the group pattern's optional spaces around mandatory separators would make a backtracking
    // engine explode on long invalid input; Go's RE2 is linear too. Only matching is needed here.
    [GeneratedRegex($@"^({Space}*({Ops}){Space}*({Cv}){Space}*)((?:{Space}+|,{Space}*)({Ops}){Space}*({Cv}){Space}*)*\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ValidGroup();

    [GeneratedRegex($@"({Ops}){Space}*({Cv})", RegexOptions.CultureInvariant)]
    private static partial Regex FindTerm();

    [GeneratedRegex($@"^{Space}*({Ops}){Space}*({Cv}){Space}*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SingleTerm();

    /// <summary>One comparison: operator, the version text as written, the version it stands for and its wildcards.</summary>
    private sealed record Term(string Operator, string Text, SemverVersion Version, bool Dirty, bool MinorDirty, bool PatchDirty)
    {
        /// <summary>Null when the version satisfies the term, else Masterminds' reason.</summary>
        public string? Check(SemverVersion v, bool includePre)
        {
            if (v.Prerelease.Length > 0 && !includePre)
            {
                return PrereleaseExcluded(v);
            }

            return Operator switch
            {
                "" or "=" => Dirty ? Tilde(v) : v.Equals(Version) ? null : $"{v} is not equal to {Text}",
                "!=" => NotEqual(v),
                ">" => GreaterThan(v),
                "<" => v.CompareTo(Version) < 0 ? null : $"{v} is greater than or equal to {Text}",
                ">=" or "=>" => v.CompareTo(Version) >= 0 ? null : $"{v} is less than {Text}",
                "<=" or "=<" => LessThanOrEqual(v),
                "~" or "~>" => Tilde(v),
                _ => Caret(v),
            };
        }

        private string? NotEqual(SemverVersion v)
        {
            var equal = $"{v} is equal to {Text}";
            if (Dirty)
            {
                if (Version.Major != v.Major)
                {
                    return null;
                }

                if (Version.Minor != v.Minor && !MinorDirty)
                {
                    return null;
                }

                if (MinorDirty)
                {
                    return equal;
                }

                if (Version.Patch != v.Patch && !PatchDirty)
                {
                    return null;
                }

                if (PatchDirty)
                {
                    if (v.Prerelease.Length > 0 || Version.Prerelease.Length > 0)
                    {
                        return SemverVersion.ComparePrerelease(v.Prerelease, Version.Prerelease) != 0 ? null : equal;
                    }

                    return equal;
                }
            }

            return v.Equals(Version) ? equal : null;
        }

        private string? GreaterThan(SemverVersion v)
        {
            var reason = $"{v} is less than or equal to {Text}";
            if (!Dirty)
            {
                return v.CompareTo(Version) == 1 ? null : reason;
            }

            if (v.Major > Version.Major)
            {
                return null;
            }

            if (v.Major < Version.Major || MinorDirty)
            {
                return reason;
            }

            if (PatchDirty)
            {
                return v.Minor > Version.Minor ? null : reason;
            }

            return v.CompareTo(Version) == 1 ? null : reason;
        }

        private string? LessThanOrEqual(SemverVersion v)
        {
            var reason = $"{v} is greater than {Text}";
            if (!Dirty)
            {
                return v.CompareTo(Version) <= 0 ? null : reason;
            }

            if (v.Major > Version.Major || v.Major == Version.Major && v.Minor > Version.Minor && !MinorDirty)
            {
                return reason;
            }

            return null;
        }

        private string? Tilde(SemverVersion v)
        {
            if (v.CompareTo(Version) < 0)
            {
                return $"{v} is less than {Text}";
            }

            // ~0.0.0 accepts everything, like >=0.0.0.
            if (Version.Major == 0 && Version.Minor == 0 && Version.Patch == 0 && !MinorDirty && !PatchDirty)
            {
                return null;
            }

            if (v.Major != Version.Major)
            {
                return $"{v} does not have same major version as {Text}";
            }

            if (v.Minor != Version.Minor && !MinorDirty)
            {
                return $"{v} does not have same major and minor version as {Text}";
            }

            return null;
        }

        private string? Caret(SemverVersion v)
        {
            if (v.CompareTo(Version) < 0)
            {
                return $"{v} is less than {Text}";
            }

            if (Version.Major > 0 || MinorDirty)
            {
                return v.Major == Version.Major ? null : $"{v} does not have same major version as {Text}";
            }

            if (v.Major > 0)
            {
                return $"{v} does not have same major version as {Text}";
            }

            if (Version.Minor > 0 || PatchDirty)
            {
                return v.Minor == Version.Minor
                    ? null
                    : $"{v} does not have same minor version as {Text}. Expected minor versions to match when constraint major version is 0";
            }

            if (v.Minor > 0)
            {
                return $"{v} does not have same minor version as {Text}";
            }

            return Version.Patch == v.Patch
                ? null
                : $"{v} does not equal {Text}. Expect version and constraint to equal when major and minor versions are 0";
        }
    }
}
