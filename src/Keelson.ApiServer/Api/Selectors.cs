using System.Globalization;
using System.Text;

namespace Keelson.ApiServer.Api;

/// <summary>
/// A parsed label selector (<c>a=b,c!=d,e in (f,g),h notin (i),j,!k,l&gt;1</c>), matching the Kubernetes syntax.
/// </summary>
internal sealed class LabelSelector
{
    private enum Op
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>The value a selector pins a label to (<c>a=b</c>), used to narrow namespace and name lookups.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var ok = r.Op switch
            {
                Op.Equals => has && value == r.Values[0],
                Op.NotEquals => !has || value != r.Values[0],
                Op.In => has && r.Values.Contains(value!),
                Op.NotIn => !has || !r.Values.Contains(value!),
                Op.Exists => has,
                Op.DoesNotExist => !has,
                Op.GreaterThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var g) && g > long.Parse(r.Values[0], CultureInfo.InvariantCulture),
                Op.LessThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l < long.Parse(r.Values[0], CultureInfo.InvariantCulture),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a selector; throws <see cref="ApiException"/> (400) for malformed input.</summary>
    public static LabelSelector Parse(string? text)
    {
        var requirements = new List<Requirement>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new LabelSelector(requirements);
        }

        var pos = 0;
        while (true)
        {
            SkipSpace(text, ref pos);
            if (pos >= text.Length)
            {
                break;
            }

            requirements.Add(ParseRequirement(text, ref pos));
            SkipSpace(text, ref pos);
            if (pos >= text.Length)
            {
                break;
            }

            if (text[pos] != ',')
            {
                throw Error(text, $"found '{text[pos]}', expected: ',' or 'end of string'");
            }

            pos++;
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Builds a selector from a LabelSelector object (<c>matchLabels</c>/<c>matchExpressions</c>).</summary>
    public static LabelSelector FromObject(System.Text.Json.Nodes.JsonObject? selector)
    {
        var requirements = new List<Requirement>();
        if (selector?["matchLabels"] is System.Text.Json.Nodes.JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                requirements.Add(new Requirement(k, Op.Equals, [v?.ToString() ?? ""]));
            }
        }

        if (selector?["matchExpressions"] is System.Text.Json.Nodes.JsonArray expressions)
        {
            foreach (var e in expressions.OfType<System.Text.Json.Nodes.JsonObject>())
            {
                var values = e["values"] is System.Text.Json.Nodes.JsonArray vs ? vs.Select(v => v?.ToString() ?? "").ToList() : [];
                var op = (string?)e["operator"] switch
                {
                    "In" => Op.In,
                    "NotIn" => Op.NotIn,
                    "Exists" => Op.Exists,
                    _ => Op.DoesNotExist,
                };
                requirements.Add(new Requirement((string?)e["key"] ?? "", op, values));
            }
        }

        return new LabelSelector(requirements);
    }

    public override string ToString()
    {
        var parts = new List<string>();
        foreach (var r in _requirements)
        {
            parts.Add(r.Op switch
            {
                Op.Equals => $"{r.Key}={r.Values[0]}",
                Op.NotEquals => $"{r.Key}!={r.Values[0]}",
                Op.In => $"{r.Key} in ({string.Join(",", r.Values.Order(StringComparer.Ordinal))})",
                Op.NotIn => $"{r.Key} notin ({string.Join(",", r.Values.Order(StringComparer.Ordinal))})",
                Op.Exists => r.Key,
                Op.DoesNotExist => "!" + r.Key,
                Op.GreaterThan => $"{r.Key}>{r.Values[0]}",
                _ => $"{r.Key}<{r.Values[0]}",
            });
        }

        return string.Join(",", parts);
    }

    private static Requirement ParseRequirement(string text, ref int pos)
    {
        if (text[pos] == '!')
        {
            pos++;
            SkipSpace(text, ref pos);
            var negated = ReadKey(text, ref pos);
            return new Requirement(negated, Op.DoesNotExist, []);
        }

        var key = ReadKey(text, ref pos);
        SkipSpace(text, ref pos);
        if (pos >= text.Length || text[pos] == ',')
        {
            return new Requirement(key, Op.Exists, []);
        }

        if (Match(text, ref pos, "==") || Match(text, ref pos, "="))
        {
            return new Requirement(key, Op.Equals, [ReadValue(text, ref pos)]);
        }

        if (Match(text, ref pos, "!="))
        {
            return new Requirement(key, Op.NotEquals, [ReadValue(text, ref pos)]);
        }

        if (Match(text, ref pos, ">") || Match(text, ref pos, "<"))
        {
            var op = text[pos - 1] == '>' ? Op.GreaterThan : Op.LessThan;
            var value = ReadValue(text, ref pos);
            if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                throw Error(text, $"for 'Gt', 'Lt' operators, the value must be an integer");
            }

            return new Requirement(key, op, [value]);
        }

