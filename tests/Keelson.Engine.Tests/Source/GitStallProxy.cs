using System.Net;
using System.Net.Sockets;

namespace Keelson.Engine.Tests.Source;

/// <summary>What <see cref="GitStallProxy"/> does with the connections it accepts from now on.</summary>
internal enum ProxyMode
{
    /// <summary>Passes the connection on to the real server.</summary>
    Forward,

    /// <summary>Accepts and never answers, as a hung server or a black-holing firewall does.</summary>
    Silent,

    /// <summary>Accepts and hangs up at once, as a server that is going down does.</summary>
    HangUp,
}

/// <summary>
/// A TCP proxy on a loopback port in front of a real Git server (git daemon, nginx) that can turn silent or hang up
/// for new connections, so one repository URL can work, stall, fail and recover as a test needs.
/// </summary>
internal sealed class GitStallProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _pipes = [];
    private readonly Task _accepting;
    private int _mode;
    private int _connections;

    public GitStallProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public ProxyMode Mode
    {
        get => (ProxyMode)Volatile.Read(ref _mode);
        set => Volatile.Write(ref _mode, (int)value);
    }

    /// <summary>Connections accepted so far, whatever was done with them.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] pipes;
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            pipes = [.. _pipes];
        }

        await Task.WhenAll(pipes.Append(_accepting));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_gate)
                {
                    _sockets.Add(client);
                    switch (Mode)
                    {
                        case ProxyMode.Forward:
                            _pipes.Add(PipeAsync(client));
                            break;
                        case ProxyMode.HangUp:
                            client.Dispose();
                            break;
                        case ProxyMode.Silent:
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PipeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            _sockets.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            await Task.WhenAll(CopyAsync(client, server), CopyAsync(server, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped, or one side went away.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                }
            }

            // Pass the end of the stream on, so each side sees the other finish.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The other copy or the disposal ends the connection.
            from.Dispose();
            to.Dispose();
        }
    }
}
