using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;

namespace Keelson.Operator.Applications;

/// <summary>Values of <c>status.sync.status</c>.</summary>
internal static class SyncCodes
{
    public const string Synced = "Synced";
    public const string OutOfSync = "OutOfSync";
    public const string Unknown = "Unknown";
}

/// <summary>Values of <c>status.operationState.phase</c> (Argo CD's).</summary>
internal static class OperationPhases
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Error = "Error";
}

/// <summary>Keelson's own condition types, beside kstatus' Ready, Reconciling and Stalled.</summary>
internal static class ConditionTypes
{
    /// <summary>The desired state could not be computed (source, render or diff failed).</summary>
    public const string ComparisonError = "ComparisonError";

    /// <summary>The last sync failed to apply or prune.</summary>
    public const string SyncError = "SyncError";

    /// <summary>The spec cannot be acted on.</summary>
    public const string InvalidSpecError = "InvalidSpecError";

    /// <summary>Some rendered objects belong to another Application and are left to it (Argo CD's name for it).</summary>
    public const string SharedResourceWarning = "SharedResourceWarning";
}

/// <summary>
/// The status Keelson writes on an Application. It is rebuilt from scratch on every reconcile and written only when it
/// differs from what is stored (<see cref="ApplicationStatusWriter"/>); see <see cref="ReconciledAt"/> for the one
/// field that would otherwise change every time.
/// </summary>
internal sealed record ApplicationStatus
{
    public long? ObservedGeneration { get; init; }

    /// <summary>
    /// When the reconcile that produced the current status content ran. A reconcile that finds nothing different does
    /// not move it (a steady state makes no writes); the last check of every Application is the
    /// <c>keelson_application_last_check_timestamp_seconds</c> metric.
    /// </summary>
    public DateTimeOffset? ReconciledAt { get; init; }

    /// <summary>One line for <c>kubectl get applications -o wide</c>.</summary>
    public string? Message { get; init; }

    public string SyncStatus { get; init; } = SyncCodes.Unknown;

    /// <summary>The commit SHA compared against (or being synced).</summary>
    public string? Revision { get; init; }

    public string HealthStatus { get; init; } = "Unknown";

    public string? HealthMessage { get; init; }

    /// <summary>Directory, Kustomize or Helm.</summary>
    public string? SourceType { get; init; }

    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    /// <summary>Per-object status, capped (see <see cref="Summary"/> for the full counts).</summary>
    public IReadOnlyList<ResourceStatus> Resources { get; init; } = [];

    public ResourceSummary? Summary { get; init; }

    /// <summary>Every object this Application applied and still owns, for pruning; never capped.</summary>
    public IReadOnlyList<InventoryItem> Inventory { get; init; } = [];

    public OperationState? Operation { get; init; }

    /// <summary>The last synced revisions, oldest first, at most <see cref="HistoryLimit"/>.</summary>
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    /// <summary>The last value of <c>keelson.dev/refresh</c> acted on.</summary>
    public string? LastHandledRefresh { get; init; }

    /// <summary>The last value of <c>keelson.dev/sync</c> acted on.</summary>
    public string? LastHandledSync { get; init; }

    public const int HistoryLimit = 10;

    public static string ShortRevision(string? revision) => revision is { Length: > 7 } r ? r[..7] : revision ?? "";

    public JsonObject ToJson()
    {
        var status = new JsonObject();
        if (ObservedGeneration is { } g)
        {
            status["observedGeneration"] = g;
        }

        status.PutTime("reconciledAt", ReconciledAt);
        status.PutString("message", Message);
        var sync = new JsonObject { ["status"] = SyncStatus };
        sync.PutString("revision", Revision);
        sync.PutString("shortRevision", ShortRevision(Revision));
        status["sync"] = sync;
        status["health"] = new JsonObject { ["status"] = HealthStatus }.PutString("message", HealthMessage);
        status.PutString("sourceType", SourceType);
        if (Conditions.Count > 0)
        {
            status["conditions"] = new JsonArray([.. Conditions.Select(WriteCondition)]);
        }

        if (Resources.Count > 0)
        {
            status["resources"] = new JsonArray([.. Resources.Select(r => r.ToJson())]);
        }

        status.Put("summary", Summary?.ToJson());
        if (Inventory.Count > 0)
        {
            status["inventory"] = new JsonArray([.. Inventory.Select(i => (JsonNode)new JsonObject { ["id"] = i.Id, ["v"] = i.Version })]);
        }

        status.Put("operationState", Operation?.ToJson());
        if (History.Count > 0)
        {
            status["history"] = new JsonArray([.. History.Select(h => h.ToJson())]);
        }

        status.PutString("lastHandledRefresh", LastHandledRefresh);
        status.PutString("lastHandledSync", LastHandledSync);
        return status;
    }

