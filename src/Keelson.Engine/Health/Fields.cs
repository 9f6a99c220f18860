using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// Reads status fields of live objects. A field that is absent reads as null; a field that is present with the wrong
/// type throws <see cref="UnreadableStatusException"/>, which the assessor turns into Unknown rather than guessing.
/// </summary>
internal static class Fields
{
    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static long? Int(JsonNode? root, params ReadOnlySpan<string> path)
    {
        var node = At(root, path);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            if (value.TryGetValue<long>(out var l))
            {
                return l;
            }

            if (value.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue)
            {
                return (long)d;
            }
        }

        throw new UnreadableStatusException(Describe(path), "an integer");
    }

    public static string? Str(JsonNode? root, params ReadOnlySpan<string> path)
    {
        var node = At(root, path);
        return node switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw new UnreadableStatusException(Describe(path), "a string"),
        };
    }

    public static bool Bool(JsonNode? root, params ReadOnlySpan<string> path)
    {
        var node = At(root, path);
        return node switch
        {
            null => false,
            JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            _ => throw new UnreadableStatusException(Describe(path), "a boolean"),
        };
    }

    public static JsonArray? Array(JsonNode? root, params ReadOnlySpan<string> path)
    {
        var node = At(root, path);
        return node switch
        {
            null => null,
            JsonArray a => a,
            _ => throw new UnreadableStatusException(Describe(path), "a list"),
        };
    }

    public static DateTimeOffset? Time(JsonNode? root, params ReadOnlySpan<string> path)
    {
        var text = Str(root, path);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new UnreadableStatusException(Describe(path), "an RFC 3339 time");
    }

    /// <summary>The entries of status.conditions that are objects with a type (anything else is ignored, as kubectl does).</summary>
    public static IEnumerable<Condition> Conditions(JsonObject obj)
    {
        var list = Array(obj, "status", "conditions");
        if (list is null)
        {
            yield break;
        }

        foreach (var item in list)
        {
            if (item is JsonObject c && Str(c, "type") is { } type)
            {
                yield return new Condition(type, Str(c, "status") ?? "Unknown", Str(c, "reason"), Str(c, "message"), Time(c, "lastTransitionTime"));
            }
        }
    }

    public static Condition? Condition(JsonObject obj, string type) =>
        Conditions(obj).FirstOrDefault(c => c.Type == type);

    private static string Describe(ReadOnlySpan<string> path) => string.Join('.', path.ToArray());
}

internal sealed record Condition(string Type, string Status, string? Reason, string? Message, DateTimeOffset? LastTransition)
{
    public bool IsTrue => Status == "True";

    public bool IsFalse => Status == "False";

    /// <summary>"reason: message", or whichever of the two is present.</summary>
    public string Describe(string fallback)
    {
        var message = string.IsNullOrWhiteSpace(Message) ? null : Message.Trim();
        var reason = string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim();
        return (reason, message) switch
        {
            (not null, not null) => $"{reason}: {message}",
            (null, not null) => message,
            (not null, null) => reason,
            _ => fallback,
        };
    }
}

internal sealed class UnreadableStatusException(string field, string expected)
    : Exception($"Cannot read {field}: expected {expected}");
