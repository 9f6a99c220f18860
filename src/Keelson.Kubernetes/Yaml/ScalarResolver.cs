namespace Keelson.Kubernetes.Yaml;

internal enum ScalarKind
{
    String,
    Null,
    Bool,
    Int,
    Uint,
    Float,
    Timestamp,
}

/// <summary>The Go value go-yaml v2 decodes a scalar to (for strings and timestamps the caller keeps the text).</summary>
internal readonly record struct Resolved(ScalarKind Kind, long Int = 0, ulong Uint = 0, double Float = 0, bool Bool = false)
{
    public static Resolved String => new(ScalarKind.String);
}

/// <summary>
/// go-yaml v2's resolve(): YAML 1.1-flavoured implicit typing of plain scalars and the checks for explicit tags.
/// The same rules decide, when writing, whether a string must be quoted (it must if it would read back as anything
/// but a string).
/// </summary>
internal static class ScalarResolver
{
    public const string TagPrefix = "tag:yaml.org,2002:";
    public const string StrTag = TagPrefix + "str";
    public const string BoolTag = TagPrefix + "bool";
    public const string IntTag = TagPrefix + "int";
    public const string FloatTag = TagPrefix + "float";
    public const string NullTag = TagPrefix + "null";
    public const string TimestampTag = TagPrefix + "timestamp";
    public const string BinaryTag = TagPrefix + "binary";
    public const string MergeTag = TagPrefix + "merge";

    /// <summary>Resolves an untagged plain scalar.</summary>
    public static Resolved ResolvePlain(string value) => Resolve(null, value);

    /// <summary>
    /// Resolves a scalar carrying <paramref name="tag"/> (null when untagged). Tags go-yaml does not resolve (custom
    /// tags, !!binary, ...) give <see cref="ScalarKind.String"/>; the caller handles !!binary.
    /// </summary>
    public static bool TryResolve(string? tag, string value, out Resolved resolved, out string? error)
    {
        error = null;
        if (tag is not null and not (StrTag or BoolTag or IntTag or FloatTag or NullTag or TimestampTag))
        {
            resolved = Resolved.String;
            return true;
        }

        resolved = Resolve(tag, value);
        if (tag is null || tag == StrTag || tag == TagOf(resolved.Kind))
        {
            return true;
        }

        if (tag == FloatTag && resolved.Kind == ScalarKind.Int)
        {
            resolved = new Resolved(ScalarKind.Float, Float: resolved.Int);
            return true;
        }

        // Go quotes the value here; the position says where it is without echoing what may be a secret.
        error = $"cannot decode {ShortTag(TagOf(resolved.Kind))} as a {ShortTag(tag)}";
        return false;
    }

    /// <summary>Whether a string written plainly would read back as something other than that string.</summary>
    public static bool NeedsQuotes(string value) => Resolve(null, value).Kind != ScalarKind.String || IsBase60Float(value);

    public static string ShortTag(string tag) =>
        tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? string.Concat("!!", tag.AsSpan(TagPrefix.Length)) : tag;

    private static string TagOf(ScalarKind kind) => kind switch
    {
        ScalarKind.Null => NullTag,
        ScalarKind.Bool => BoolTag,
        ScalarKind.Int or ScalarKind.Uint => IntTag,
        ScalarKind.Float => FloatTag,
        ScalarKind.Timestamp => TimestampTag,
        _ => StrTag,
    };

