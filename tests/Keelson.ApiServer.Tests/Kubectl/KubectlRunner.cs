using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Kubectl;

public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    public KubectlResult EnsureSuccess()
    {
        Assert.True(ExitCode == 0, $"kubectl {CommandLine} exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public KubectlResult EnsureFailure()
    {
        Assert.True(ExitCode != 0, $"kubectl {CommandLine} was expected to fail but exited 0\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }
}

/// <summary>
/// Runs the real kubectl against one kubeconfig. Every invocation has a request timeout and a process deadline
/// after which the process tree is killed, so a hung kubectl fails a test instead of hanging the run.
/// </summary>
public sealed class KubectlRunner(string kubeconfig, string cacheDir)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string _binary = Tools.Require("kubectl", "apt-get install kubectl (or place kubectl 1.32 on PATH)");

    public string Kubeconfig => kubeconfig;

    public async Task<KubectlResult> RunAsync(IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? environment = null, TimeSpan? deadline = null)
    {
        var list = args.ToList();
        using var process = Start(list, environment, redirectInput: true);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(deadline ?? Deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', list)} did not finish within {(deadline ?? Deadline).TotalSeconds} s");
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr, string.Join(' ', list));
    }

    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output lines are read as they arrive.</summary>
    public KubectlStream Stream(params string[] args) => new(Start(args, null, redirectInput: false));

    private Process Start(IReadOnlyList<string> args, IDictionary<string, string>? environment, bool redirectInput)
    {
        var info = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (!args.Any(a => a.StartsWith("--request-timeout", StringComparison.Ordinal)))
        {
            info.ArgumentList.Add("--request-timeout=30s");
        }

        info.ArgumentList.Add($"--cache-dir={cacheDir}");
        info.Environment["KUBECONFIG"] = kubeconfig;
        info.Environment["HOME"] = cacheDir;
        info.Environment.Remove("KUBE_EDITOR");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
    }
}

/// <summary>A running kubectl whose stdout lines are delivered one by one; killed on dispose.</summary>
public sealed class KubectlStream : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pump;

    internal KubectlStream(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _pump = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }

            _lines.Writer.TryComplete();
        });
    }

    public async Task<string> NextLineAsync(string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            string errors;
            lock (_stderr)
            {
                errors = _stderr.ToString();
            }

            throw new TimeoutException($"kubectl printed no line while waiting for {what}; stderr: {errors}");
        }
    }

    /// <summary>Waits for kubectl to end on its own (a bounded watch) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kubectl did not exit within {timeout.TotalSeconds} s");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _pump;
        _process.Dispose();
    }
}
