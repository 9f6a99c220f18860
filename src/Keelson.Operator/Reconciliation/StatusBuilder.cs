using Keelson.Engine;
using Keelson.Engine.Health;
using Keelson.Kubernetes.Runtime;
using Keelson.Operator.Applications;
using EngineResult = Keelson.Engine.SyncResult;
using OperatorCounts = Keelson.Operator.Applications.SyncCounts;
using OperatorResourceResult = Keelson.Operator.Applications.ResourceResult;

namespace Keelson.Operator.Reconciliation;

/// <summary>A sync the reconciler ran in this reconcile: why, when, and what came of it.</summary>
internal sealed record SyncAttempt(string Trigger, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, EngineResult Result, int RetryCount, int SelfHealCount);

/// <summary>
/// Turns the engine's results into an Application status. Pure: the same inputs give the same status, so a reconcile
/// that finds nothing new produces an identical status and the reconciler writes nothing.
/// </summary>
internal static class StatusBuilder
{
    public static ApplicationStatus Build(
        ApplicationStatus previous,
        long? generation,
        EngineResult compare,
        SyncAttempt? attempt,
        SyncPolicySpec policy,
        int maxResources)
    {
        // After a sync the result of the sync is the freshest view of the cluster.
        var current = attempt?.Result ?? compare;
        var error = current.Error ?? compare.Error;
        var revision = current.Revision ?? compare.Revision ?? previous.Revision;
        var operation = attempt is not null ? Operation(attempt, generation, revision)
            : compare.Error is not null && previous.Operation is { Phase: OperationPhases.Running } cut ? Stranded(cut, compare.Error)
            : previous.Operation;
        var failure = compare.Error is null ? StandingFailure(previous, generation, revision, attempt, operation, policy) : null;

        // A comparison that failed before it saw any object (source, render, cluster unreachable) knows nothing new
        // about them: the last known list stays, as the inventory does, rather than emptying and refilling the status.
        var unseen = error is not null && current.Resources.Count == 0;
        var resources = current.Resources.Where(r => !r.Hook).ToList();
        var shown = unseen ? previous.Resources : resources
            .OrderBy(r => IsProblem(r) ? 0 : 1)
            .ThenBy(r => r.Group, StringComparer.Ordinal)
            .ThenBy(r => r.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Namespace, StringComparer.Ordinal)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(maxResources)
            .Select(ToStatus)
            .ToList();

        var sync = error is not null && current.Sync == Engine.SyncStatus.Unknown && previous.Inventory.Count > 0
            ? SyncCodes.Unknown
            : Code(current.Sync);
        var health = unseen
            ? (previous.HealthStatus, previous.HealthMessage)
            : (current.Health.Status.ToString(), current.Health.Message);

        var history = previous.History;
        if (attempt is { Result.Error: null } && revision is not null)
        {
            history = AddHistory(previous.History, attempt, revision, generation);
        }

        var inventory = (error is not null && current.Inventory.Count == 0 ? previous.Inventory.Select(i => new InventoryEntry(i.Id, i.Version)) : current.Inventory)
            .Select(i => new InventoryItem(i.Id, i.Version))
            .ToList();

        return previous with
        {
            ObservedGeneration = generation,
            SyncStatus = sync,
            Revision = revision,
            HealthStatus = health.Item1,
            HealthMessage = health.Item2,
            SourceType = current.Renderer ?? previous.SourceType,
            Resources = shown,
            Summary = unseen ? previous.Summary : new ResourceSummary(
                resources.Count,
                shown.Count,
                resources.Count(r => r.Status == Engine.SyncStatus.OutOfSync && !r.RequiresPruning),
                resources.Count(r => r.RequiresPruning),
                resources.Count(r => r.Health is { Status: not (HealthStatus.Healthy or HealthStatus.Suspended) })),
            Inventory = inventory,
            Operation = operation,
            History = history,
            Conditions = SharedResources(
                Conditions(previous.Conditions, generation, failure?.Error ?? error, failure?.Stalled ?? false, sync, health.Item1, health.Item2), generation, current),
            Message = Message(failure?.Error ?? error, sync, health.Item1, health.Item2, resources),
        };
    }

