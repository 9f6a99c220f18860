namespace Keelson.Engine;

/// <summary>Operator-level settings of the <see cref="SyncEngine"/>; not user-controlled.</summary>
public sealed record SyncEngineOptions
{
    /// <summary>The server-side apply field manager of every object Keelson applies.</summary>
    public string FieldManager { get; init; } = "keelson";

    /// <summary>
    /// Field validation of applies and dry-runs: "Strict" turns an unknown field (a typo in Git) into an error the
    /// user sees, instead of the server dropping it silently. "Warn" or "Ignore" relax that.
    /// </summary>
    public string FieldValidation { get; init; } = "Strict";

    /// <summary>Dry-runs of one comparison that may run at once (applies always run one by one, in order).</summary>
    public int DryRunConcurrency { get; init; } = 4;

    /// <summary>How long to wait for an applied CustomResourceDefinition to become Established.</summary>
    public TimeSpan CrdEstablishedTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for an object to be gone before re-creating it (replace, hooks).</summary>
    public TimeSpan DeleteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a hook Job or Pod may run before the sync gives up on it.</summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the objects of a sync may take to become healthy before its post-install/post-upgrade hooks run (as
    /// Argo CD's PostSync hooks, they wait for health); past it the sync fails and the hooks do not run.
    /// </summary>
    public TimeSpan PostHookHealthTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Interval of the bounded waits above.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Objects whose last in-sync verdict is remembered (the least recently used are forgotten first).</summary>
    public int VerdictCacheSize { get; init; } = 100_000;

    /// <summary>
    /// Where charts fetched from Helm repositories (sources and non-vendored dependencies) are cached, by name,
    /// version and digest; null uses a "keelson-helm" directory under the system's temporary directory.
    /// </summary>
    public string? HelmCacheDirectory { get; init; }
}
