using System.CommandLine;
using Keelson.Kubernetes;
using Keelson.Operator.Hosting;
using Keelson.Operator.Local;
using Keelson.Operator.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Cli;

/// <summary><c>keelson local</c>: an embedded cluster on 127.0.0.1 with the operator running against it.</summary>
internal static class LocalCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig")
        {
            Description = "Where to write the kubeconfig of the embedded cluster",
            DefaultValueFactory = _ => Path.Combine(".keelson", "kubeconfig"),
        };
        var demo = new Option<bool>("--demo") { Description = "Also create a scratch Git repository from examples/ and Applications on it" };
        var port = new Option<int>("--port") { Description = "Port of the embedded API server (0 picks a free one)" };
        var metrics = new Option<string>("--metrics-address")
        {
            Description = "Address of /metrics, /healthz and /readyz",
            DefaultValueFactory = _ => "127.0.0.1:0",
        };
        var interval = new Option<string>("--reconcile-interval")
        {
            Description = "How often every Application is checked against Git (Go duration)",
            DefaultValueFactory = _ => "10s",
        };
        var command = new Command("local", "Run an embedded cluster and the operator on this machine, until Ctrl-C") { kubeconfig, demo, port, metrics, interval };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.InvocationConfiguration.Output,
            parse.GetValue(kubeconfig)!,
            parse.GetValue(demo),
            parse.GetValue(port),
            parse.GetValue(metrics)!,
            parse.GetValue(interval)!,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, string kubeconfig, bool demo, int port, string metrics, string interval, CancellationToken stopToken)
    {
        using var signals = new StopSignals(stopToken);
        var cancellationToken = signals.Token;
        if (!CliDurations.TryParse(interval, out var reconcileInterval))
        {
            await output.WriteLineAsync($"--reconcile-interval: '{interval}' is not a duration (write e.g. 30s, 3m)");
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        await output.WriteLineAsync("Starting the embedded cluster...");
        await using var cluster = await LocalCluster.StartAsync(kubeconfig, port, cancellationToken: cancellationToken);
        await using var host = await OperatorHost.StartAsync(
            new OperatorHostOptions
            {
                Cluster = cluster.Config,
                HttpAddress = metrics,
                Reconciler = new ReconcilerOptions { ReconcileInterval = reconcileInterval },
                LoggerFactory = loggers,
            },
            cancellationToken);

        string? repo = null;
        if (demo)
        {
            repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "demo-repo"));
            var created = await Demo.SeedRepoAsync(repo, cancellationToken);
            using var client = new KubeClient(cluster.Config);
            await Demo.CreateApplicationsAsync(client, "file://" + repo, cancellationToken);
            await output.WriteLineAsync(created ? $"Demo repository created at {repo}" : $"Reusing the demo repository at {repo}");
        }

        await output.WriteLineAsync(
            $"""

            Keelson is running against an embedded cluster at {cluster.Url}
              kubeconfig: {cluster.KubeconfigPath}
              metrics:    {host.HttpUrl}metrics

            Point kubectl at it:
              export KUBECONFIG={cluster.KubeconfigPath}
              kubectl get applications -A
            """);
        if (repo is not null)
        {
            await output.WriteLineAsync(
                $"""

                Three things to try (in another terminal, with KUBECONFIG exported):
                  1. Commit a change:  cd {repo} && sed -i 's/replicas: 1/replicas: 3/' guestbook/deployment.yaml && git commit -qam "Scale guestbook"
                  2. Roll it back:     cd {repo} && git revert --no-edit HEAD
                  3. Watch the apps:   kubectl get applications -A -o wide
                """);
        }

        await output.WriteLineAsync($"{Environment.NewLine}Live progress (Ctrl-C to stop):");
        using var progressClient = new KubeClient(cluster.Config);
        var printer = new ProgressPrinter(progressClient, output, TimeProvider.System);
        try
        {
            await Task.WhenAny(printer.RunAsync(cancellationToken), host.Completion);
            await host.Completion.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await output.WriteLineAsync("Stopping.");
        return 0;
    }
}
