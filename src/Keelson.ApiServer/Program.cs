using System.Runtime.InteropServices;
using Keelson.ApiServer;
using Microsoft.Extensions.Logging;

// Standalone simulator: serves until stopped (Ctrl+C / SIGTERM) and writes a kubeconfig kubectl can use as is.
// The token is random unless KEELSON_SIMULATOR_TOKEN is set (never taken from the command line: arguments are visible
// to other users of the machine).
var kubeconfig = "";
var port = 0;
var https = true;
var controllers = true;
var readyDelay = TimeSpan.FromSeconds(1);
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--kubeconfig" when i + 1 < args.Length:
            kubeconfig = args[++i];
            break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p):
            port = p;
            i++;
            break;
        case "--http":
            https = false;
            break;
        case "--no-controllers":
            controllers = false;
            break;
        case "--ready-delay" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var seconds):
            readyDelay = TimeSpan.FromSeconds(seconds);
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: Keelson.ApiServer --kubeconfig PATH [--port N] [--http] [--no-controllers] [--ready-delay SECONDS]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

if (kubeconfig.Length == 0)
{
    Console.Error.WriteLine("--kubeconfig PATH is required: the simulator writes the kubeconfig kubectl should use there");
    return 2;
}

using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
await using var host = await ApiServerHost.StartAsync(new ApiServerOptions
{
    Https = https,
    Port = port,
    Token = Environment.GetEnvironmentVariable("KEELSON_SIMULATOR_TOKEN") is { Length: > 0 } token ? token : null,
    EnableControllers = controllers,
    ReadyDelay = readyDelay,
    LoggerFactory = loggers,
});
var path = host.WriteKubeconfig(kubeconfig);
Console.WriteLine($"Serving {host.Url}; kubeconfig written to {path}. Press Ctrl+C to stop.");
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    // Let Main finish (and dispose the server) instead of the runtime's default termination.
    context.Cancel = true;
    stop.Cancel();
}

using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
