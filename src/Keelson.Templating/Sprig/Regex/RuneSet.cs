using System.Collections.Frozen;
using System.Globalization;

namespace Keelson.Templating;

/// <summary>
/// A set of code points as sorted, disjoint, non-adjacent ranges: RE2's character classes, built and negated over
/// the whole Unicode range the way Go's regexp/syntax does (case folding adds each code point's fold orbit).
/// </summary>
internal sealed class RuneSet
{
    public const int MaxRune = 0x10FFFF;

    // The span of code points that have case folding equivalents (Go's minFold and maxFold).
    private const int MinFold = 0x41;
    private const int MaxFold = 0x1E943;

    private readonly List<(int Lo, int Hi)> _ranges = [];
    private bool _clean = true;

    public IReadOnlyList<(int Lo, int Hi)> Ranges
    {
        get
        {
            Clean();
            return _ranges;
        }
    }

    public bool IsEmpty => _ranges.Count == 0;

    public static RuneSet Of(int lo, int hi)
    {
        var s = new RuneSet();
        s.AddRange(lo, hi);
        return s;
    }

    public void AddRange(int lo, int hi)
    {
        if (lo > hi)
        {
            return;
        }

        if (_ranges.Count > 0)
        {
            var (plo, phi) = _ranges[^1];
            if (lo >= plo && lo <= phi + 1)
            {
                // Common case: extending the last range.
                _ranges[^1] = (plo, Math.Max(phi, hi));
                return;
            }

            if (lo < plo)
            {
                _clean = false;
            }
        }

        _ranges.Add((lo, hi));
    }

    public void AddSet(RuneSet other)
    {
        foreach (var (lo, hi) in other.Ranges)
        {
            AddRange(lo, hi);
        }
    }

    /// <summary>Go's appendFoldedRange: the range plus every code point in the case-folding orbit of each member.</summary>
    public void AddFoldedRange(int lo, int hi)
    {
        if (lo <= MinFold && hi >= MaxFold || hi < MinFold || lo > MaxFold)
        {
            AddRange(lo, hi);
            return;
        }

        if (lo < MinFold)
        {
            AddRange(lo, MinFold - 1);
            lo = MinFold;
        }

        if (hi > MaxFold)
        {
            AddRange(MaxFold + 1, hi);
            hi = MaxFold;
        }

        for (var c = lo; c <= hi; c++)
        {
            AddRange(c, c);
            for (var f = GoText.SimpleFold(c); f != c; f = GoText.SimpleFold(f))
            {
                AddRange(f, f);
            }
        }
    }

    public void AddFoldedSet(RuneSet other)
    {
        foreach (var (lo, hi) in other.Ranges)
        {
            AddFoldedRange(lo, hi);
        }
    }

    public RuneSet Negate()
    {
        var result = new RuneSet();
        var next = 0;
        foreach (var (lo, hi) in Ranges)
        {
            if (lo > next)
            {
                result._ranges.Add((next, lo - 1));
            }

            next = hi + 1;
        }

        if (next <= MaxRune)
        {
            result._ranges.Add((next, MaxRune));
        }

        return result;
    }

    public bool Contains(int r)
    {
        foreach (var (lo, hi) in Ranges)
        {
            if (r < lo)
            {
                return false;
            }

            if (r <= hi)
            {
                return true;
            }
        }

        return false;
    }

    private void Clean()
    {
        if (_clean)
        {
            return;
        }

        _ranges.Sort();
        var w = 0;
        for (var i = 1; i < _ranges.Count; i++)
        {
            var (lo, hi) = _ranges[i];
            if (lo <= _ranges[w].Hi + 1)
            {
                _ranges[w] = (_ranges[w].Lo, Math.Max(_ranges[w].Hi, hi));
            }
            else
            {
                _ranges[++w] = (lo, hi);
            }
        }

        _ranges.RemoveRange(w + 1, _ranges.Count - w - 1);
        _clean = true;
    }
}

/// <summary>The named classes RE2 knows: Perl (\d \s \w), POSIX ([:alpha:]), Unicode categories and scripts.</summary>
internal static class RuneClasses
{
    private static readonly Lazy<FrozenDictionary<string, (int Lo, int Hi)[]>> Categories = new(BuildCategories);
    private static readonly Lazy<FrozenDictionary<string, (int Lo, int Hi)[]>> Scripts = new(BuildScripts);

    /// <summary>\d \s \w and their negations (sign -1).</summary>
    public static (int Sign, (int Lo, int Hi)[] Ranges)? Perl(char c) => c switch
    {
        'd' => (1, Digit),
        'D' => (-1, Digit),
        's' => (1, PerlSpace),
        'S' => (-1, PerlSpace),
        'w' => (1, Word),
        'W' => (-1, Word),
        _ => null,
    };