    /// <summary>Reads a stored status; anything unreadable is treated as absent.</summary>
    public static ApplicationStatus FromObject(JsonObject application)
    {
        ArgumentNullException.ThrowIfNull(application);
        var status = JsonRead.Object(application, "status");
        if (status is null)
        {
            return new ApplicationStatus();
        }

        var sync = JsonRead.Object(status, "sync");
        var health = JsonRead.Object(status, "health");
        return new ApplicationStatus
        {
            ObservedGeneration = JsonRead.Long(status, "observedGeneration"),
            ReconciledAt = JsonRead.Time(status, "reconciledAt"),
            Message = JsonRead.String(status, "message"),
            SyncStatus = JsonRead.String(sync, "status") ?? SyncCodes.Unknown,
            Revision = JsonRead.String(sync, "revision"),
            HealthStatus = JsonRead.String(health, "status") ?? "Unknown",
            HealthMessage = JsonRead.String(health, "message"),
            SourceType = JsonRead.String(status, "sourceType"),
            Conditions = Kubernetes.Runtime.Conditions.GetAll(application),
            Resources = Items(status, "resources", ResourceStatus.FromJson),
            Summary = JsonRead.Object(status, "summary") is { } s ? ResourceSummary.FromJson(s) : null,
            Inventory = Items(status, "inventory", i => JsonRead.String(i, "id") is { Length: > 0 } id ? new InventoryItem(id, JsonRead.String(i, "v") ?? "") : null),
            Operation = JsonRead.Object(status, "operationState") is { } op ? OperationState.FromJson(op) : null,
            History = Items(status, "history", HistoryEntry.FromJson),
            LastHandledRefresh = JsonRead.String(status, "lastHandledRefresh"),
            LastHandledSync = JsonRead.String(status, "lastHandledSync"),
        };
    }

    internal static JsonNode WriteCondition(Condition c)
    {
        var node = new JsonObject { ["type"] = c.Type, ["status"] = c.Status };
        if (c.ObservedGeneration is { } g)
        {
            node["observedGeneration"] = g;
        }

        node["lastTransitionTime"] = KubeTime.Format(c.LastTransitionTime ?? DateTimeOffset.UnixEpoch);
        node["reason"] = c.Reason;
        node["message"] = c.Message;
        return node;
    }

    private static List<T> Items<T>(JsonObject status, string name, Func<JsonObject, T?> read)
        where T : class =>
        JsonRead.Array(status, name)?.OfType<JsonObject>().Select(read).OfType<T>().ToList() ?? [];
}

/// <summary>One entry of <c>status.inventory</c>: Flux's id <c>namespace_name_group_Kind</c> and the API version applied.</summary>
internal sealed record InventoryItem(string Id, string Version);

/// <summary>One entry of <c>status.resources</c>.</summary>
internal sealed record ResourceStatus
{
    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public required string Kind { get; init; }

    public string? Namespace { get; init; }

    public required string Name { get; init; }

    public string Status { get; init; } = SyncCodes.Unknown;

    public bool RequiresPruning { get; init; }

    public string? Health { get; init; }

    public string? HealthMessage { get; init; }

    public bool IsProblem => Status != SyncCodes.Synced || RequiresPruning || Health is not (null or "Healthy" or "Suspended");

    public JsonNode ToJson()
    {
        var node = new JsonObject { ["group"] = Group, ["version"] = Version, ["kind"] = Kind };
        node.PutString("namespace", Namespace);
        node["name"] = Name;
        node["status"] = Status;
        if (RequiresPruning)
        {
            node["requiresPruning"] = true;
        }

        if (Health is not null)
        {
            node["health"] = new JsonObject { ["status"] = Health }.PutString("message", HealthMessage);
        }

        return node;
    }

