using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keelson.Testing.Git;

/// <summary>
/// A long-running program a test talks to (a server). Its output is kept (the last 64 KB) so a failure to start says
/// why; dispose kills it with its children.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int KeepChars = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ServerProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Description { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>What the program printed so far (stdout and stderr interleaved, the last 64 KB).</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static ServerProcess Start(string program, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        GitCli.Isolate(start);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process, $"{Path.GetFileName(program)} {string.Join(' ', args)}");
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Starts a server listening on <paramref name="previous"/> ports (reused when set, so a restarted server keeps its
    /// address) or on free ones. A port can be taken between choosing and binding it, so a failed start is retried on
    /// new ports, three times at most. <paramref name="diagnostics"/> adds what the server logged elsewhere to the error.
    /// </summary>
    public static async Task<(ServerProcess Process, int[] Ports)> StartListeningAsync(
        string what,
        int[] previous,
        Func<int[], ServerProcess> start,
        Func<string>? diagnostics = null,
        CancellationToken cancellationToken = default)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ports = previous.Select(p => attempt == 0 && p != 0 ? p : Ports.Free()).ToArray();
            var process = start(ports);
            try
            {
                foreach (var port in ports)
                {
                    await process.WaitForPortAsync(port, cancellationToken: cancellationToken);
                }

                return (process, ports);
            }
            catch (InvalidOperationException ex)
            {
                last = diagnostics is null ? ex : new InvalidOperationException(ex.Message + diagnostics(), ex);
                await process.DisposeAsync();
            }
        }

        throw new InvalidOperationException($"{what} did not start", last);
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>; fails early if the program exits.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await Eventually.WaitAsync(
            async ct => HasExited || await Ports.IsOpenAsync(port, ct),
            $"{Description} to listen on port {port}",
            timeout ?? TimeSpan.FromSeconds(15),
            cancellationToken);
        ThrowIfExited();
    }

    /// <summary>Waits until a file (a Unix socket, a pid file) exists; fails early if the program exits.</summary>
    public async Task WaitForFileAsync(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await Eventually.WaitAsync(() => HasExited || File.Exists(path), $"{Description} to create {path}", timeout ?? TimeSpan.FromSeconds(15), cancellationToken);
        ThrowIfExited();
    }

    public void ThrowIfExited()
    {
        if (HasExited)
        {
            throw new InvalidOperationException($"{Description} exited with code {_process.ExitCode}. Its output:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // It exited on its own in the meantime.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
            if (_output.Length > KeepChars)
            {
                _output.Remove(0, _output.Length - KeepChars);
            }
        }
    }
}

/// <summary>Loopback ports for test servers.</summary>
public static class Ports
{
    /// <summary>A port that was free a moment ago (servers retry with another one if it was taken meanwhile).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> IsOpenAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
