using System.Diagnostics;
using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Operator.Applications;
using Keelson.Operator.Hosting;
using Keelson.Operator.Local;
using Keelson.Operator.Reconciliation;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Operator.Tests.Scenarios;

/// <summary>
/// One user's world: an embedded cluster (the simulator with its workload controllers), the operator running against
/// it through the hosting API, a real Git repository, and real kubectl with a kubeconfig.
/// </summary>
internal sealed class Scenario : IAsyncDisposable
{
    public const string AppNamespace = "keelson";

    private readonly TempDirectory _dir;

    private Scenario(TempDirectory dir, GitRepo repo, LocalCluster cluster, OperatorHost host, KubeClient client)
    {
        _dir = dir;
        Repo = repo;
        Cluster = cluster;
        Host = host;
        Client = client;
    }

    public GitRepo Repo { get; }

    public LocalCluster Cluster { get; }

    public OperatorHost Host { get; private set; }

    public KubeClient Client { get; }

    public static async Task<Scenario> StartAsync(CancellationToken cancellationToken, bool leaderElection = false)
    {
        Tools.Require("kubectl", "install kubectl 1.32 (https://kubernetes.io/docs/tasks/tools/)");
        var dir = new TempDirectory("keelson-scenario");
        var repo = await GitRepo.CreateAsync(dir.Path, "config", cancellationToken: cancellationToken);
        var cluster = await LocalCluster.StartAsync(dir.Combine("kubeconfig"), cancellationToken: cancellationToken);
        var host = await StartOperatorAsync(dir, cluster, "first", leaderElection, cancellationToken);
        return new Scenario(dir, repo, cluster, host, new KubeClient(cluster.Config));
    }

    /// <summary>Stops the operator wherever it is (as a rollout or a crash would) and starts a new one with an empty cache.</summary>
    /// <summary>Stops the operator, runs <paramref name="whileStopped"/> (to look at or change what it left), starts another.</summary>
    public async Task RestartOperatorAsync(CancellationToken cancellationToken, Func<Task>? whileStopped = null)
    {
        await Host.DisposeAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        Host = await StartOperatorAsync(_dir, Cluster, "second", leaderElection: false, cancellationToken);
    }

    private static Task<OperatorHost> StartOperatorAsync(TempDirectory dir, LocalCluster cluster, string identity, bool leaderElection, CancellationToken cancellationToken) =>
        // A long polling interval: every change in these tests must be noticed through a trigger (a watch, a spec
        // change or the refresh annotation), not by a lucky poll.
        OperatorHost.StartAsync(
            new OperatorHostOptions
            {
                Cluster = cluster.Config,
                CacheRoot = dir.Combine("cache-" + identity),
                HttpAddress = "127.0.0.1:0",
                LeaderElection = leaderElection,
                Identity = identity,
                Reconciler = new ReconcilerOptions { ReconcileInterval = TimeSpan.FromMinutes(10), ShutdownGrace = TimeSpan.FromSeconds(1) },
            },
            cancellationToken);

    /// <summary>An Application on the scenario's repository, written as a user would.</summary>
    public static string AppYaml(string name, string repoUrl, string path = "app", bool automated = true, bool prune = false, bool selfHeal = false, bool finalizer = false, string destination = "shop", string revision = "main")
    {
        var finalizers = finalizer ? "  finalizers: [keelson.dev/resources-finalizer]\n" : "";
        var policy = automated ? $"    automated: {{prune: {Bool(prune)}, selfHeal: {Bool(selfHeal)}}}\n" : "";
        return $$"""
            apiVersion: keelson.dev/v1alpha1
            kind: Application
            metadata:
              name: {{name}}
              namespace: {{AppNamespace}}
            {{finalizers}}spec:
              source:
                repoURL: {{repoUrl}}
                targetRevision: {{revision}}
                path: {{path}}
              destination:
                namespace: {{destination}}
              syncPolicy:
            {{policy}}    syncOptions: [CreateNamespace=true]
                retry: {limit: 3, backoff: {duration: 1s, factor: 2, maxDuration: 5s} }
            """;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    public Task<string> ApplyAppAsync(string name, bool automated = true, bool prune = false, bool selfHeal = false, bool finalizer = false, string path = "app", string revision = "main") =>
        KubectlAsync(["apply", "-f", "-"], AppYaml(name, Repo.FileUrl, path, automated, prune, selfHeal, finalizer, revision: revision));

    /// <summary>Runs kubectl against the embedded cluster; fails with its stderr when it fails.</summary>
    public async Task<string> KubectlAsync(IReadOnlyList<string> args, string? stdin = null)
    {
        var (code, stdout, stderr) = await TryKubectlAsync(args, stdin);
        return code == 0 ? stdout : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} failed ({code}): {stderr}");
    }

    public async Task<(int Code, string Stdout, string Stderr)> TryKubectlAsync(IReadOnlyList<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(Tools.Require("kubectl", "install kubectl 1.32"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(Cluster.KubeconfigPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Asks for an immediate reconcile, as a user (or a Git webhook) would after a push.</summary>
    public Task RefreshAsync(string name) =>
        KubectlAsync(["annotate", "--overwrite", "-n", AppNamespace, "application", name, $"{ApplicationNames.RefreshAnnotation}=hard"]);

    public async Task<JsonObject> AppAsync(string name, CancellationToken cancellationToken) =>
        await Client.GetAsync(ApplicationNames.Resource, AppNamespace, name, cancellationToken);

    /// <summary>Waits until the Application's status satisfies <paramref name="done"/>; returns it.</summary>
    public async Task<ApplicationStatus> WaitForAsync(string name, Func<ApplicationStatus, bool> done, string what, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        await Eventually.WaitAsync(async ct => ApplicationStatus.FromObject(await AppAsync(name, ct)), done, $"{name}: {what}", timeout ?? TimeSpan.FromSeconds(30), cancellationToken);

    public Task<ApplicationStatus> WaitSyncedAsync(string name, string revision, CancellationToken cancellationToken) =>
        WaitForAsync(name, s => s.SyncStatus == "Synced" && s.HealthStatus == "Healthy" && s.Revision == revision, $"Synced and Healthy at {revision[..7]}", cancellationToken);

    public async Task<JsonObject?> ConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        await Client.TryGetAsync(ConfigMaps, ns, name, cancellationToken);

    public static ApiResource ConfigMaps { get; } = new("", "v1", "configmaps", "ConfigMap", Namespaced: true);

    public static string ConfigMap(string name, string value) =>
        $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          greeting: {value}
        """;

    /// <summary>Reconciles the operator has finished (its <c>keelson_reconcile_total</c>).</summary>
    public long ReconcileCount()
    {
        const string name = "keelson_reconcile_total ";
        var line = Host.Metrics.Render().Split('\n').Single(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line[name.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await Cluster.DisposeAsync();
        Repo.Dispose();
        _dir.Dispose();
    }
}
