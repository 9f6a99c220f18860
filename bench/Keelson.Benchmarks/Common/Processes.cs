using System.Diagnostics;

namespace Keelson.Benchmarks.Common;

/// <summary>Child processes the benchmarks start: run to completion, or start in the background and stop by id.</summary>
internal static class Processes
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static ProcessStartInfo Info(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        return start;
    }

    public static async Task<Result> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static async Task<string> CheckedAsync(string file, IEnumerable<string> args, string? workingDirectory, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? env = null)
    {
        var result = await RunAsync(Info(file, args, env, workingDirectory), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({result.ExitCode}): {result.Error.Trim()} {result.Output.Trim()}");
        }

        return result.Output;
    }

    /// <summary>Asks a process to stop (SIGTERM, as Kubernetes does), then kills it and its children if it lingers.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        try
        {
            using var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(grace);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
