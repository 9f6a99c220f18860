using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Controllers;
using Keelson.ApiServer.Crds;
using Keelson.ApiServer.Faults;
using Keelson.ApiServer.Hosting;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.ApiServer;

/// <summary>
/// A Kubernetes API server simulator on 127.0.0.1: in-process for tests and local mode, or standalone
/// (<c>dotnet run --project src/Keelson.ApiServer -- --kubeconfig PATH</c>). Data lives in memory and survives
/// <see cref="RestartAsync(CancellationToken)"/>; watch history does not.
/// </summary>
public sealed partial class ApiServerHost : IAsyncDisposable
{
    private readonly ApiServerOptions _options;
    private readonly Certificates _certificates;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ObjectStore _store;
    private readonly ObjectService _objects;
    private readonly Lifecycle.Lifecycle _lifecycle;
    private readonly ApiHandler _handler;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ITimer _bookmarks;
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private WebApplication? _app;
    private int _port;
    private int _connections;

    private ApiServerHost(ApiServerOptions options)
    {
        _options = options;
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ApiServerHost>();
        var time = options.TimeProvider ?? TimeProvider.System;
        Time = time;
        _certificates = Certificates.Create();
        Token = options.Token ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _store = new ObjectStore(time, options.WatchHistoryLimit, options.WatchHistoryWindow, options.MaxPendingWatchEvents);
        var registry = new ResourceRegistry(BuiltInKinds.Create());
        var services = new ClusterServices(_store);
        _objects = new ObjectService(_store, registry, time, services);
        var crds = new CrdRegistrar(_objects, registry, time);
        _store.Committed = crds.OnCommitted;
        _store.Removing = crds.OnRemoving;
        _lifecycle = new Lifecycle.Lifecycle(_objects, services, options.PublishNamespaceDefaults ? _certificates.CaPem : null, _loggerFactory.CreateLogger<Lifecycle.Lifecycle>());
        _lifecycle.Start();
        Faults = new FaultInjector(_store);
        Requests = new RequestCounters();
        Controllers = new SimulatedControllers(_objects, time, options.ReadyDelay, _loggerFactory.CreateLogger<SimulatedControllers>());
        var resources = new ResourceHandler(_objects, time, new WatchSettings(options.MinWatchTimeout, _shutdown.Token));
        var discovery = new Discovery(registry, () => $"127.0.0.1:{_port}");
        _handler = new ApiHandler(resources, discovery, new OpenApi(registry), Faults, Requests, Token, _certificates.IssuedByCa, _loggerFactory.CreateLogger<ApiHandler>());
        Bootstrap.Seed(_objects, registry);
        if (options.EnableControllers)
        {
            Controllers.Start();
        }

        _bookmarks = time.CreateTimer(_ => _store.SendBookmarks(), null, options.BookmarkInterval, options.BookmarkInterval);
    }

    /// <summary>The server's base URL (https://127.0.0.1:PORT or http://...).</summary>
    public Uri Url => UrlOf(_port);

    public string Token { get; }

    /// <summary>The CA that signed the serving certificate, PEM-encoded; null when serving plain HTTP.</summary>
    public string? CaCertificatePem => _options.Https ? _certificates.CaPem : null;

    public FaultInjector Faults { get; }

    public RequestCounters Requests { get; }

    public SimulatedControllers Controllers { get; }

    /// <summary>The cluster's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => _store.ResourceVersion;

    /// <summary>Changes committed to storage since start (no-op writes are not counted).</summary>
    public long StoredChanges => _store.Writes;

    public int ObjectCount => _store.ObjectCount;

    /// <summary>Watches currently open.</summary>
    public int OpenWatches => _store.WatchCount;

    /// <summary>Client connections open now (with HTTP/2 one carries many requests and watches).</summary>
    public int OpenConnections => Volatile.Read(ref _connections);

    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new ApiServerHost(options);
        try
        {
            await host.StartWebAsync(options.Port, cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Writes a kubeconfig (HTTPS + CA data + token) that kubectl and client libraries use as is; returns the path.</summary>
    public string WriteKubeconfig(string path)
    {
        Kubeconfig.Write(path, Kubeconfig.Render(Url, Token, CaCertificatePem));
        return Path.GetFullPath(path);
    }

    /// <summary>An HttpClient that trusts the simulator's CA and sends the token.</summary>
    public HttpClient CreateHttpClient()
    {
        var client = new HttpClient(CreateHandler()) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    /// <summary>A handler trusting exactly the simulator's CA (no token; add it yourself).</summary>
    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), EnableMultipleHttp2Connections = true };
        if (_options.Https)
        {
            var ca = _certificates.Ca;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return chain.Build(presented) && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None;
            };
        }