    public static ResourceStatus? FromJson(JsonObject node) =>
        JsonRead.String(node, "kind") is { } kind && JsonRead.String(node, "name") is { } name
            ? new ResourceStatus
            {
                Group = JsonRead.String(node, "group") ?? "",
                Version = JsonRead.String(node, "version") ?? "",
                Kind = kind,
                Namespace = JsonRead.String(node, "namespace"),
                Name = name,
                Status = JsonRead.String(node, "status") ?? SyncCodes.Unknown,
                RequiresPruning = JsonRead.Bool(node, "requiresPruning") ?? false,
                Health = JsonRead.String(JsonRead.Object(node, "health"), "status"),
                HealthMessage = JsonRead.String(JsonRead.Object(node, "health"), "message"),
            }
            : null;
}

/// <summary>
/// Counts over every object of the Application, kept because <c>status.resources</c> is capped: a large app must not
/// push the object past etcd's size limit.
/// </summary>
internal sealed record ResourceSummary(int Total, int Shown, int OutOfSync, int RequiresPruning, int Unhealthy)
{
    public JsonNode ToJson() => new JsonObject
    {
        ["total"] = Total,
        ["shown"] = Shown,
        ["outOfSync"] = OutOfSync,
        ["requiresPruning"] = RequiresPruning,
        ["unhealthy"] = Unhealthy,
    };

    public static ResourceSummary FromJson(JsonObject node) => new(
        (int)(JsonRead.Long(node, "total") ?? 0),
        (int)(JsonRead.Long(node, "shown") ?? 0),
        (int)(JsonRead.Long(node, "outOfSync") ?? 0),
        (int)(JsonRead.Long(node, "requiresPruning") ?? 0),
        (int)(JsonRead.Long(node, "unhealthy") ?? 0));
}

/// <summary>One object's outcome in the last sync (<c>status.operationState.syncResult.resources</c>).</summary>
internal sealed record ResourceResult(string Group, string Version, string Kind, string? Namespace, string Name, string Action, string? Message)
{
    public JsonNode ToJson() => new JsonObject { ["group"] = Group, ["version"] = Version, ["kind"] = Kind }
        .PutString("namespace", Namespace)
        .Put("name", JsonValue.Create(Name))
        .Put("action", JsonValue.Create(Action))
        .PutString("message", Message);

    public static ResourceResult? FromJson(JsonObject node) =>
        JsonRead.String(node, "kind") is { } kind && JsonRead.String(node, "name") is { } name
            ? new ResourceResult(
                JsonRead.String(node, "group") ?? "", JsonRead.String(node, "version") ?? "", kind, JsonRead.String(node, "namespace"), name,
                JsonRead.String(node, "action") ?? "", JsonRead.String(node, "message"))
            : null;
}

/// <summary>What a sync did, counted.</summary>
internal sealed record SyncCounts(int Created = 0, int Configured = 0, int Unchanged = 0, int Pruned = 0, int PruneSkipped = 0, int Failed = 0)
{
    public bool ChangedAnything => Created + Configured + Pruned > 0;

    public override string ToString() => $"{Created} created, {Configured} configured, {Pruned} pruned" + (Failed > 0 ? $", {Failed} failed" : "");

    public JsonObject ToJson() => new()
    {
        ["created"] = Created,
        ["configured"] = Configured,
        ["unchanged"] = Unchanged,
        ["pruned"] = Pruned,
        ["pruneSkipped"] = PruneSkipped,
        ["failed"] = Failed,
    };

    public static SyncCounts FromJson(JsonObject? node) => new(
        (int)(JsonRead.Long(node, "created") ?? 0),
        (int)(JsonRead.Long(node, "configured") ?? 0),
        (int)(JsonRead.Long(node, "unchanged") ?? 0),
        (int)(JsonRead.Long(node, "pruned") ?? 0),
        (int)(JsonRead.Long(node, "pruneSkipped") ?? 0),
        (int)(JsonRead.Long(node, "failed") ?? 0));
}

