using System.CommandLine;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;
using Keelson.Operator.Hosting;
using Keelson.Operator.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Cli;

/// <summary><c>keelson run</c>: the operator against a real cluster (in-cluster, or a kubeconfig).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: in-cluster, then KUBECONFIG, then ~/.kube/config)" };
        var context = new Option<string?>("--context") { Description = "Kubeconfig context to use" };
        var ns = new Option<string?>("--namespace") { Description = "Watch Applications of this namespace only (default: all)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Applications reconciled at once", DefaultValueFactory = _ => 4 };
        var interval = new Option<string>("--reconcile-interval") { Description = "Periodic check of every Application (Go duration; jitter is added)", DefaultValueFactory = _ => "3m" };
        var grace = new Option<string>("--shutdown-grace")
        {
            Description = "How long stopping waits for syncs under way (hooks) before cutting them short; keep it below the pod's terminationGracePeriodSeconds (a cut sync is run again by the next operator)",
            DefaultValueFactory = _ => "25s",
        };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Use a Lease so only one replica reconciles", DefaultValueFactory = _ => true };
        var leaseNamespace = new Option<string>("--lease-namespace")
        {
            Description = "Namespace of the leader election Lease",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod : "keelson",
        };
        var metrics = new Option<string>("--metrics-address") { Description = "Address of /metrics, /healthz and /readyz", DefaultValueFactory = _ => "0.0.0.0:8080" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Git cache directory (default: a temporary directory)" };
        var repoCache = new Option<string>("--repo-cache-size")
        {
            Description = "Disk kept for Git repositories under --cache-dir (e.g. 2Gi); past it the least recently used repositories not in use are removed",
            DefaultValueFactory = _ => "2Gi",
        };
        var kustomize = new Option<string?>("--kustomize")
        {
            Description = "kustomize binary for Kustomize sources, run as `kustomize build` (default: kustomize on PATH, else `kubectl kustomize`)",
        };
        var remoteBases = new Option<bool>("--kustomize-allow-remote-bases")
        {
            Description = "Let kustomizations use remote bases and resources (git or http URLs): rendering then reaches hosts repositories name",
        };
        var allowFile = new Option<bool>("--allow-file-urls") { Description = "Accept file:// repository URLs (reads the operator's own file system)" };
        // No client-side limit by default: the API server's priority and fairness (on since Kubernetes 1.20, GA in 1.29)
        // limits each client and answers 429 with Retry-After, which the client honours. controller-runtime dropped its
        // client-side limiter by default on SIG API Machinery's advice (kubernetes-sigs/controller-runtime#3119) and Flux
        // turns its 50/100 off whenever the server does APF (fluxcd/pkg#270); Keelson's own in-flight requests are
        // bounded by --concurrency. Set a limit for an API server without APF.
        var qps = new Option<double>("--kube-api-qps")
        {
            Description = "Client-side limit on requests per second to the API server; 0 (the default) leaves limiting to the server's priority and fairness",
            DefaultValueFactory = _ => 0,
        };
        var burst = new Option<int>("--kube-api-burst") { Description = "Requests allowed at once above --kube-api-qps (with a limit set)", DefaultValueFactory = _ => 100 };
        var command = new Command("run", "Run the operator against a cluster")
        {
            kubeconfig, context, ns, concurrency, interval, grace, leaderElect, leaseNamespace, metrics, cacheDir, repoCache, kustomize, remoteBases, allowFile, qps, burst,
        };
        command.SetAction(async (parse, stopToken) =>
        {
            using var signals = new StopSignals(stopToken);
            var cancellationToken = signals.Token;
            var output = parse.InvocationConfiguration.Error;
            if (!CliDurations.TryParse(parse.GetValue(interval)!, out var reconcileInterval))
            {
                await output.WriteLineAsync($"--reconcile-interval: '{parse.GetValue(interval)}' is not a duration (write e.g. 30s, 3m)");
                return 2;
            }

            if (!CliDurations.TryParse(parse.GetValue(grace)!, out var shutdownGrace))
            {
                await output.WriteLineAsync($"--shutdown-grace: '{parse.GetValue(grace)}' is not a duration (write e.g. 25s, 1m)");
                return 2;
            }

            if (!CliSizes.TryParse(parse.GetValue(repoCache)!, out var repoCacheBytes))
            {
                await output.WriteLineAsync($"--repo-cache-size: '{parse.GetValue(repoCache)}' is not a size (write e.g. 2Gi, 500Mi)");
                return 2;
            }

            if (parse.GetValue(qps) < 0 || parse.GetValue(burst) < 1)
            {
                await output.WriteLineAsync("--kube-api-qps must be 0 (no client-side limit) or more, and --kube-api-burst at least 1");
                return 2;
            }

            if (parse.GetValue(concurrency) < 1)
            {
                await output.WriteLineAsync("--concurrency must be at least 1");
                return 2;
            }

            KubeClientConfig config;
            try
            {
                config = KubeClientConfig.Load(new KubeConfigOptions { Path = parse.GetValue(kubeconfig), Context = parse.GetValue(context) });
            }
            catch (Exception ex) when (ex is KubeConfigException or IOException)
            {
                await output.WriteLineAsync($"cannot load the cluster configuration: {ex.Message}");
                return 1;
            }

            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            await using var host = await OperatorHost.StartAsync(
                new OperatorHostOptions
                {
                    Cluster = config,
                    CacheRoot = parse.GetValue(cacheDir),
                    MaxRepoCacheBytes = repoCacheBytes,
                    AllowFileUrls = parse.GetValue(allowFile),
                    Render = new Keelson.Engine.Render.RenderSettings { Kustomize = parse.GetValue(kustomize), AllowRemoteBases = parse.GetValue(remoteBases) },
                    KubeApiQps = parse.GetValue(qps),
                    KubeApiBurst = parse.GetValue(burst),
                    HttpAddress = parse.GetValue(metrics),
                    LeaderElection = parse.GetValue(leaderElect),
                    LeaseNamespace = parse.GetValue(leaseNamespace)!,
                    Identity = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName + "-" + Environment.ProcessId,
                    Reconciler = new ReconcilerOptions
                    {
                        Namespace = parse.GetValue(ns),
                        Concurrency = parse.GetValue(concurrency),
                        ReconcileInterval = reconcileInterval,
                        ShutdownGrace = shutdownGrace,
                    },
                    LoggerFactory = loggers,
                },
                cancellationToken);
            try
            {
                await host.Completion.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                await output.WriteLineAsync(ex.Message);
                return 1;
            }

            return 0;
        });
        return command;
    }
}
