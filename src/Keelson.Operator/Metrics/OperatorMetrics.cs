using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Metrics;

/// <summary>
/// The operator's figures, served at <c>/metrics</c> in the Prometheus text format. Written by hand: the format is
/// small and no exporter package is available.
/// </summary>
public sealed class OperatorMetrics
{
    private readonly ConcurrentDictionary<string, AppState> _apps = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _reconciles;
    private long _reconcileTicks;
    private long _syncs;
    private long _syncErrors;
    private long _comparisonErrors;

    public OperatorMetrics(TimeProvider time) => _time = time;

    /// <summary>Status writes made (a steady state makes none).</summary>
    public Counter StatusWrites { get; } = new();

    internal Func<int>? QueueDepth { get; set; }

    /// <summary>The sources' counters and histograms, written after the operator's own.</summary>
    internal MeterExport? Meters { get; init; }

    internal void ObserveReconcile(TimeSpan duration)
    {
        Interlocked.Increment(ref _reconciles);
        Interlocked.Add(ref _reconcileTicks, duration.Ticks);
    }

    internal void ObserveRun(Engine.SyncResult result)
    {
        if (result.Mode == Engine.SyncMode.Sync)
        {
            Interlocked.Increment(ref _syncs);
        }

        if (result.Error is { } error)
        {
            Interlocked.Increment(ref error.Condition == ConditionTypes.SyncError ? ref _syncErrors : ref _comparisonErrors);
        }
    }

    internal void Observe(string key, ApplicationStatus status) =>
        _apps[key] = new AppState(status.SyncStatus, status.HealthStatus, _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);

    internal void Forget(string key) => _apps.TryRemove(key, out _);

    /// <summary>The metrics in the Prometheus text exposition format (version 0.0.4).</summary>
    public string Render()
    {
        var text = new StringBuilder();
        WriteCounter(text, "keelson_reconcile_total", "Reconciles of Applications.", Interlocked.Read(ref _reconciles));
        WriteCounter(text, "keelson_reconcile_seconds_total", "Time spent reconciling, in seconds.", TimeSpan.FromTicks(Interlocked.Read(ref _reconcileTicks)).TotalSeconds);
        WriteCounter(text, "keelson_sync_total", "Syncs run (apply and prune).", Interlocked.Read(ref _syncs));
        text.Append("# HELP keelson_errors_total Failed runs, by condition.\n# TYPE keelson_errors_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"keelson_errors_total{{condition=\"ComparisonError\"}} {Interlocked.Read(ref _comparisonErrors)}\n");
        text.Append(CultureInfo.InvariantCulture, $"keelson_errors_total{{condition=\"SyncError\"}} {Interlocked.Read(ref _syncErrors)}\n");
        WriteCounter(text, "keelson_status_writes_total", "Status writes on Applications.", StatusWrites.Value);
        text.Append("# HELP keelson_workqueue_depth Applications waiting or being reconciled.\n# TYPE keelson_workqueue_depth gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"keelson_workqueue_depth {QueueDepth?.Invoke() ?? 0}\n");
        WriteMemory(text);
        text.Append("# HELP keelson_application_info Sync and health of each Application (value 1).\n# TYPE keelson_application_info gauge\n");
        var apps = _apps.OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        foreach (var (key, app) in apps)
        {
            var (ns, name) = Kubernetes.KubeObject.SplitKey(key);
            text.Append(CultureInfo.InvariantCulture, $"keelson_application_info{{namespace=\"{Escape(ns)}\",name=\"{Escape(name)}\",sync_status=\"{Escape(app.Sync)}\",health_status=\"{Escape(app.Health)}\"}} 1\n");
        }

        text.Append("# HELP keelson_application_last_check_timestamp_seconds When each Application was last reconciled.\n# TYPE keelson_application_last_check_timestamp_seconds gauge\n");
        foreach (var (key, app) in apps)
        {
            var (ns, name) = Kubernetes.KubeObject.SplitKey(key);
            text.Append(CultureInfo.InvariantCulture, $"keelson_application_last_check_timestamp_seconds{{namespace=\"{Escape(ns)}\",name=\"{Escape(name)}\"}} {app.CheckedAt}\n");
        }

        Meters?.Render(text);
        return text.ToString();
    }

    /// <summary>The process's memory, under the names Prometheus's client libraries use, plus the .NET heap's share.</summary>
    private static void WriteMemory(StringBuilder text)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        WriteGauge(text, "process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        WriteGauge(text, "dotnet_gc_heap_size_bytes", "Managed heap size after the last garbage collection, in bytes.", gc.HeapSizeBytes);
        WriteGauge(text, "dotnet_gc_committed_bytes", "Memory committed by the garbage collector, in bytes.", gc.TotalCommittedBytes);
        WriteGauge(text, "dotnet_gc_fragmented_bytes", "Free space inside the managed heap after the last garbage collection, in bytes.", gc.FragmentedBytes);
    }

    private static void WriteGauge(StringBuilder text, string name, string help, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");

    private static void WriteCounter(StringBuilder text, string name, string help, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    internal static string Escape(string? value) => (value ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed record AppState(string Sync, string Health, double CheckedAt);

    /// <summary>A monotonic counter.</summary>
    public sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Add(long n) => Interlocked.Add(ref _value, n);
    }
}