    /// <summary>[:name:] and [:^name:].</summary>
    public static (int Sign, (int Lo, int Hi)[] Ranges)? Posix(string name)
    {
        var sign = 1;
        if (name.StartsWith('^'))
        {
            sign = -1;
            name = name[1..];
        }

        (int, int)[]? ranges = name switch
        {
            "alnum" => [('0', '9'), ('A', 'Z'), ('a', 'z')],
            "alpha" => [('A', 'Z'), ('a', 'z')],
            "ascii" => [(0, 0x7F)],
            "blank" => [('\t', '\t'), (' ', ' ')],
            "cntrl" => [(0, 0x1F), (0x7F, 0x7F)],
            "digit" => Digit,
            "graph" => [('!', '~')],
            "lower" => [('a', 'z')],
            "print" => [(' ', '~')],
            "punct" => [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
            "space" => [('\t', '\r'), (' ', ' ')],
            "upper" => [('A', 'Z')],
            "word" => Word,
            "xdigit" => [('0', '9'), ('A', 'F'), ('a', 'f')],
            _ => null,
        };
        return ranges is null ? null : (sign, ranges);
    }

    /// <summary>A Unicode class by name: Any, a general category (L, Lu...) or a script (Greek...); null if unknown.</summary>
    public static (int Lo, int Hi)[]? Unicode(string name)
    {
        if (name == "Any")
        {
            return [(0, RuneSet.MaxRune)];
        }

        if (Categories.Value.TryGetValue(name, out var c))
        {
            return c;
        }

        return Scripts.Value.TryGetValue(name, out var s) ? s : null;
    }

    private static readonly (int, int)[] Digit = [('0', '9')];
    private static readonly (int, int)[] PerlSpace = [('\t', '\n'), ('\f', '\r'), (' ', ' ')];
    private static readonly (int, int)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];

    private static FrozenDictionary<string, (int Lo, int Hi)[]> BuildCategories()
    {
        // One pass over all code points, collecting ranges per two-letter category.
        var sets = new Dictionary<string, RuneSet>(StringComparer.Ordinal);
        var names = new string[30];
        foreach (UnicodeCategory cat in Enum.GetValues<UnicodeCategory>())
        {
            names[(int)cat] = Abbreviation(cat);
            sets[names[(int)cat]] = new RuneSet();
        }

        for (var r = 0; r <= RuneSet.MaxRune; r++)
        {
            var cat = r is >= 0xD800 and <= 0xDFFF ? UnicodeCategory.Surrogate : CharUnicodeInfo.GetUnicodeCategory(r);
            sets[names[(int)cat]].AddRange(r, r);
        }

        var result = new Dictionary<string, (int, int)[]>(StringComparer.Ordinal);
        foreach (var (name, set) in sets)
        {
            if (name != "Cn")
            {
                result[name] = [.. set.Ranges];
            }
        }

        // Go's major classes are the unions of their subcategories (C without Cn: Go has no unassigned class).
        foreach (var major in (string[])["C", "L", "M", "N", "P", "S", "Z"])
        {
            var union = new RuneSet();
            foreach (var (name, set) in sets)
            {
                if (name[0] == major[0] && name != "Cn")
                {
                    union.AddSet(set);
                }
            }

            result[major] = [.. union.Ranges];
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Abbreviation(UnicodeCategory cat) => cat switch
    {
        UnicodeCategory.UppercaseLetter => "Lu",
        UnicodeCategory.LowercaseLetter => "Ll",
        UnicodeCategory.TitlecaseLetter => "Lt",
        UnicodeCategory.ModifierLetter => "Lm",
        UnicodeCategory.OtherLetter => "Lo",
        UnicodeCategory.NonSpacingMark => "Mn",
        UnicodeCategory.SpacingCombiningMark => "Mc",
        UnicodeCategory.EnclosingMark => "Me",
        UnicodeCategory.DecimalDigitNumber => "Nd",
        UnicodeCategory.LetterNumber => "Nl",
        UnicodeCategory.OtherNumber => "No",
        UnicodeCategory.SpaceSeparator => "Zs",
        UnicodeCategory.LineSeparator => "Zl",
        UnicodeCategory.ParagraphSeparator => "Zp",
        UnicodeCategory.Control => "Cc",
        UnicodeCategory.Format => "Cf",
        UnicodeCategory.Surrogate => "Cs",
        UnicodeCategory.PrivateUse => "Co",
        UnicodeCategory.ConnectorPunctuation => "Pc",
        UnicodeCategory.DashPunctuation => "Pd",
        UnicodeCategory.OpenPunctuation => "Ps",
        UnicodeCategory.ClosePunctuation => "Pe",
        UnicodeCategory.InitialQuotePunctuation => "Pi",
        UnicodeCategory.FinalQuotePunctuation => "Pf",
        UnicodeCategory.OtherPunctuation => "Po",
        UnicodeCategory.MathSymbol => "Sm",
        UnicodeCategory.CurrencySymbol => "Sc",
        UnicodeCategory.ModifierSymbol => "Sk",
        UnicodeCategory.OtherSymbol => "So",
        _ => "Cn",
    };

    private static FrozenDictionary<string, (int Lo, int Hi)[]> BuildScripts()
    {
        var result = new Dictionary<string, (int, int)[]>(StringComparer.Ordinal);
        foreach (var entry in UnicodeScripts.Table.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var parts = entry[(colon + 1)..].Split(',');
            var ranges = new (int, int)[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                var dash = parts[i].IndexOf('-', StringComparison.Ordinal);
                ranges[i] = (int.Parse(parts[i].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    int.Parse(parts[i].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }

            result[entry[..colon]] = ranges;
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
