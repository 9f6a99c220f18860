using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.Engine.Diff;
using Keelson.Engine.Render;
using Keelson.Kubernetes;

namespace Keelson.Engine.Tests.Apply;

/// <summary>
/// <see cref="SyncHarness"/> (simulator, real Git repository) with an engine of the hook tests' own: short waits, and
/// the clock the test chooses, so a hook's time limit is reached by advancing a fake clock instead of waiting.
/// </summary>
internal sealed class HookHarness : IAsyncDisposable
{
    public static readonly ApiResource Jobs = new("batch", "v1", "jobs", "Job", true) { HasStatus = true };

    private readonly LiveCache _live;

    private HookHarness(SyncHarness inner, SyncEngineOptions options, TimeProvider time)
    {
        Inner = inner;
        _live = new LiveCache(inner.Client);
        Engine = new SyncEngine(inner.Client, inner.Source, new ManifestRenderer(), _live, options, time);
    }

    public SyncHarness Inner { get; }

    public SyncEngine Engine { get; }

    public Keelson.Testing.Git.GitRepo Repo => Inner.Repo;

    public ApiServer.ApiServerHost Server => Inner.Server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<HookHarness> StartAsync(bool controllers = true, SyncEngineOptions? options = null, TimeProvider? time = null)
    {
        var inner = await SyncHarness.StartAsync(controllers);
        options ??= new SyncEngineOptions();
        options = options with { PollInterval = TimeSpan.FromMilliseconds(10) };
        return new HookHarness(inner, options, time ?? TimeProvider.System);
    }

    public Task<SyncResult> SyncAsync(bool prune = false, IReadOnlyList<InventoryEntry>? inventory = null, SyncMode mode = SyncMode.Sync, bool runHooks = false) =>
        Engine.SyncAsync(Inner.Request(mode, prune, inventory, createNamespace: true) with { RunHooks = runHooks }, Token);

    public Task<JsonObject?> GetAsync(ApiResource resource, string name) => Inner.GetAsync(resource, SyncHarness.Destination, name);

    /// <summary>The object's resourceVersion: the simulator's global write counter, so it orders writes across kinds.</summary>
    public async Task<long> WrittenAtAsync(ApiResource resource, string name)
    {
        var obj = await GetAsync(resource, name) ?? throw new InvalidOperationException($"{resource} {name} does not exist");
        return long.Parse(obj.GetResourceVersion()!, CultureInfo.InvariantCulture);
    }

    public async Task<string?> UidAsync(ApiResource resource, string name) => (await GetAsync(resource, name))?.GetUid();

    public async ValueTask DisposeAsync()
    {
        await _live.DisposeAsync();
        await Inner.DisposeAsync();
    }
}

/// <summary>Hook manifests the tests commit, as chart authors write them.</summary>
internal static class HookManifests
{
    public static string Job(string name, string events, string? weight = null, string? deletePolicy = null, bool fails = false, int? ttl = null) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          annotations:
            helm.sh/hook: {events}
        {Optional("helm.sh/hook-weight", weight)}{Optional("helm.sh/hook-delete-policy", deletePolicy)}{Optional("simulator.keelson.dev/fail", fails ? "true" : null)}spec:
          backoffLimit: 0
        {(ttl is { } seconds ? $"  ttlSecondsAfterFinished: {seconds}\n" : "")}  template:
            spec:
              restartPolicy: Never
              containers:
              - name: {name}
                image: busybox:1.36
                command: ["true"]
        """;

    public static string ConfigMap(string name, string? events = null, string? weight = null, string color = "blue") => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          annotations:
            note: "{name}"
        {Optional("helm.sh/hook", events)}{Optional("helm.sh/hook-weight", weight)}data:
          color: {color}
        """;

    public static string ServiceAccount(string name, string events, string? weight = null) => $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {name}
          annotations:
            helm.sh/hook: {events}
        {Optional("helm.sh/hook-weight", weight)}
        """;

    public const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          progressDeadlineSeconds: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """;

    // Indented to sit under metadata.annotations of the templates above.
    private static string Optional(string key, string? value) => value is null ? "" : $"    {key}: \"{value}\"\n";
}
