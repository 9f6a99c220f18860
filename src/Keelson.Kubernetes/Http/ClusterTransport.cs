using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Keelson.Kubernetes.Config;

namespace Keelson.Kubernetes.Http;

/// <summary>
/// The connection pool of one cluster. One <see cref="SocketsHttpHandler"/> serves every request; it is replaced only
/// when the client certificate changes (an exec plugin rotated it), and the old one is disposed once its last request
/// (watches included) has finished.
/// </summary>
internal sealed class ClusterTransport : IDisposable
{
    private readonly KubeClientConfig _config;
    private readonly Lock _gate = new();
    private Generation _current;
    private bool _disposed;

    public ClusterTransport(KubeClientConfig config)
    {
        _config = config;
        _current = new Generation(CreateHandler(config, config.ClientCertificate), config.ClientCertificate?.Thumbprint);
    }

    /// <summary>A handler that presents <paramref name="clientCertificate"/>; release it when the response is done.</summary>
    public Generation Acquire(X509Certificate2? clientCertificate)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (clientCertificate?.Thumbprint != _current.Thumbprint)
            {
                var old = _current;
                _current = new Generation(CreateHandler(_config, clientCertificate), clientCertificate?.Thumbprint);
                old.Release();
            }

            _current.AddRef();
            return _current;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _current.Release();
        }
    }

    internal static SocketsHttpHandler CreateHandler(KubeClientConfig config, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            // Over HTTP/1.1 every watch holds a connection for its lifetime: a per-server cap would let watches starve
            // ordinary requests, so there is none.
            MaxConnectionsPerServer = int.MaxValue,
            // Over HTTP/2 each watch holds a stream; servers cap streams per connection (Go's default is 250, Kestrel's
            // 100), and without a second connection further requests would queue behind the watches forever.
            EnableMultipleHttp2Connections = true,
            // One connection now carries many watches: a dead one must be noticed as client-go's HTTP/2 health check does
            // (ping after 30 s of silence, give up 15 s later), on top of TCP keepalive.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            // Reconnect now and then so requests spread over API server replicas behind a load balancer.
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = config.DisableCompression ? DecompressionMethods.None : DecompressionMethods.GZip,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = TlsValidation.Callback(config),
                ClientCertificateContext = clientCertificate is null ? null : SslStreamCertificateContext.Create(clientCertificate, null, offline: true),
            },
        };
        if (config.Proxy is { } proxy)
        {
            handler.Proxy = new WebProxy(proxy);
            handler.UseProxy = true;
        }

        return handler;
    }

    // TCP keepalive notices a dead peer under a silent watch; Nagle would delay small requests.
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal sealed class Generation(SocketsHttpHandler handler, string? thumbprint)
    {
        private int _refs = 1;

        public HttpMessageInvoker Invoker { get; } = new(handler, disposeHandler: true);

        public string? Thumbprint { get; } = thumbprint;

        public void AddRef() => Interlocked.Increment(ref _refs);

        public void Release()
        {
            if (Interlocked.Decrement(ref _refs) == 0)
            {
                Invoker.Dispose();
            }
        }
    }
}
