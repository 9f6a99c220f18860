using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Templating.Semver;

/// <summary>
/// A semantic version as Masterminds/semver v3 (3.4, the version Helm pins) parses and orders it: <see cref="Parse"/>
/// coerces "v1", "1.2" and leading zeros as <c>NewVersion</c> does, <see cref="ParseStrict"/> accepts only SemVer 2.
/// Ordering follows the SemVer precedence rules; build metadata is ignored, so equality is precedence equality.
/// </summary>
public sealed partial class SemverVersion : IComparable<SemverVersion>, IEquatable<SemverVersion>
{
    // Masterminds' error texts (3.3 and later write them in lower case).
    internal const string InvalidSemVer = "invalid semantic version";
    internal const string EmptyString = "version string empty";
    internal const string InvalidCharacters = "invalid characters in version";
    internal const string SegmentStartsZero = "version segment starts with 0";
    internal const string InvalidMetadata = "invalid metadata string";
    internal const string InvalidPrerelease = "invalid prerelease string";

    private const string Allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

    /// <summary>A version with no original text: <see cref="Original"/> is its canonical form (semver.New).</summary>
    public SemverVersion(ulong major, ulong minor, ulong patch, string prerelease = "", string metadata = "")
        : this(major, minor, patch, prerelease ?? "", metadata ?? "", null)
    {
    }

