using System.Diagnostics;
using Keelson.Testing;

namespace Keelson.Operator.Tests.Metrics;

/// <summary>Prometheus's own checker of the text format (<c>promtool check metrics</c>): what a scrape would refuse or warn about.</summary>
internal static class Promtool
{
    /// <summary>promtool's complaints about the text; empty when it accepts it as it is.</summary>
    public static async Task<string> CheckAsync(string metrics, CancellationToken cancellationToken)
    {
        var promtool = Tools.Require("promtool", "apt-get install prometheus");
        var start = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(metrics.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var said = ((await stdout) + (await stderr)).Trim();
        return process.ExitCode == 0 && said.Length == 0 ? "" : $"exit {process.ExitCode}: {said}";
    }
}