    private static Resolved Resolve(string? tag, string value)
    {
        // go-yaml looks at the first character to decide whether the scalar can be anything but a string.
        var hint = value.Length == 0 ? 'N' : value[0] switch
        {
            '+' or '-' => 'S',
            >= '0' and <= '9' => 'D',
            'y' or 'Y' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or 'o' or 'O' or '~' => 'M',
            '.' => '.',
            _ => '\0',
        };
        if (hint == '\0' || tag == StrTag)
        {
            return Resolved.String;
        }

        var word = Word(value);
        if (word is { } known)
        {
            return known;
        }

        switch (hint)
        {
            case '.':
                if (IsGoDotFloat(value) && GoNumbers.TryParseDecimalFloat(WithoutUnderscores(value), out var dotted))
                {
                    return new Resolved(ScalarKind.Float, Float: dotted);
                }

                break;
            case 'D' or 'S':
                if ((tag is null || tag == TimestampTag) && GoTimestamp.IsTimestamp(value))
                {
                    return new Resolved(ScalarKind.Timestamp);
                }

                var plain = WithoutUnderscores(value);
                if (GoNumbers.TryParseInt(plain, 0, out var i))
                {
                    return new Resolved(ScalarKind.Int, Int: i);
                }

                if (GoNumbers.TryParseUint(plain, 0, out var u))
                {
                    return new Resolved(ScalarKind.Uint, Uint: u);
                }

                if (GoNumbers.IsYamlStyleFloat(plain) && GoNumbers.TryParseDecimalFloat(plain, out var f))
                {
                    return new Resolved(ScalarKind.Float, Float: f);
                }

                // go-yaml's own binary handling, older than Go's 0b support. It still matters for odd inputs such
                // as "0b-1", which it reads as -1.
                if (plain.StartsWith("0b", StringComparison.Ordinal))
                {
                    if (GoNumbers.TryParseInt(plain.AsSpan(2), 2, out var b))
                    {
                        return new Resolved(ScalarKind.Int, Int: b);
                    }

                    if (GoNumbers.TryParseUint(plain.AsSpan(2), 2, out var ub))
                    {
                        return new Resolved(ScalarKind.Uint, Uint: ub);
                    }
                }
                else if (plain.StartsWith("-0b", StringComparison.Ordinal)
                    && GoNumbers.TryParseInt(string.Concat("-", plain.AsSpan(3)), 2, out var nb))
                {
                    return new Resolved(ScalarKind.Int, Int: nb);
                }

                break;
        }

        return Resolved.String;
    }

    private static Resolved? Word(string value) => value switch
    {
        "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON"
            => new Resolved(ScalarKind.Bool, Bool: true),
        "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF"
            => new Resolved(ScalarKind.Bool, Bool: false),
        "" or "~" or "null" or "Null" or "NULL" => new Resolved(ScalarKind.Null),
        ".nan" or ".NaN" or ".NAN" => new Resolved(ScalarKind.Float, Float: double.NaN),
        ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" => new Resolved(ScalarKind.Float, Float: double.PositiveInfinity),
        "-.inf" or "-.Inf" or "-.INF" => new Resolved(ScalarKind.Float, Float: double.NegativeInfinity),
        _ => null,
    };

    private static string WithoutUnderscores(string value) =>
        value.Contains('_', StringComparison.Ordinal) ? value.Replace("_", "", StringComparison.Ordinal) : value;

    /// <summary>
    /// What Go's strconv.ParseFloat accepts for text starting with '.': digits (an underscore only between digits),
    /// then an optional exponent.
    /// </summary>
    private static bool IsGoDotFloat(ReadOnlySpan<char> s)
    {
        var i = 1;
        var digits = 0;
        var previous = '.';
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c == '_')
            {
                if (!char.IsAsciiDigit(previous))
                {
                    return false;
                }
            }
            else
            {
                break;
            }

            previous = c;
        }

        if (digits == 0 || previous == '_')
        {
            return false;
        }

        if (i == s.Length)
        {
            return true;
        }

        if (s[i] is not ('e' or 'E'))
        {
            return false;
        }

        i++;
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        if (i >= s.Length || !char.IsAsciiDigit(s[i]))
        {
            return false;
        }

        previous = s[i];
        for (i++; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '_' ? !char.IsAsciiDigit(previous) : !char.IsAsciiDigit(c))
            {
                return false;
            }

            previous = c;
        }

        return previous != '_';
    }

    /// <summary>
    /// YAML 1.1 base-60 floats ("1:30"): go-yaml does not read them as numbers but quotes them when writing so that
    /// YAML 1.1 parsers do not either. Pattern: <c>^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$</c>.
    /// </summary>
    private static bool IsBase60Float(string s)
    {
        if (s.Length == 0 || s[0] is not ('+' or '-' or (>= '0' and <= '9')) || !s.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        var i = s[0] is '+' or '-' ? 1 : 0;
        if (i >= s.Length || !char.IsAsciiDigit(s[i]))
        {
            return false;
        }

        i++;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }

        var groups = 0;
        while (i < s.Length && s[i] == ':')
        {
            i++;
            // [0-5]?[0-9]: one digit, or two where the first is 0-5.
            if (i < s.Length - 1 && s[i] is >= '0' and <= '5' && char.IsAsciiDigit(s[i + 1]))
            {
                i += 2;
            }
            else if (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            else
            {
                return false;
            }

            groups++;
        }

        if (groups == 0)
        {
            return false;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'))
            {
                i++;
            }
        }

        return i == s.Length;
    }
}