        if (MatchWord(text, ref pos, "notin"))
        {
            return new Requirement(key, Op.NotIn, ReadSet(text, ref pos));
        }

        if (MatchWord(text, ref pos, "in"))
        {
            return new Requirement(key, Op.In, ReadSet(text, ref pos));
        }

        throw Error(text, $"found '{text[pos..]}', expected: in, notin, =, ==, !=, gt, lt");
    }

    private static List<string> ReadSet(string text, ref int pos)
    {
        SkipSpace(text, ref pos);
        if (pos >= text.Length || text[pos] != '(')
        {
            throw Error(text, "found end of string, expected: '('");
        }

        pos++;
        var values = new List<string>();
        while (true)
        {
            SkipSpace(text, ref pos);
            values.Add(ReadValue(text, ref pos));
            SkipSpace(text, ref pos);
            if (pos >= text.Length)
            {
                throw Error(text, "found end of string, expected: ')'");
            }

            if (text[pos] == ')')
            {
                pos++;
                return values;
            }

            if (text[pos] != ',')
            {
                throw Error(text, $"found '{text[pos]}', expected: ',' or ')'");
            }

            pos++;
        }
    }

    private static string ReadKey(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && IsKeyChar(text[pos]))
        {
            pos++;
        }

        var key = text[start..pos];
        if (key.Length == 0)
        {
            throw Error(text, $"found '{(pos < text.Length ? text[pos..] : "end of string")}', expected: identifier");
        }

        var name = key.Contains('/', StringComparison.Ordinal) ? key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..] : key;
        if (name.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            throw Error(text, $"invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }

        return key;
    }

    private static string ReadValue(string text, ref int pos)
    {
        SkipSpace(text, ref pos);
        var start = pos;
        while (pos < text.Length && IsKeyChar(text[pos]) && text[pos] != '/')
        {
            pos++;
        }

        var value = text[start..pos];
        if (value.Length > 63 || (value.Length > 0 && (!char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))))
        {
            throw Error(text, $"invalid label value: \"{value}\": at key: must be no more than 63 characters and consist of alphanumeric characters, '-', '_' or '.'");
        }

        return value;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/';

    private static bool Match(string text, ref int pos, string token)
    {
        if (string.CompareOrdinal(text, pos, token, 0, token.Length) == 0)
        {
            pos += token.Length;
            return true;
        }

        return false;
    }

    private static bool MatchWord(string text, ref int pos, string word)
    {
        var save = pos;
        if (Match(text, ref pos, word) && (pos >= text.Length || text[pos] is ' ' or '('))
        {
            return true;
        }

        pos = save;
        return false;
    }

    private static void SkipSpace(string text, ref int pos)
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }
    }

    private static ApiException Error(string text, string detail) =>
        ApiException.BadRequest($"unable to parse requirement: {detail} in selector {FormatQuoted(text)}");

    private static string FormatQuoted(string text) => "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>A parsed field selector (<c>a=b,c!=d</c>); which fields exist depends on the kind.</summary>
internal sealed class FieldSelector
{
    private FieldSelector(List<(string Field, bool Equal, string Value)> terms) => Terms = terms;

    public IReadOnlyList<(string Field, bool Equal, string Value)> Terms { get; }

    public bool IsEmpty => Terms.Count == 0;

    /// <summary>The value of <c>metadata.name=</c>, when the selector pins one (a get-style watch).</summary>
    public string? ExactName => Terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    public string? ExactNamespace => Terms.FirstOrDefault(t => t.Field == "metadata.namespace" && t.Equal).Value;

    public static FieldSelector Parse(string? text)
    {
        var terms = new List<(string, bool, string)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new FieldSelector(terms);
        }

        foreach (var part in SplitUnescaped(text, ','))
        {
            var trimmed = part.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            int at;
            bool equal;
            int width;
            if ((at = IndexUnescaped(trimmed, "!=")) >= 0)
            {
                equal = false;
                width = 2;
            }
            else if ((at = IndexUnescaped(trimmed, "==")) >= 0)
            {
                equal = true;
                width = 2;
            }
            else if ((at = IndexUnescaped(trimmed, "=")) >= 0)
            {
                equal = true;
                width = 1;
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{trimmed}'");
            }

            terms.Add((trimmed[..at].Trim(), equal, Unescape(trimmed[(at + width)..].Trim())));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(Func<string, string?> value)
    {
        foreach (var (field, equal, expected) in Terms)
        {
            var actual = value(field) ?? "";
            if ((actual == expected) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                sb.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else if (text[i] == separator)
            {
                yield return sb.ToString();
                sb.Clear();
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        yield return sb.ToString();
    }

    private static int IndexUnescaped(string text, string token)
    {
        for (var i = 0; i <= text.Length - token.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }
}