    private SemverVersion(ulong major, ulong minor, ulong patch, string prerelease, string metadata, string? original)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Metadata = metadata;
        Original = original ?? Canonical(major, minor, patch, prerelease, metadata);
    }

    public ulong Major { get; }

    public ulong Minor { get; }

    public ulong Patch { get; }

    /// <summary>The pre-release identifiers without the leading '-', or "".</summary>
    public string Prerelease { get; }

    /// <summary>The build metadata without the leading '+', or "".</summary>
    public string Metadata { get; }

    /// <summary>The text the version was parsed from (with its "v", missing parts and leading zeros).</summary>
    public string Original { get; }

    /// <summary>Parses like Masterminds' NewVersion: an optional "v", missing minor/patch, leading zeros allowed.</summary>
    /// <exception cref="FormatException">With Masterminds' message, e.g. "invalid semantic version".</exception>
    public static SemverVersion Parse(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return TryParse(version, out var result, out var error) ? result : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? version, [NotNullWhen(true)] out SemverVersion? result) =>
        TryParse(version ?? "", out result, out _) && version is not null;

    internal static bool TryParse(string version, [NotNullWhen(true)] out SemverVersion? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var m = LooseVersion().Match(version);
        if (!m.Success)
        {
            error = InvalidSemVer;
            return false;
        }

        if (!TryNumber(m.Groups[1].Value, out var major, out error)
            || !TryNumber(m.Groups[2].Value.TrimStart('.'), out var minor, out error)
            || !TryNumber(m.Groups[3].Value.TrimStart('.'), out var patch, out error))
        {
            return false;
        }

        var pre = m.Groups[5].Value;
        var metadata = m.Groups[8].Value;
        if ((error = ValidatePrerelease(pre) ?? ValidateMetadata(metadata)) is not null)
        {
            return false;
        }

        result = new SemverVersion(major, minor, patch, pre, metadata, version);
        return true;
    }

    /// <summary>Parses a strict SemVer 2 version (Masterminds' StrictNewVersion): no "v", all three parts, no leading zeros.</summary>
    /// <exception cref="FormatException">With Masterminds' message.</exception>
    public static SemverVersion ParseStrict(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Length == 0)
        {
            throw new FormatException(EmptyString);
        }

        var parts = version.Split('.', 3);
        if (parts.Length != 3)
        {
            throw new FormatException(InvalidSemVer);
        }

        var metadata = "";
        var pre = "";
        var plus = parts[2].IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            metadata = parts[2][(plus + 1)..];
            parts[2] = parts[2][..plus];
            if (ValidateMetadata(metadata) is { } e)
            {
                throw new FormatException(e);
            }
        }

        var dash = parts[2].IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            pre = parts[2][(dash + 1)..];
            parts[2] = parts[2][..dash];
            if (ValidatePrerelease(pre) is { } e)
            {
                throw new FormatException(e);
            }
        }

        var numbers = new ulong[3];
        for (var i = 0; i < 3; i++)
        {
            var p = parts[i];
            if (!p.All(char.IsAsciiDigit))
            {
                throw new FormatException(InvalidCharacters);
            }

            if (p.Length > 1 && p[0] == '0')
            {
                throw new FormatException(SegmentStartsZero);
            }
        }

        for (var i = 0; i < 3; i++)
        {
            if (!ulong.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw new FormatException(ParseUintError(parts[i]));
            }
        }

        return new SemverVersion(numbers[0], numbers[1], numbers[2], pre, metadata, version);
    }

    /// <summary>The canonical form without a "v": MAJOR.MINOR.PATCH[-PRE][+META].</summary>
    public override string ToString() => Canonical(Major, Minor, Patch, Prerelease, Metadata);

    /// <summary>The next patch version; a pre-release version becomes its release (1.2.3-rc.1 → 1.2.3).</summary>
    public SemverVersion IncPatch() =>
        Prerelease.Length > 0 ? Next(Major, Minor, Patch) : Next(Major, Minor, Patch + 1);

    public SemverVersion IncMinor() => Next(Major, Minor + 1, 0);

    public SemverVersion IncMajor() => Next(Major + 1, 0, 0);

    /// <summary>The same version with another pre-release ("" removes it).</summary>
    /// <exception cref="FormatException">The pre-release is not valid.</exception>
    public SemverVersion WithPrerelease(string prerelease)
    {
        ArgumentNullException.ThrowIfNull(prerelease);
        if (prerelease.Length > 0 && ValidatePrerelease(prerelease) is { } e)
        {
            throw new FormatException(e);
        }

        return WithVPrefix(new SemverVersion(Major, Minor, Patch, prerelease, Metadata));
    }

    /// <summary>The same version with other build metadata ("" removes it).</summary>
    /// <exception cref="FormatException">The metadata is not valid.</exception>
    public SemverVersion WithMetadata(string metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Length > 0 && ValidateMetadata(metadata) is { } e)
        {
            throw new FormatException(e);
        }

        return WithVPrefix(new SemverVersion(Major, Minor, Patch, Prerelease, metadata));
    }

    /// <summary>-1, 0 or 1 by SemVer precedence (pre-releases sort before their release; metadata is ignored).</summary>
    public int CompareTo(SemverVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var d = Major.CompareTo(other.Major);
        if (d == 0)
        {
            d = Minor.CompareTo(other.Minor);
        }

        if (d == 0)
        {
            d = Patch.CompareTo(other.Patch);
        }

        if (d != 0)
        {
            return Math.Sign(d);
        }

        if (Prerelease.Length == 0 && other.Prerelease.Length == 0)
        {
            return 0;
        }

        if (Prerelease.Length == 0)
        {
            return 1;
        }

        return other.Prerelease.Length == 0 ? -1 : ComparePrerelease(Prerelease, other.Prerelease);
    }

    public bool Equals(SemverVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is SemverVersion v && Equals(v);

    public override int GetHashCode() => HashCode.Combine(Major, Minor, Patch, Prerelease);

    public static bool operator ==(SemverVersion? left, SemverVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SemverVersion? left, SemverVersion? right) => !(left == right);

    public static bool operator <(SemverVersion? left, SemverVersion? right) => Compare(left, right) < 0;

    public static bool operator <=(SemverVersion? left, SemverVersion? right) => Compare(left, right) <= 0;

    public static bool operator >(SemverVersion? left, SemverVersion? right) => Compare(left, right) > 0;

    public static bool operator >=(SemverVersion? left, SemverVersion? right) => Compare(left, right) >= 0;

    private static int Compare(SemverVersion? a, SemverVersion? b) => a is null ? (b is null ? 0 : -1) : a.CompareTo(b);

    /// <summary>Masterminds' pre-release ordering: part by part, numbers below words, a shorter list first.</summary>
    internal static int ComparePrerelease(string a, string b)
    {
        var ap = a.Split('.');
        var bp = b.Split('.');
        var n = Math.Max(ap.Length, bp.Length);
        for (var i = 0; i < n; i++)
        {
            var d = ComparePart(i < ap.Length ? ap[i] : "", i < bp.Length ? bp[i] : "");
            if (d != 0)
            {
                return d;
            }
        }

        return 0;
    }

    private static int ComparePart(string s, string o)
    {
        if (s == o)
        {
            return 0;
        }

        if (s.Length == 0)
        {
            return -1;
        }

        if (o.Length == 0)
        {
            return 1;
        }

        var oNumber = ulong.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var oi);
        var sNumber = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var si);
        if (!oNumber && !sNumber)
        {
            // Go compares strings byte-wise; identifiers are ASCII, so ordinal order is the same.
            return string.CompareOrdinal(s, o) > 0 ? 1 : -1;
        }

        if (!oNumber)
        {
            return -1;
        }

        if (!sNumber)
        {
            return 1;
        }

        return si > oi ? 1 : -1;
    }

    internal static string? ValidatePrerelease(string p)
    {
        if (p.Length == 0)
        {
            return null;
        }

        foreach (var part in p.Split('.'))
        {
            if (part.Length == 0)
            {
                return InvalidPrerelease;
            }

            if (part.All(char.IsAsciiDigit))
            {
                if (part.Length > 1 && part[0] == '0')
                {
                    return SegmentStartsZero;
                }
            }
            else if (!part.All(c => Allowed.Contains(c, StringComparison.Ordinal)))
            {
                return InvalidPrerelease;
            }
        }

        return null;
    }

    internal static string? ValidateMetadata(string m)
    {
        if (m.Length == 0)
        {
            return null;
        }

        foreach (var part in m.Split('.'))
        {
            if (part.Length == 0 || !part.All(c => Allowed.Contains(c, StringComparison.Ordinal)))
            {
                return InvalidMetadata;
            }
        }

        return null;
    }

    private static bool TryNumber(string digits, out ulong value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (digits.Length == 0)
        {
            value = 0;
            return true;
        }

        if (ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        error = "error parsing version segment: " + ParseUintError(digits);
        return false;
    }

    private static string ParseUintError(string digits) =>
        $"strconv.ParseUint: parsing \"{digits}\": value out of range";

    private SemverVersion Next(ulong major, ulong minor, ulong patch) =>
        WithVPrefix(new SemverVersion(major, minor, patch));

    /// <summary>Derived versions keep the original's "v" prefix in <see cref="Original"/>, as Masterminds' do.</summary>
    private SemverVersion WithVPrefix(SemverVersion v) =>
        Original.StartsWith('v') ? new SemverVersion(v.Major, v.Minor, v.Patch, v.Prerelease, v.Metadata, "v" + v) : v;

    private static string Canonical(ulong major, ulong minor, ulong patch, string pre, string metadata)
    {
        var sb = new StringBuilder();
        sb.Append(major).Append('.').Append(minor).Append('.').Append(patch);
        if (pre.Length > 0)
        {
            sb.Append('-').Append(pre);
        }

        if (metadata.Length > 0)
        {
            sb.Append('+').Append(metadata);
        }

        return sb.ToString();
    }

    // Masterminds' loose version pattern. \z, not $: .NET's $ also matches before a final newline.
    [GeneratedRegex(@"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LooseVersion();
}
