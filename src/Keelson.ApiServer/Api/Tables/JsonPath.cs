using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Api.Tables;

/// <summary>
/// The subset of Kubernetes JSONPath that printer columns use: <c>.a.b</c>, <c>['a.b']</c>, <c>[0]</c>, <c>[*]</c>,
/// <c>..a</c> and filters like <c>[?(@.type=="Ready")]</c> (==, !=, &lt;, &gt;, &lt;=, &gt;=, or existence).
/// Missing keys yield no result rather than an error, as printer columns allow.
/// </summary>
internal sealed class JsonPath
{
    private abstract record Step;

    private sealed record Field(string Name) : Step;

    private sealed record Recursive(string Name) : Step;

    private sealed record Index(int Value) : Step;

    private sealed record Slice(int? Start, int? End) : Step;

    private sealed record Wildcard : Step;

    private sealed record Filter(JsonPath Left, string? Op, JsonNode? Right) : Step;

    private readonly List<Step> _steps;

    private JsonPath(List<Step> steps) => _steps = steps;

    /// <summary>Parses <c>.spec.x</c> or <c>{.spec.x}</c>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static JsonPath Parse(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1].Trim();
        }

        var pos = 0;
        if (text.StartsWith('$'))
        {
            pos = 1;
        }

        var steps = ParseSteps(text, ref pos, stopAtOperator: false);
        if (pos < text.Length)
        {
            throw new FormatException($"unrecognized character in JSONPath {expression} at {pos}");
        }

        return new JsonPath(steps);
    }

    private static List<Step> ParseSteps(string text, ref int pos, bool stopAtOperator)
    {
        var steps = new List<Step>();
        while (pos < text.Length)
        {
            var c = text[pos];
            if (stopAtOperator && (c is ' ' or '=' or '!' or '<' or '>' or ')'))
            {
                break;
            }

            if (c == '.')
            {
                if (pos + 1 < text.Length && text[pos + 1] == '.')
                {
                    pos += 2;
                    steps.Add(new Recursive(ReadName(text, ref pos)));
                    continue;
                }

                pos++;
                if (pos < text.Length && text[pos] == '*')
                {
                    pos++;
                    steps.Add(new Wildcard());
                    continue;
                }

                if (pos >= text.Length || text[pos] is '[' or '.')
                {
                    continue;
                }

                steps.Add(new Field(ReadName(text, ref pos)));
                continue;
            }

            if (c == '[')
            {
                var close = FindClose(text, pos);
                var inner = text[(pos + 1)..close].Trim();
                pos = close + 1;
                steps.Add(ParseBracket(inner));
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                steps.Add(new Field(ReadName(text, ref pos)));
                continue;
            }

            throw new FormatException($"unrecognized character '{c}' in JSONPath {text}");
        }

        return steps;
    }

    private static Step ParseBracket(string inner)
    {
        if (inner == "*")
        {
            return new Wildcard();
        }

        if (inner.StartsWith('\'') || inner.StartsWith('"'))
        {
            return new Field(inner[1..^1]);
        }

        if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var expr = inner[2..^1].Trim();
            if (!expr.StartsWith('@'))
            {
                throw new FormatException($"unsupported filter {inner}");
            }

            var p = 1;
            var left = new JsonPath(ParseSteps(expr, ref p, stopAtOperator: true));
            var rest = expr[p..].Trim();
            if (rest.Length == 0)
            {
                return new Filter(left, null, null);
            }

            string op = rest.StartsWith("==", StringComparison.Ordinal) ? "==" :
                rest.StartsWith("!=", StringComparison.Ordinal) ? "!=" :
                rest.StartsWith("<=", StringComparison.Ordinal) ? "<=" :
                rest.StartsWith(">=", StringComparison.Ordinal) ? ">=" :
                rest.StartsWith('<') ? "<" :
                rest.StartsWith('>') ? ">" : throw new FormatException($"unsupported filter operator in {inner}");
            var literal = rest[op.Length..].Trim();
            JsonNode? right = literal.StartsWith('\'') || literal.StartsWith('"')
                ? JsonValue.Create(literal[1..^1])
                : JsonNode.Parse(literal);
            return new Filter(left, op, right);
        }

        if (inner.Contains(':', StringComparison.Ordinal))
        {
            var parts = inner.Split(':');
            return new Slice(
                parts[0].Length == 0 ? null : int.Parse(parts[0], CultureInfo.InvariantCulture),
                parts[1].Length == 0 ? null : int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        return int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)
            ? new Index(index)
            : new Field(inner);
    }

    private static int FindClose(string text, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new FormatException($"unclosed '[' in JSONPath {text}");
    }

    private static string ReadName(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] is '_' or '-' or '/'))
        {
            pos++;
        }

        if (pos == start)
        {
            throw new FormatException($"expected a field name in JSONPath {text} at {pos}");
        }

        return text[start..pos];
    }

    /// <summary>Every value the path selects, in document order.</summary>
    public List<JsonNode?> Evaluate(JsonNode? root)
    {
        var current = new List<JsonNode?> { root };
        foreach (var step in _steps)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                Apply(step, node, next);
            }

            current = next;
        }

        return current;
    }

    private static void Apply(Step step, JsonNode? node, List<JsonNode?> output)
    {
        switch (step)
        {
            case Field f when node is JsonObject obj && obj.TryGetPropertyValue(f.Name, out var child):
                output.Add(child);
                break;
            case Index i when node is JsonArray array:
                var at = i.Value < 0 ? array.Count + i.Value : i.Value;
                if (at >= 0 && at < array.Count)
                {
                    output.Add(array[at]);
                }

                break;
            case Slice s when node is JsonArray array:
                var from = Math.Clamp(s.Start is { } a ? (a < 0 ? array.Count + a : a) : 0, 0, array.Count);
                var to = Math.Clamp(s.End is { } b ? (b < 0 ? array.Count + b : b) : array.Count, 0, array.Count);
                for (var k = from; k < to; k++)
                {
                    output.Add(array[k]);
                }

                break;
            case Wildcard when node is JsonArray array:
                output.AddRange(array);
                break;
            case Wildcard when node is JsonObject obj:
                output.AddRange(obj.Select(p => p.Value));
                break;
            case Recursive r:
                Descend(node, r.Name, output);
                break;
            case Filter f when node is JsonArray array:
                foreach (var item in array)
                {
                    if (Passes(f, item))
                    {
                        output.Add(item);
                    }
                }

                break;
        }
    }

    private static void Descend(JsonNode? node, string name, List<JsonNode?> output)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.TryGetPropertyValue(name, out var hit))
                {
                    output.Add(hit);
                }

                foreach (var (_, child) in obj)
                {
                    Descend(child, name, output);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Descend(child, name, output);
                }

                break;
        }
    }

    private static bool Passes(Filter f, JsonNode? item)
    {
        var values = f.Left.Evaluate(item);
        if (f.Op is null)
        {
            return values.Count > 0 && values[0] is not null;
        }

        if (values.Count == 0)
        {
            return false;
        }

        var left = values[0];
        if (f.Op is "==" or "!=")
        {
            var equal = JsonNode.DeepEquals(left, f.Right) || (left is JsonValue && f.Right is JsonValue && Text(left) == Text(f.Right));
            return f.Op == "==" ? equal : !equal;
        }

        if (!double.TryParse(Text(left), NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ||
            !double.TryParse(Text(f.Right), NumberStyles.Float, CultureInfo.InvariantCulture, out var r))
        {
            return false;
        }

        return f.Op switch
        {
            "<" => l < r,
            ">" => l > r,
            "<=" => l <= r,
            _ => l >= r,
        };
    }

    /// <summary>How JSONPath prints a value: strings bare, scalars as text, maps and lists as compact JSON.</summary>
    public static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
