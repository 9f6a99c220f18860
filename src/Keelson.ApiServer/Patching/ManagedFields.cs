using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>One manager's entry in <c>metadata.managedFields</c>.</summary>
internal sealed class ManagedEntry
{
    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public required string ApiVersion { get; set; }

    public string? Subresource { get; init; }

    public DateTimeOffset? Time { get; set; }

    public required FieldSet Set { get; set; }

    public bool Applied => Operation == ManagedFields.Apply;

    /// <summary>
    /// What makes two entries the same manager, as the apiserver's BuildManagerIdentifier: the entry without its fields,
    /// fieldsType and time — and without the API version for appliers, so an applier keeps one entry across versions.
    /// </summary>
    public string Id => ManagedFields.Identifier(Manager, Operation, Applied ? null : ApiVersion, Subresource);

    public ManagedEntry With(FieldSet set) => new()
    {
        Manager = Manager,
        Operation = Operation,
        ApiVersion = ApiVersion,
        Subresource = Subresource,
        Time = Time,
        Set = set,
    };
}

/// <summary>Reading and writing <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public static string Identifier(string manager, string operation, string? apiVersion, string? subresource)
    {
        // The JSON of a ManagedFieldsEntry with only these fields set, in Go's field order.
        var sb = new StringBuilder("{");
        var first = true;
        void Field(string name, string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            GoFormat.WriteJsonString(sb, name);
            sb.Append(':');
            GoFormat.WriteJsonString(sb, value);
        }

        Field("manager", manager);
        Field("operation", operation);
        Field("apiVersion", apiVersion);
        Field("subresource", subresource);
        return sb.Append('}').ToString();
    }

    /// <summary>Decodes the entries; a malformed entry throws <see cref="FormatException"/> saying which and why.</summary>
    public static Dictionary<string, ManagedEntry> Decode(JsonNode? managedFields, Func<JsonNode?, FieldSet>? parse = null)
    {
        parse ??= FieldSet.FromFieldsV1;
        var result = new Dictionary<string, ManagedEntry>(StringComparer.Ordinal);
        if (managedFields is null)
        {
            return result;
        }

        if (managedFields is not JsonArray entries)
        {
            throw new FormatException("metadata.managedFields must be a list");
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
            {
                throw new FormatException($"managed fields entry {i} must be an object");
            }

            var operation = Text(entry, "operation");
            if (operation is not (Apply or Update))
            {
                throw new FormatException("operation must be `Apply` or `Update`");
            }

            var apiVersion = Text(entry, "apiVersion");
            if (string.IsNullOrEmpty(apiVersion))
            {
                throw new FormatException("apiVersion must not be empty");
            }

            switch (Text(entry, "fieldsType"))
            {
                case "FieldsV1":
                    break;
                case null or "":
                    throw new FormatException($"missing fieldsType in managed fields entry {i}");
                case var other:
                    throw new FormatException($"invalid fieldsType \"{other}\" in managed fields entry {i}");
            }

            DateTimeOffset? time = null;
            if (Text(entry, "time") is { Length: > 0 } timeText)
            {
                if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    throw new FormatException($"invalid time \"{timeText}\" in managed fields entry {i}");
                }

                time = parsed;
            }

            var decoded = new ManagedEntry
            {
                Manager = Text(entry, "manager") ?? "",
                Operation = operation,
                ApiVersion = apiVersion,
                Subresource = Text(entry, "subresource") is { Length: > 0 } sub ? sub : null,
                Time = time,
                Set = parse(entry["fieldsV1"]),
            };
            result[decoded.Id] = decoded;
        }

        return result;
    }

    /// <summary>True for the two forms that reset managedFields on a non-apply write: <c>[]</c> and <c>[{}]</c>.</summary>
    public static bool IsReset(JsonObject obj, out bool present)
    {
        present = false;
        if (obj["metadata"] is not JsonObject meta || !meta.TryGetPropertyValue("managedFields", out var value) || value is null)
        {
            return false;
        }

        present = true;
        return value is JsonArray entries && (entries.Count == 0 || (entries.Count == 1 && entries[0] is JsonObject { Count: 0 }));
    }

    public static JsonArray Encode(IEnumerable<ManagedEntry> entries, Func<FieldSet, JsonObject>? encodeFields = null)
    {
        encodeFields ??= set => set.ToFieldsV1();
        var sorted = entries.ToList();
        sorted.Sort((p, q) =>
        {
            var c = string.CompareOrdinal(p.Operation, q.Operation);
            if (c != 0)
            {
                return c;
            }

            c = Seconds(p.Time).CompareTo(Seconds(q.Time));
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(p.Manager, q.Manager);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(p.ApiVersion, q.ApiVersion);
            return c != 0 ? c : string.CompareOrdinal(p.Subresource ?? "", q.Subresource ?? "");
        });

        var array = new JsonArray();
        foreach (var entry in sorted)
        {
            var obj = new JsonObject();
            if (entry.Manager.Length > 0)
            {
                obj["manager"] = entry.Manager;
            }

            obj["operation"] = entry.Operation;
            obj["apiVersion"] = entry.ApiVersion;
            if (entry.Time is { } time)
            {
                obj["time"] = FormatTime(time);
            }

            obj["fieldsType"] = "FieldsV1";
            obj["fieldsV1"] = encodeFields(entry.Set);
            if (entry.Subresource is not null)
            {
                obj["subresource"] = entry.Subresource;
            }

            array.Add(obj);
        }

        return array;
    }

    /// <summary>metav1.Time: RFC 3339 in UTC, whole seconds.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static long Seconds(DateTimeOffset? time) => time?.ToUnixTimeSeconds() ?? 0;

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
