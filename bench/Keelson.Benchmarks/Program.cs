using System.Globalization;
using Keelson.Benchmarks.Helm;
using Keelson.Benchmarks.Simulator;

// On-demand benchmarks (bench/run.sh builds and runs them). Usage:
//   Keelson.Benchmarks sim    [--kubeconfig PATH] [--objects N] [--concurrency N] [--watches N] [--probes N] [--warmups N] [--http1]
//   Keelson.Benchmarks helm   [--go-ref PATH] [--go-iterations N] [--renders N] [--quick] [--index-charts N] [--index-versions N]
//   Keelson.Benchmarks gitops [--simulator-dll PATH] [--operator-dll PATH] [--apps N] [--objects N] [--refreshes N]
//                             [--concurrency N] [--kube-api-qps N] [--no-reference]
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Keelson.Benchmarks sim|helm|gitops [options]  (see bench/run.sh)");
    return 2;
}

var options = Arguments.Parse(args.Skip(1));
try
{
    switch (args[0])
    {
        case "sim":
            await new SimulatorScenario(new SimulatorOptions
            {
                Kubeconfig = options.Text("kubeconfig"),
                Objects = options.Int("objects") ?? 10_000,
                Concurrency = options.Int("concurrency") ?? 16,
                Watches = options.Int("watches") ?? 200,
                Probes = options.Int("probes") ?? 300,
                WarmupProbes = options.Int("warmups") ?? 150,
                Http2 = !options.Flag("http1"),
            }).RunAsync(cancel.Token);
            break;
        case "helm":
            await new HelmScenario(new HelmOptions
            {
                GoReference = options.Text("go-ref"),
                GoIterations = options.Int("go-iterations") ?? 2000,
                MemoryRenders = options.Int("renders") ?? 10_000,
                Quick = options.Flag("quick"),
                IndexCharts = options.Int("index-charts") ?? 150,
                IndexVersions = options.Int("index-versions") ?? 200,
            }).RunAsync(cancel.Token);
            break;
        case "gitops":
            await new Keelson.Benchmarks.GitOps.GitOpsScenario(new Keelson.Benchmarks.GitOps.GitOpsOptions
            {
                SimulatorDll = options.Text("simulator-dll"),
                OperatorDll = options.Text("operator-dll"),
                Apps = options.Int("apps") ?? 200,
                ObjectsPerApp = options.Int("objects") ?? 10,
                RefreshSamples = options.Int("refreshes") ?? 20,
                Concurrency = options.Int("concurrency") ?? 4,
                KubeApiQps = options.Int("kube-api-qps"),
                Reference = !options.Flag("no-reference"),
            }).RunAsync(cancel.Token);
            break;
        default:
            Console.Error.WriteLine($"unknown scenario '{args[0]}': sim, helm or gitops");
            return 2;
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    return 130;
}

return 0;

/// <summary>--name value and --flag arguments.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(IEnumerable<string> args)
    {
        var parsed = new Arguments();
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    parsed._values[pending] = null;
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                parsed._values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }

        if (pending is not null)
        {
            parsed._values[pending] = null;
        }

        return parsed;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int? Int(string name) =>
        Text(name) is { } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--{name} needs a number, got '{text}'")
            : null;

    public bool Flag(string name) => _values.ContainsKey(name);
}
