using System.Diagnostics;

namespace Keelson.Engine.Render;

/// <summary>Runs a program with an exact environment, a time limit and a cap on what it may print.</summary>
internal static class BoundedProcess
{
    private const int MaxErrorBytes = 64 * 1024;

    public sealed record Result(int ExitCode, byte[] Output, string Error, bool TimedOut, bool OutputTooLarge);

    public static async Task<Result> RunAsync(
        string program,
        IReadOnlyList<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout,
        long maxOutputBytes,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        process.Start();
        process.StandardInput.Close();

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var tooLarge = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, tooLarge.Token);

        var output = ReadAsync(process.StandardOutput.BaseStream, maxOutputBytes, tooLarge, stop.Token);
        var error = ReadAsync(process.StandardError.BaseStream, MaxErrorBytes, null, stop.Token);
        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            var (bytes, overflowed) = await output.ConfigureAwait(false);
            var (errorBytes, _) = await error.ConfigureAwait(false);

            // A quick program can exit before the reader notices it printed too much: the reader's answer decides.
            return overflowed
                ? new Result(-1, [], "", false, true)
                : new Result(process.ExitCode, bytes, ManifestParser.Decode(errorBytes), false, false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new Result(-1, [], "", deadline.IsCancellationRequested && !tooLarge.IsCancellationRequested, tooLarge.IsCancellationRequested);
        }
    }

    // Reads up to limit bytes; past it, either signals (stdout: the render is refused) or drops the rest (stderr).
    private static async Task<(byte[] Bytes, bool Truncated)> ReadAsync(Stream stream, long limit, CancellationTokenSource? onOverflow, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        var truncated = false;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    truncated = true;
                    if (onOverflow is not null)
                    {
                        await onOverflow.CancelAsync().ConfigureAwait(false);
                        break;
                    }

                    continue;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            truncated = true;
        }

        return (buffer.ToArray(), truncated);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
