namespace Keelson.Operator.Reconciliation;

/// <summary>Operator-level settings of the reconciler (flags of <c>run</c>; not user-controlled).</summary>
public sealed record ReconcilerOptions
{
    /// <summary>Only Applications of this namespace; null watches all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Applications reconciled at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Periodic re-check of every Application (Git may change without any event).</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Up to this fraction of the interval is added at random, so Applications do not all poll at once.</summary>
    public double Jitter { get; init; } = 0.33;

    /// <summary>Objects listed in <c>status.resources</c> (the counts in <c>status.summary</c> cover all).</summary>
    public int MaxStatusResources { get; init; } = 500;

    /// <summary>How soon to look again while objects are being deleted for the resources finalizer.</summary>
    public TimeSpan DeletionPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Self-heal syncs in a row at one revision and spec after which self-heal backs off (Argo: 2 s doubling).</summary>
    public TimeSpan SelfHealBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long stopping waits for reconciles under way (a sync waiting on a hook Job) before cancelling them; below
    /// Kubernetes' default 30 s termination grace period, so the process ends them, not SIGKILL. A sync cut short
    /// stays Running in its status and the next operator runs it again.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long credentials read from a Secret are reused before it is read again; a refresh
    /// (<c>keelson.dev/refresh</c>) always reads it afresh.
    /// </summary>
    public TimeSpan SecretCacheTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest self-heal backoff.</summary>
    public TimeSpan SelfHealMaxBackoff { get; init; } = TimeSpan.FromMinutes(5);
}
