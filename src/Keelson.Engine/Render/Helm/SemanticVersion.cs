using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// A version as Masterminds/semver v3's NewVersion reads it (what Helm uses for chart versions, dependency ranges and
/// kubeVersion): an optional 'v', one to three numeric parts, a pre-release and build metadata.
/// </summary>
internal sealed partial class SemanticVersion : IComparable<SemanticVersion>
{
    private SemanticVersion(BigInteger major, BigInteger minor, BigInteger patch, string prerelease, string metadata)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Metadata = metadata;
    }

    public BigInteger Major { get; }

    public BigInteger Minor { get; }

    public BigInteger Patch { get; }

    public string Prerelease { get; }

    public string Metadata { get; }

    public static bool TryParse(string text, out SemanticVersion version)
    {
        version = null!;
        var m = VersionPattern().Match(text);
        if (!m.Success)
        {
            return false;
        }

        var pre = m.Groups[4].Value;
        if (pre.Length > 0)
        {
            foreach (var part in pre.Split('.'))
            {
                if (part.Length > 1 && part[0] == '0' && part.All(char.IsAsciiDigit))
                {
                    return false;
                }
            }
        }

        version = new SemanticVersion(
            BigInteger.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            m.Groups[2].Success ? BigInteger.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            m.Groups[3].Success ? BigInteger.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0,
            pre,
            m.Groups[5].Value);
        return true;
    }

    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Major.CompareTo(other.Major);
        if (c != 0)
        {
            return c;
        }

        c = Minor.CompareTo(other.Minor);
        if (c != 0)
        {
            return c;
        }

        c = Patch.CompareTo(other.Patch);
        return c != 0 ? c : ComparePrerelease(Prerelease, other.Prerelease);
    }

    private static int ComparePrerelease(string a, string b)
    {
        if (a == b)
        {
            return 0;
        }

        if (a.Length == 0)
        {
            return 1;
        }

        if (b.Length == 0)
        {
            return -1;
        }

        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            if (i >= pa.Length)
            {
                return -1;
            }

            if (i >= pb.Length)
            {
                return 1;
            }

            var c = CompareIdentifier(pa[i], pb[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static int CompareIdentifier(string a, string b)
    {
        var an = BigInteger.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var ai);
        var bn = BigInteger.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var bi);
        if (an && bn)
        {
            return ai.CompareTo(bi);
        }

        if (an)
        {
            return -1;
        }

        if (bn)
        {
            return 1;
        }

        return string.CompareOrdinal(a, b) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }

    /// <summary>Masterminds' constraint check (helm's IsCompatibleRange): false when either side does not parse.</summary>
    public static bool IsCompatibleRange(string constraint, string version) =>
        TryParse(version, out var v) && VersionConstraint.TryParse(constraint, out var c) && c.Check(v);

    [GeneratedRegex(@"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}

/// <summary>Masterminds/semver v3 constraints: <c>||</c> of comma/space separated comparisons, ^ ~ x-ranges and hyphen ranges.</summary>
internal sealed partial class VersionConstraint
{
    private readonly List<List<Comparison>> _groups;

    private VersionConstraint(List<List<Comparison>> groups)
    {
        _groups = groups;
    }

    public static bool TryParse(string text, out VersionConstraint constraint)
    {
        constraint = null!;
        text = HyphenRange().Replace(text, ">= $1, <= $2");
        var groups = new List<List<Comparison>>();
        foreach (var or in text.Split("||"))
        {
            if (!ValidGroup().IsMatch(or))
            {
                return false;
            }

            var group = new List<Comparison>();
            var found = OneConstraint().Matches(or);
            if (found.Count == 0)
            {
                group.Add(Comparison.Any());
            }

            foreach (Match m in found)
            {
                if (!Comparison.TryParse(m, out var cmp))
                {
                    return false;
                }

                group.Add(cmp);
            }

            groups.Add(group);
        }

        constraint = new VersionConstraint(groups);
        return true;
    }

    public bool Check(SemanticVersion v) => _groups.Any(g => g.All(c => c.Check(v)));

    private const string Cv = @"v?(x|X|\*|[0-9]+)(\.(?:x|X|\*|[0-9]+))?(\.(?:x|X|\*|[0-9]+))?(-[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?(\+[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?";
    private const string Ops = @"=>|=<|~>|>=|<=|!=|=|>|<|~|\^";

    [GeneratedRegex(@"\s*(" + CvPlain + @")\s+-\s+(" + CvPlain + @")\s*")]
    private static partial Regex HyphenRange();

    private const string CvPlain = @"v?(?:x|X|\*|[0-9]+)(?:\.(?:x|X|\*|[0-9]+))?(?:\.(?:x|X|\*|[0-9]+))?(?:-[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?(?:\+[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?";

    [GeneratedRegex(@"^\s*(?:(?:" + Ops + @")?\s*" + CvPlain + @"\s*[,\s]*)*$")]
    private static partial Regex ValidGroup();

    [GeneratedRegex(@"(" + Ops + @")?\s*" + Cv)]
    private static partial Regex OneConstraint();

    private sealed class Comparison
    {
        private string _op = "";
        private SemanticVersion _con = null!;
        private bool _dirty;
        private bool _minorDirty;
        private bool _patchDirty;

        public static Comparison Any()
        {
            return SemanticVersion.TryParse("0.0.0", out var zero)
                ? new Comparison { _con = zero, _dirty = true }
                : throw new InvalidOperationException("0.0.0 must parse");
        }

        public static bool TryParse(Match m, out Comparison cmp)
        {
            cmp = new Comparison { _op = m.Groups[1].Value };
            var major = m.Groups[2].Value;
            var minor = m.Groups[3].Value;
            var patch = m.Groups[4].Value;
            var pre = m.Groups[5].Value;
            string ver;
            if (IsX(major) || major.Length == 0)
            {
                ver = "0.0.0" + pre;
                cmp._dirty = true;
            }
            else if (minor.Length == 0 || IsX(minor[1..]))
            {
                ver = major + ".0.0" + pre;
                cmp._dirty = true;
                cmp._minorDirty = true;
            }
            else if (patch.Length == 0 || IsX(patch[1..]))
            {
                ver = major + minor + ".0" + pre;
                cmp._dirty = true;
                cmp._patchDirty = true;
            }
            else
            {
                ver = major + minor + patch + pre;
            }

            if (!SemanticVersion.TryParse(ver, out var con))
            {
                return false;
            }

            cmp._con = con;
            return true;
        }

        private static bool IsX(string s) => s is "x" or "X" or "*";

        public bool Check(SemanticVersion v)
        {
            if (v.Prerelease.Length > 0 && _con.Prerelease.Length == 0)
            {
                return false;
            }

            var c = _con;
            switch (_op)
            {
                case "":
                case "=":
                    return _dirty ? Tilde(v) : v.CompareTo(c) == 0;
                case "!=":
                    if (_dirty)
                    {
                        if (c.Major != v.Major)
                        {
                            return true;
                        }

                        if (c.Minor != v.Minor && !_minorDirty)
                        {
                            return true;
                        }

                        if (_minorDirty)
                        {
                            return false;
                        }

                        if (c.Patch != v.Patch && !_patchDirty)
                        {
                            return true;
                        }

                        if (_patchDirty)
                        {
                            return false;
                        }
                    }

                    return v.CompareTo(c) != 0;
                case ">":
                    if (!_dirty)
                    {
                        return v.CompareTo(c) > 0;
                    }

                    if (v.Major != c.Major)
                    {
                        return v.Major > c.Major;
                    }

                    if (_minorDirty)
                    {
                        return false;
                    }

                    return _patchDirty ? v.Minor > c.Minor : v.CompareTo(c) > 0;
                case "<":
                    return v.CompareTo(c) < 0;
                case ">=":
                case "=>":
                    return v.CompareTo(c) >= 0;
                case "<=":
                case "=<":
                    if (!_dirty)
                    {
                        return v.CompareTo(c) <= 0;
                    }

                    if (v.Major > c.Major)
                    {
                        return false;
                    }

                    return !(v.Major == c.Major && v.Minor > c.Minor && !_minorDirty);
                case "~":
                case "~>":
                    return Tilde(v);
                case "^":
                    return Caret(v);
                default:
                    return false;
            }
        }

        private bool Tilde(SemanticVersion v)
        {
            var c = _con;
            if (v.CompareTo(c) < 0)
            {
                return false;
            }

            if (c.Major == 0 && c.Minor == 0 && c.Patch == 0 && !_minorDirty && !_patchDirty)
            {
                return true;
            }

            if (v.Major != c.Major)
            {
                return false;
            }

            return v.Minor == c.Minor || _minorDirty;
        }

        private bool Caret(SemanticVersion v)
        {
            var c = _con;
            if (v.CompareTo(c) < 0)
            {
                return false;
            }

            if (c.Major > 0 || _minorDirty)
            {
                return v.Major == c.Major;
            }

            if (v.Major > 0)
            {
                return false;
            }

            if (c.Minor > 0 || _patchDirty)
            {
                return v.Minor == c.Minor;
            }

            if (v.Minor > 0)
            {
                return false;
            }

            return c.Patch == v.Patch;
        }
    }
}
