using System.Globalization;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Api.Tables;

/// <summary>Cell formatting shared by the built-in table columns, following kubectl's printers.</summary>
internal static class Cells
{
    /// <summary>Age like kubectl prints it (<c>5s</c>, <c>2m3s</c>, <c>4h</c>, <c>3d12h</c>).</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{days}d";
        }

        return $"{hours / 24 / 365}y";
    }

    public static string Since(string? timestamp, DateTimeOffset now) =>
        JsonHelpers.ParseTime(timestamp) is { } t ? HumanDuration(now - t) : "<unknown>";

    public static string Age(JsonObject obj, DateTimeOffset now) => Since(obj.Obj("metadata").Str("creationTimestamp"), now);

    public static string CreatedAt(JsonObject obj) =>
        JsonHelpers.ParseTime(obj.Obj("metadata").Str("creationTimestamp")) is { } t ? JsonHelpers.Rfc3339(t) : "<unknown>";

    public static long Count(JsonNode? node) => node switch
    {
        JsonObject o => o.Count,
        JsonArray a => a.Count,
        _ => 0,
    };

    public static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;

    public static string Selector(JsonObject? selector)
    {
        if (selector is null)
        {
            return "<none>";
        }

        var text = LabelSelector.FromObject(selector).ToString();
        return text.Length == 0 ? "<none>" : text;
    }

    public static string MapSelector(JsonObject? map)
    {
        if (map is null || map.Count == 0)
        {
            return "<none>";
        }

        return string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.AsString()}"));
    }

    public static string Containers(JsonObject? podSpec) =>
        string.Join(",", podSpec.Arr("containers").Objects().Select(c => c.Str("name") ?? ""));

    public static string Images(JsonObject? podSpec) =>
        string.Join(",", podSpec.Arr("containers").Objects().Select(c => c.Str("image") ?? ""));

    public static JsonNode Int(long? value) => JsonValue.Create(value ?? 0);

    public static string Num(long? value) => (value ?? 0).ToString(CultureInfo.InvariantCulture);
}