/// <summary><c>status.operationState</c>: the last sync operation.</summary>
internal sealed record OperationState
{
    /// <summary>Most per-object results kept (the counts cover all).</summary>
    public const int ResultLimit = 100;

    public required string Phase { get; init; }

    public string? Message { get; init; }

    /// <summary>The commit synced.</summary>
    public string? Revision { get; init; }

    /// <summary>metadata.generation of the spec synced: with the revision, what "already synced" means.</summary>
    public long? Generation { get; init; }

    /// <summary>What started it: Automated, SelfHeal, Manual (the sync annotation), Retry, or Resumed (a sync found cut short).</summary>
    public string? Trigger { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Retries of a failed sync of this revision and spec so far.</summary>
    public int RetryCount { get; init; }

    /// <summary>Self-heal syncs in a row at this revision and spec (they back off).</summary>
    public int SelfHealCount { get; init; }

    public SyncCounts Counts { get; init; } = new();

    /// <summary>Objects created, configured, pruned or failed (unchanged ones are only counted), capped at <see cref="ResultLimit"/>.</summary>
    public IReadOnlyList<ResourceResult> Resources { get; init; } = [];

    public JsonNode ToJson()
    {
        var node = new JsonObject { ["phase"] = Phase };
        node.PutString("message", Message);
        node.PutString("revision", Revision);
        if (Generation is { } g)
        {
            node["generation"] = g;
        }

        node.PutString("trigger", Trigger);
        node.PutTime("startedAt", StartedAt);
        node.PutTime("finishedAt", FinishedAt);
        node["retryCount"] = RetryCount;
        node["selfHealCount"] = SelfHealCount;
        var result = Counts.ToJson();
        if (Resources.Count > 0)
        {
            result["resources"] = new JsonArray([.. Resources.Select(r => r.ToJson())]);
        }

        node["syncResult"] = result;
        return node;
    }

    public static OperationState FromJson(JsonObject node)
    {
        var result = JsonRead.Object(node, "syncResult");
        return new OperationState
        {
            Phase = JsonRead.String(node, "phase") ?? OperationPhases.Error,
            Message = JsonRead.String(node, "message"),
            Revision = JsonRead.String(node, "revision"),
            Generation = JsonRead.Long(node, "generation"),
            Trigger = JsonRead.String(node, "trigger"),
            StartedAt = JsonRead.Time(node, "startedAt"),
            FinishedAt = JsonRead.Time(node, "finishedAt"),
            RetryCount = (int)(JsonRead.Long(node, "retryCount") ?? 0),
            SelfHealCount = (int)(JsonRead.Long(node, "selfHealCount") ?? 0),
            Counts = SyncCounts.FromJson(result),
            Resources = JsonRead.Array(result, "resources")?.OfType<JsonObject>().Select(ResourceResult.FromJson).OfType<ResourceResult>().ToList() ?? [],
        };
    }
}

/// <summary>One synced revision in <c>status.history</c>.</summary>
internal sealed record HistoryEntry
{
    public long Id { get; init; }

    public required string Revision { get; init; }

    /// <summary>The commit's subject line.</summary>
    public string? Subject { get; init; }

    /// <summary>"Name &lt;email&gt;".</summary>
    public string? Author { get; init; }

    public DateTimeOffset? DeployedAt { get; init; }

    /// <summary>The spec generation deployed, so a spec change at the same commit is its own entry.</summary>
    public long? Generation { get; init; }

    public JsonNode ToJson()
    {
        var node = new JsonObject { ["id"] = Id, ["revision"] = Revision };
        node.PutString("subject", Subject);
        node.PutString("author", Author);
        node.PutTime("deployedAt", DeployedAt);
        if (Generation is { } g)
        {
            node["generation"] = g;
        }

        return node;
    }

    public static HistoryEntry? FromJson(JsonObject node) =>
        JsonRead.String(node, "revision") is { } revision
            ? new HistoryEntry
            {
                Id = JsonRead.Long(node, "id") ?? 0,
                Revision = revision,
                Subject = JsonRead.String(node, "subject"),
                Author = JsonRead.String(node, "author"),
                DeployedAt = JsonRead.Time(node, "deployedAt"),
                Generation = JsonRead.Long(node, "generation"),
            }
            : null;
}
