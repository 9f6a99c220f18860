using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Runtime;

/// <summary>One entry of status.conditions (metav1.Condition).</summary>
public sealed record Condition
{
    public required string Type { get; init; }

    /// <summary>"True", "False" or "Unknown" (see <see cref="ConditionStatus"/>).</summary>
    public required string Status { get; init; }

    public string Reason { get; init; } = "";

    public string Message { get; init; } = "";

    /// <summary>The metadata.generation this condition was computed for.</summary>
    public long? ObservedGeneration { get; init; }

    public DateTimeOffset? LastTransitionTime { get; init; }

    public bool IsTrue => Status == ConditionStatus.True;
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

/// <summary>
/// Reads and writes status.conditions of unstructured objects in the kstatus convention: <c>Ready</c> is a
/// normal-true condition; <c>Reconciling</c> and <c>Stalled</c> are abnormal-true and are removed rather than set
/// to False. lastTransitionTime changes only when the status changes.
/// </summary>
public static class Conditions
{
    public const string Ready = "Ready";
    public const string Reconciling = "Reconciling";
    public const string Stalled = "Stalled";

    public static IReadOnlyList<Condition> GetAll(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return List(obj, create: false)?.OfType<JsonObject>().Select(Read).OfType<Condition>().ToList() ?? [];
    }

    public static Condition? Get(JsonObject obj, string type) => GetAll(obj).FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(JsonObject obj, string type) => Get(obj, type)?.IsTrue ?? false;

    /// <summary>
    /// Sets a condition. lastTransitionTime becomes <paramref name="now"/> when the condition is new or its status
    /// changed, and is kept otherwise. observedGeneration defaults to metadata.generation. Returns whether anything changed.
    /// </summary>
    public static bool Set(JsonObject obj, Condition condition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(condition);
        var generation = condition.ObservedGeneration ?? obj.GetGeneration();
        var list = List(obj, create: true)!;
        var existing = list.OfType<JsonObject>().FirstOrDefault(c => Json.String(c, "type") == condition.Type);
        var old = existing is null ? null : Read(existing);
        var transition = old is not null && old.Status == condition.Status && old.LastTransitionTime is { } kept ? kept : now;
        var updated = condition with { ObservedGeneration = generation, LastTransitionTime = transition };
        if (old is not null && old == updated)
        {
            return false;
        }

        var node = Write(updated);
        if (existing is null)
        {
            list.Add(node);
        }
        else
        {
            list[list.IndexOf(existing)] = node;
        }

        return true;
    }

    public static bool Set(JsonObject obj, string type, string status, string reason, string message, DateTimeOffset now) =>
        Set(obj, new Condition { Type = type, Status = status, Reason = reason, Message = message }, now);

    public static bool Remove(JsonObject obj, string type)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (List(obj, create: false) is not { } list)
        {
            return false;
        }

        var found = list.OfType<JsonObject>().FirstOrDefault(c => Json.String(c, "type") == type);
        return found is not null && list.Remove(found);
    }

    /// <summary>Work in progress: Reconciling=True, Ready=Unknown, Stalled removed.</summary>
    public static bool MarkReconciling(JsonObject obj, string reason, string message, DateTimeOffset now)
    {
        var changed = Set(obj, Reconciling, ConditionStatus.True, reason, message, now);
        changed |= Set(obj, Ready, ConditionStatus.Unknown, reason, message, now);
        return Remove(obj, Stalled) | changed;
    }

    /// <summary>Cannot make progress without outside help: Stalled=True, Ready=False, Reconciling removed.</summary>
    public static bool MarkStalled(JsonObject obj, string reason, string message, DateTimeOffset now)
    {
        var changed = Set(obj, Stalled, ConditionStatus.True, reason, message, now);
        changed |= Set(obj, Ready, ConditionStatus.False, reason, message, now);
        return Remove(obj, Reconciling) | changed;
    }

    /// <summary>Done and healthy: Ready=True, Reconciling and Stalled removed.</summary>
    public static bool MarkReady(JsonObject obj, string reason, string message, DateTimeOffset now)
    {
        var changed = Set(obj, Ready, ConditionStatus.True, reason, message, now);
        changed |= Remove(obj, Reconciling);
        return Remove(obj, Stalled) | changed;
    }

    /// <summary>Failed but will retry: Ready=False, Reconciling and Stalled removed.</summary>
    public static bool MarkNotReady(JsonObject obj, string reason, string message, DateTimeOffset now)
    {
        var changed = Set(obj, Ready, ConditionStatus.False, reason, message, now);
        changed |= Remove(obj, Reconciling);
        return Remove(obj, Stalled) | changed;
    }

    /// <summary>Sets status.observedGeneration to metadata.generation (or the given value).</summary>
    public static void SetObservedGeneration(JsonObject obj, long? generation = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if ((generation ?? obj.GetGeneration()) is { } g)
        {
            Json.Ensure(obj, "status")["observedGeneration"] = g;
        }
    }

    private static JsonArray? List(JsonObject obj, bool create)
    {
        if (!create)
        {
            return Json.Array(Json.Object(obj, "status"), "conditions");
        }

        var status = Json.Ensure(obj, "status");
        if (status["conditions"] is JsonArray list)
        {
            return list;
        }

        var created = new JsonArray();
        status["conditions"] = created;
        return created;
    }

    private static Condition? Read(JsonObject node)
    {
        var type = Json.String(node, "type");
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        return new Condition
        {
            Type = type,
            Status = Json.String(node, "status") ?? ConditionStatus.Unknown,
            Reason = Json.String(node, "reason") ?? "",
            Message = Json.String(node, "message") ?? "",
            ObservedGeneration = Json.Long(node, "observedGeneration"),
            LastTransitionTime = KubeTime.Parse(Json.String(node, "lastTransitionTime")),
        };
    }

    private static JsonObject Write(Condition c)
    {
        var node = new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = c.Status,
        };
        if (c.ObservedGeneration is { } g)
        {
            node["observedGeneration"] = g;
        }

        node["lastTransitionTime"] = KubeTime.Format(c.LastTransitionTime ?? DateTimeOffset.UnixEpoch);
        node["reason"] = c.Reason;
        node["message"] = c.Message;
        return node;
    }
}
