using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keelson.Engine.Tests.Source;

/// <summary>What <see cref="HelmStallServer"/> does with a request.</summary>
internal enum StallMode
{
    /// <summary>Answers with the file (or 404), then closes the connection.</summary>
    Serve,

    /// <summary>Reads the request and never answers, as a hung server or a black-holing proxy does.</summary>
    Silent,

    /// <summary>Reads the request and hangs up without a word, as a server going down does.</summary>
    HangUp,

    /// <summary>Answers 503 Service Unavailable.</summary>
    Unavailable,

    /// <summary>Sends the headers and the first half of the file, then nothing more, keeping the connection open.</summary>
    HeadersThenStall,

    /// <summary>Sends the file in small pieces, one every <see cref="HelmStallServer.TrickleInterval"/>: slow, but moving.</summary>
    Trickle,
}

/// <summary>
/// A Helm repository on a loopback port speaking just enough HTTP/1.1 by hand to misbehave the ways real servers do:
/// silent, hanging up, failing, stalling in the middle of a file. One connection per request (each answer closes
/// it), so <see cref="Connections"/> counts the requests that reached the server.
/// </summary>
internal sealed class HelmStallServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _handlers = [];
    private readonly Task _accepting;
    private int _mode;
    private int _archiveMode = -1;
    private int _connections;

    public HelmStallServer()
    {
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/charts/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths of the requests read so far, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>What is done with every request (and with archives unless <see cref="ArchiveMode"/> says otherwise).</summary>
    public StallMode Mode
    {
        get => (StallMode)Volatile.Read(ref _mode);
        set => Volatile.Write(ref _mode, (int)value);
    }

    /// <summary>What is done with requests for .tgz files; null: as <see cref="Mode"/>.</summary>
    public StallMode? ArchiveMode
    {
        get => Volatile.Read(ref _archiveMode) is var m and >= 0 ? (StallMode)m : null;
        set => Volatile.Write(ref _archiveMode, value is { } m ? (int)m : -1);
    }

    public TimeSpan TrickleInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public int TricklePieces { get; set; } = 15;

    /// <summary>Connections accepted so far, whatever was done with them.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Lists chart <c>dep</c> at <paramref name="versions"/> in index.yaml, each packed with its sha256 digest.</summary>
    public Dictionary<string, byte[]> Publish(params string[] versions)
    {
        var index = new StringBuilder("apiVersion: v1\nentries:\n  dep:\n");
        var archives = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            var data = HelmRepoServer.Package("dep", version, Url);
            archives[version] = data;
            Files[$"/charts/archives/dep-{version}.tgz"] = data;
            index.Append($"  - name: dep\n    version: {version}\n    apiVersion: v2\n    urls:\n    - archives/dep-{version}.tgz\n")
                .Append($"    digest: {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data))}\n");
        }

        Files["/charts/index.yaml"] = Encoding.UTF8.GetBytes(index.ToString());
        return archives;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] handlers;
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            handlers = [.. _handlers];
        }

        await Task.WhenAll(handlers.Append(_accepting));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_gate)
                {
                    _sockets.Add(socket);
                    _handlers.Add(HandleAsync(socket));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        try
        {
            var path = await ReadRequestAsync(socket);
            if (path is null)
            {
                return;
            }

            Requests.Enqueue(path);
            var mode = path.EndsWith(".tgz", StringComparison.Ordinal) && ArchiveMode is { } archive ? archive : Mode;
            var found = Files.TryGetValue(path, out var data);
            switch (mode)
            {
                case StallMode.Silent:
                    // Kept open until the client gives up or the server stops.
                    await WaitClosedAsync(socket);
                    return;
                case StallMode.HangUp:
                    break;
                case StallMode.Unavailable:
                    await SendAsync(socket, Head(503, "Service Unavailable", 0));
                    break;
                case StallMode.Serve or StallMode.HeadersThenStall or StallMode.Trickle when !found:
                    await SendAsync(socket, Head(404, "Not Found", 0));
                    break;
                case StallMode.Serve:
                    await SendAsync(socket, (byte[])[.. Head(200, "OK", data!.Length), .. data]);
                    break;
                case StallMode.HeadersThenStall:
                    await SendAsync(socket, (byte[])[.. Head(200, "OK", data!.Length), .. data.AsSpan(0, data.Length / 2)]);
                    await WaitClosedAsync(socket);
                    return;
                case StallMode.Trickle:
                    await SendAsync(socket, Head(200, "OK", data!.Length));
                    var piece = (data!.Length + TricklePieces - 1) / TricklePieces;
                    for (var sent = 0; sent < data.Length; sent += piece)
                    {
                        // The pace of a slow link, not a synchronisation: the client must keep reading throughout.
                        await Task.Delay(TrickleInterval, _stop.Token);
                        await SendAsync(socket, data.AsMemory(sent, Math.Min(piece, data.Length - sent)));
                    }

                    break;
            }

            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped, or the client went away.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static byte[] Head(int status, string reason, int length) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");

    private async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (data.Length > 0)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, _stop.Token);
            data = data[sent..];
        }
    }

    /// <summary>The path of the request line once the whole head has arrived; null if the client left first.</summary>
    private async Task<string?> ReadRequestAsync(Socket socket)
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (head.Count < 64 * 1024)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return null;
            }

            head.AddRange(buffer.AsSpan(0, read));
            var text = Encoding.ASCII.GetString([.. head]);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var line = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                return line.Length == 3 ? line[1] : null;
            }
        }

        return null;
    }

    private async Task WaitClosedAsync(Socket socket)
    {
        var buffer = new byte[1024];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
        {
        }
    }
}