    /// <summary>
    /// The failure of the last sync while it stands: it was a sync of the revision and spec compared now, and nothing
    /// has succeeded since. It stays visible as SyncError (with what happens next) even once every object is in place
    /// — a post-sync hook that failed leaves nothing to apply — until a new revision, a new spec or a successful sync.
    /// Stalled once no automatic retry is left: it needs a human. The message depends only on the stored operation
    /// and the policy, so a reconcile that finds nothing new rebuilds it unchanged and writes nothing.
    /// </summary>
    private static (SyncError Error, bool Stalled)? StandingFailure(
        ApplicationStatus previous, long? generation, string? revision, SyncAttempt? attempt, OperationState? operation, SyncPolicySpec policy)
    {
        if (operation is not { Phase: OperationPhases.Failed or OperationPhases.Error } last || last.Revision != revision || last.Generation != generation)
        {
            return null;
        }

        var reason = attempt?.Result.Error?.Reason
            ?? previous.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.SyncError && c.IsTrue)?.Reason
            ?? "SyncFailed";
        var retry = policy.Automated is null ? null : policy.Retry;
        var (next, stalled) = policy.Automated is null ? ("", true)
            : retry is null ? ("; not retried (no retry policy)", true)
            : last.RetryCount >= retry.Limit ? ($"; retries exhausted ({retry.Limit})", true)
            : ($"; will retry ({last.RetryCount + 1} of {retry.Limit})", false);
        var message = $"last sync to {ApplicationStatus.ShortRevision(last.Revision)} failed: {last.Message}{next}";
        return (new SyncError(SyncStage.Apply, reason, message), stalled);
    }

    /// <summary>The status of an Application whose spec cannot be acted on.</summary>
    public static ApplicationStatus InvalidSpec(ApplicationStatus previous, long? generation, SpecException error) => previous with
    {
        ObservedGeneration = generation,
        SyncStatus = SyncCodes.Unknown,
        Message = error.Message,
        Conditions = Merge(
            previous.Conditions,
            [
                Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, "InvalidSpec", error.Message, generation),
                Make(Kubernetes.Runtime.Conditions.Stalled, ConditionStatus.True, "InvalidSpec", error.Message, generation),
                Make(ConditionTypes.InvalidSpecError, ConditionStatus.True, "InvalidSpec", error.Message, generation),
            ]),
    };

    /// <summary>The status while objects are being deleted for the resources finalizer.</summary>
    public static ApplicationStatus Deleting(ApplicationStatus previous, long? generation, EngineResult result)
    {
        var left = result.Resources.Where(r => !r.Hook).ToList();
        var message = result.Error?.Message
            ?? $"deleting {result.Inventory.Count} resources: {string.Join(", ", left.Take(3).Select(r => r.Message is null ? r.ToString() : $"{r} ({r.Message})"))}{(left.Count > 3 ? ", ..." : "")}";
        return previous with
        {
            Inventory = [.. result.Inventory.Select(i => new InventoryItem(i.Id, i.Version))],
            // What is still there and why (a delete that failed, an object waiting on its own finalizers).
            Resources = [.. left.Select(ToStatus)],
            Message = OneLine(message),
            Conditions = Merge(
                previous.Conditions,
                [
                    Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, "Deleting", message, generation),
                    Make(Kubernetes.Runtime.Conditions.Reconciling, ConditionStatus.True, "Deleting", message, generation),
                ]),
        };
    }

    private static bool IsProblem(Engine.ResourceResult r) =>
        r.Status != Engine.SyncStatus.Synced || r.RequiresPruning || r.Health is { Status: not (HealthStatus.Healthy or HealthStatus.Suspended) };

    private static string Code(Engine.SyncStatus status) => status switch
    {
        Engine.SyncStatus.Synced => SyncCodes.Synced,
        Engine.SyncStatus.OutOfSync => SyncCodes.OutOfSync,
        _ => SyncCodes.Unknown,
    };

    private static ResourceStatus ToStatus(Engine.ResourceResult r) => new()
    {
        Group = r.Group,
        Version = r.Version,
        Kind = r.Kind,
        Namespace = r.Namespace,
        Name = r.Name,
        Status = Code(r.Status),
        RequiresPruning = r.RequiresPruning,
        Health = r.Health?.Status.ToString(),
        HealthMessage = r.Health?.Message,
    };

    /// <summary>
    /// A sync an earlier operator left Running (see the reconciler's Decide) that cannot be run again yet because the
    /// comparison failed. It stays Running, as Argo CD keeps an operation Running between its retries, and says why it
    /// waits; the message depends only on the error, so a repeat of the same failure writes nothing.
    /// </summary>
    private static OperationState Stranded(OperationState cut, SyncError error) => cut with
    {
        Message = $"Cut short by an operator restart; runs again once Keelson can compare: {error.Message}",
    };

    private static OperationState Operation(SyncAttempt attempt, long? generation, string? revision)
    {
        var r = attempt.Result;
        var changed = r.Resources
            .Where(x => x.Action is not (null or ResourceAction.Unchanged))
            .Take(OperationState.ResultLimit)
            .Select(x => new OperatorResourceResult(x.Group, x.Version, x.Kind, x.Namespace, x.Name, x.Action!.Value.ToString(), x.Message))
            .ToList();
        var counts = new OperatorCounts(
            r.Counts.Created,
            r.Counts.Configured,
            r.Counts.Unchanged,
            r.Counts.Pruned,
            r.Resources.Count(x => x.Action == ResourceAction.PruneSkipped),
            r.Counts.Failed);
        return new OperationState
        {
            Phase = r.Error is null ? OperationPhases.Succeeded : r.Error.Stage == SyncStage.Apply ? OperationPhases.Failed : OperationPhases.Error,
            Message = r.Error?.Message ?? $"successfully synced ({counts})",
            Revision = revision,
            Generation = generation,
            Trigger = attempt.Trigger,
            StartedAt = attempt.StartedAt,
            FinishedAt = attempt.FinishedAt,
            RetryCount = attempt.RetryCount,
            SelfHealCount = attempt.SelfHealCount,
            Counts = counts,
            Resources = changed,
        };
    }

    private static List<HistoryEntry> AddHistory(IReadOnlyList<HistoryEntry> history, SyncAttempt attempt, string revision, long? generation)
    {
        if (history.Count > 0 && history[^1].Revision == revision && history[^1].Generation == generation)
        {
            return [.. history];
        }

        var commit = attempt.Result.Commit;
        var entry = new HistoryEntry
        {
            Id = history.Count == 0 ? 0 : history[^1].Id + 1,
            Revision = revision,
            Subject = commit?.Subject,
            Author = commit is null ? null : $"{commit.AuthorName} <{commit.AuthorEmail}>",
            DeployedAt = attempt.FinishedAt,
            Generation = generation,
        };
        return [.. history.Skip(Math.Max(0, history.Count - ApplicationStatus.HistoryLimit + 1)), entry];
    }

    private static List<Condition> Conditions(
        IReadOnlyList<Condition> previous, long? generation, SyncError? error, bool stalled, string sync, string health, string? healthMessage)
    {
        var set = new List<Condition>();
        var remove = new List<string> { ConditionTypes.InvalidSpecError };
        if (error is not null)
        {
            set.Add(Make(error.Condition, ConditionStatus.True, error.Reason, error.Message, generation));
            remove.Add(error.Condition == ConditionTypes.SyncError ? ConditionTypes.ComparisonError : ConditionTypes.SyncError);
            set.Add(Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, error.Reason, error.Message, generation));
            if (stalled)
            {
                set.Add(Make(Kubernetes.Runtime.Conditions.Stalled, ConditionStatus.True, error.Reason, error.Message, generation));
                remove.Add(Kubernetes.Runtime.Conditions.Reconciling);
            }
            else
            {
                set.Add(Make(Kubernetes.Runtime.Conditions.Reconciling, ConditionStatus.True, "ProgressingWithRetry", error.Message, generation));
                remove.Add(Kubernetes.Runtime.Conditions.Stalled);
            }
        }
        else
        {
            remove.Add(Kubernetes.Runtime.Conditions.Stalled);
            remove.Add(ConditionTypes.ComparisonError);
            remove.Add(ConditionTypes.SyncError);
            if (sync == SyncCodes.Synced && health is "Healthy" or "Suspended")
            {
                set.Add(Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.True, "Succeeded", $"synced and {health.ToLowerInvariant()}", generation));
                remove.Add(Kubernetes.Runtime.Conditions.Reconciling);
            }
            else if (health == "Degraded")
            {
                set.Add(Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, "Degraded", healthMessage ?? "a resource is degraded", generation));
                remove.Add(Kubernetes.Runtime.Conditions.Reconciling);
            }
            else if (sync != SyncCodes.Synced)
            {
                set.Add(Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, sync, "the cluster differs from Git", generation));
                remove.Add(Kubernetes.Runtime.Conditions.Reconciling);
            }
            else
            {
                var message = healthMessage ?? $"waiting for resources to become healthy ({health})";
                set.Add(Make(Kubernetes.Runtime.Conditions.Ready, ConditionStatus.False, "Progressing", message, generation));
                set.Add(Make(Kubernetes.Runtime.Conditions.Reconciling, ConditionStatus.True, "Progressing", message, generation));
            }
        }

        return Merge(previous.Where(c => !remove.Contains(c.Type, StringComparer.Ordinal)).ToList(), set);
    }

    /// <summary>
    /// SharedResourceWarning while the comparison finds rendered objects another Application holds, gone once it finds
    /// none; as it was when no comparison could be made (the source or render failed).
    /// </summary>
    private static List<Condition> SharedResources(List<Condition> conditions, long? generation, EngineResult current)
    {
        if (current.Error is not null && current.Resources.Count == 0)
        {
            return conditions;
        }

        return current.Warnings.FirstOrDefault(w => w.Reason == SyncWarning.SharedResource) is { } warning
            ? Merge(conditions, [Make(ConditionTypes.SharedResourceWarning, ConditionStatus.True, SyncWarning.SharedResource, warning.Message, generation)])
            : conditions.Where(c => c.Type != ConditionTypes.SharedResourceWarning).ToList();
    }

    private static Condition Make(string type, string status, string reason, string message, long? generation) =>
        new() { Type = type, Status = status, Reason = reason, Message = message, ObservedGeneration = generation };

    // The transition time moves only when the status does, so an unchanged condition writes nothing.
    private static List<Condition> Merge(IReadOnlyList<Condition> previous, IReadOnlyList<Condition> set)
    {
        var result = previous.ToList();
        foreach (var c in set)
        {
            var i = result.FindIndex(p => p.Type == c.Type);
            if (i < 0)
            {
                result.Add(c);
            }
            else
            {
                result[i] = c with { LastTransitionTime = result[i].Status == c.Status ? result[i].LastTransitionTime : null };
            }
        }

        return result;
    }

    /// <summary>Fills transition times still unset (new or changed conditions) with <paramref name="now"/>.</summary>
    public static ApplicationStatus Stamp(ApplicationStatus status, DateTimeOffset now) => status with
    {
        Conditions = [.. status.Conditions.Select(c => c.LastTransitionTime is null ? c with { LastTransitionTime = now } : c)],
    };

    private static string Message(SyncError? error, string sync, string health, string? healthMessage, List<Engine.ResourceResult> resources)
    {
        if (error is not null)
        {
            return OneLine(error.Message);
        }

        if (sync == SyncCodes.OutOfSync)
        {
            var drifted = resources.Where(r => r.Status == Engine.SyncStatus.OutOfSync || r.RequiresPruning).ToList();
            var names = string.Join(", ", drifted.Take(3).Select(r =>
                r.RequiresPruning ? $"{r} (requires pruning)" : r.OwnedBy is { } owner ? $"{r} (owned by Application {owner})" : r.ToString()));
            return OneLine($"{drifted.Count} out of sync: {names}{(drifted.Count > 3 ? ", ..." : "")}");
        }

        return health is "Healthy" ? $"{resources.Count} resources synced and healthy" : OneLine(healthMessage ?? health);
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 200 ? line[..197] + "..." : line;
    }
}