        return handler;
    }

    /// <summary>
    /// Issues a client certificate (CN = user, O = groups) signed by the simulator's CA; presenting it authenticates
    /// like the token does. Returns PEM text for a kubeconfig's client-certificate-data / client-key-data.
    /// </summary>
    public (string CertificatePem, string KeyPem) IssueClientCertificate(string user = "keelson-admin", params string[] groups) =>
        _options.Https
            ? _certificates.IssueClient(user, groups.Length == 0 ? ["system:masters"] : groups)
            : throw new InvalidOperationException("client certificates need HTTPS");

    /// <summary>Forgets all watch history and paging snapshots: any older resourceVersion now gets 410 Expired.</summary>
    public void CompactHistory() => _store.CompactAll();

    /// <summary>
    /// Simulates an API server restart: every connection (watches included) is dropped, connections are refused for
    /// <see cref="ApiServerOptions.RestartDowntime"/>, then the server listens again on the same port with the same data.
    /// Like a restarted kube-apiserver, whose watch cache starts from a fresh list of etcd, it comes back with no watch
    /// history: a watch resumed from a resourceVersion older than the one current at its return gets the 410 Expired
    /// ERROR event (clients list again); one from that resourceVersion or later resumes. Objects, their
    /// resourceVersions and continue tokens survive, as etcd keeps them.
    /// </summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => RestartAsync(null, cancellationToken);

    /// <summary>
    /// <see cref="RestartAsync(CancellationToken)"/>, running <paramref name="whileDown"/> while this server refuses
    /// connections. It is given the URL of another replica serving the same data (same token and CA), as the other
    /// kube-apiservers of a control plane serve while one restarts: what it changes there is what clients of this one
    /// missed. The downtime lasts as long as <paramref name="whileDown"/>, and at least the configured downtime.
    /// </summary>
    public async Task RestartAsync(Func<Uri, CancellationToken, Task>? whileDown, CancellationToken cancellationToken = default)
    {
        await _restartGate.WaitAsync(cancellationToken);
        try
        {
            LogRestarting(_logger, _port);

            // A transport-level outage, so it is measured in real time rather than the simulated clock.
            var down = System.Diagnostics.Stopwatch.StartNew();
            await StopWebAsync();
            try
            {
                if (whileDown is not null)
                {
                    var replica = await StartListenerAsync(0, cancellationToken);
                    try
                    {
                        await whileDown(UrlOf(PortOf(replica)), cancellationToken);
                    }
                    finally
                    {
                        await StopListenerAsync(replica);
                    }
                }

                var rest = _options.RestartDowntime - down.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, cancellationToken);
                }
            }
            finally
            {
                // Back up even when the outage was cut short (a failed callback, a cancelled test): a server left down
                // would fail every later step. Before the first request is served, as the real watch cache is
                // initialised before it serves.
                var start = _store.RestartWatchCache();
                LogWatchCacheStart(_logger, start);
                await StartWebAsync(_port, CancellationToken.None);
            }
        }
        finally
        {
            _restartGate.Release();
        }
    }

    private async Task StartWebAsync(int port, CancellationToken cancellationToken)
    {
        var app = await StartListenerAsync(port, cancellationToken);
        _port = PortOf(app);
        _app = app;
        LogListening(_logger, Url);
    }

    private static int PortOf(WebApplication app) => new Uri(app.Urls.First()).Port;

    private Uri UrlOf(int port) => new($"{(_options.Https ? "https" : "http")}://127.0.0.1:{port}");

    /// <summary>A Kestrel listener on 127.0.0.1 serving this simulator's API (port 0: a free one).</summary>
    private async Task<WebApplication> StartListenerAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Keelson.ApiServer", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes + 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = _options.MaxStreamsPerConnection;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref _connections);
                    try
                    {
                        await next(connection);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _connections);
                    }
                });
                if (_options.Https)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = _certificates.Server,

                        // Client certificates are optional (tokens work too) and checked against the CA per request.
                        ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                    });
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http1;
                }
            });
        });
        var app = builder.Build();
        app.Run(_handler.InvokeAsync);

        try
        {
            // Rebinding the same port right after a restart can briefly fail while the old socket closes.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                    return app;
                }
                catch (IOException) when (attempt < 50 && port != 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                }
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private async Task StopWebAsync()
    {
        if (_app is not { } app)
        {
            return;
        }

        _app = null;
        await StopListenerAsync(app);
    }

    private static async Task StopListenerAsync(WebApplication app)
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        await StopWebAsync();
        await _bookmarks.DisposeAsync();
        await Controllers.DisposeAsync();
        await _lifecycle.DisposeAsync();
        _certificates.Dispose();
        _shutdown.Dispose();
        _restartGate.Dispose();
    }

    internal ObjectService Objects => _objects;

    internal JsonObject? Get(string group, string version, string resource, string ns, string name)
    {
        var type = _objects.Registry.Find(group, version, resource);
        return type is null ? null : _objects.Get(type, ns, name)?.Object;
    }
}
