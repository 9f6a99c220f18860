using Keelson.Engine;
using Keelson.Engine.Diff;
using Keelson.Engine.Render;
using Keelson.Engine.Source;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;
using Keelson.Operator.Applications;
using Keelson.Operator.Metrics;
using Keelson.Operator.Reconciliation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Operator.Hosting;

/// <summary>
/// The running operator: the client, the shared <see cref="SyncEngine"/>, the Application reconciler (behind leader
/// election when asked) and the HTTP endpoints /metrics, /healthz and /readyz. Start one with
/// <see cref="StartAsync"/>; disposing it stops everything.
/// </summary>
public sealed partial class OperatorHost : IAsyncDisposable
{
    private readonly OperatorHostOptions _options;
    private readonly KubeClient _client;
    private readonly LiveCache _liveCache;
    private readonly EventRecorder _events;
    private readonly ApplicationReconciler _reconciler;
    private readonly CancellationTokenSource _stop = new();

    // The sources' counters, for /metrics.
    private readonly MeterExport _meters = new();
    private readonly string _cacheRoot;
    private readonly bool _ownsCache;
    private readonly ILogger _logger;
    private WebApplication? _web;
    private LeaderElector? _elector;
    private Task _run = Task.CompletedTask;

    private OperatorHost(OperatorHostOptions options)
    {
        _options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<OperatorHost>();
        _ownsCache = options.CacheRoot is null;
        _cacheRoot = options.CacheRoot ?? Path.Combine(Path.GetTempPath(), "keelson-cache-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_cacheRoot);
        _client = new KubeClient(options.Cluster, new KubeClientOptions { TimeProvider = options.Time, LoggerFactory = loggers, Qps = options.KubeApiQps, Burst = options.KubeApiBurst });
        var git = new GitSourceOptions { CacheRoot = _cacheRoot, AllowFileUrls = options.AllowFileUrls };
        var source = new GitSource(
            git with
            {
                RepoIdleTimeout = RepoIdleTimeout(git.RepoIdleTimeout, options.Reconciler.ReconcileInterval),
                MaxRepoCacheBytes = options.MaxRepoCacheBytes ?? git.MaxRepoCacheBytes,
            },
            loggers.CreateLogger<GitSource>(),
            options.Time,
            _meters);
        var renderer = new ManifestRenderer(options.Render, options.Time, loggers.CreateLogger<ManifestRenderer>());
        _liveCache = new LiveCache(_client);
        Engine = new SyncEngine(_client, source, renderer, _liveCache, new SyncEngineOptions { FieldManager = ApplicationNames.FieldManager, HelmCacheDirectory = Path.Combine(_cacheRoot, "helm") }, options.Time, loggers, _meters);
        Metrics = new OperatorMetrics(options.Time) { Meters = _meters };
        _events = new EventRecorder(_client, new EventRecorderOptions { ReportingController = "keelson.dev/operator", ReportingInstance = options.Identity });
        _reconciler = new ApplicationReconciler(_client, Engine, _events, options.Reconciler, Metrics, options.Time, loggers.CreateLogger<ApplicationReconciler>());
        Metrics.QueueDepth = () => _reconciler.QueueDepth;
    }

    /// <summary>
    /// A repository polled less often than its cache's idle timeout would be removed and fetched again at every poll:
    /// keep it for at least four polling intervals (jitter included).
    /// </summary>
    internal static TimeSpan RepoIdleTimeout(TimeSpan standard, TimeSpan reconcileInterval) =>
        reconcileInterval > TimeSpan.MaxValue / 4 ? TimeSpan.MaxValue
        : reconcileInterval * 4 > standard ? reconcileInterval * 4
        : standard;

    /// <summary>The pipeline shared by every Application.</summary>
    public SyncEngine Engine { get; }

    public OperatorMetrics Metrics { get; }

    /// <summary>Base URL of /metrics, /healthz and /readyz (null when not served).</summary>
    public Uri? HttpUrl { get; private set; }

    /// <summary>Whether this replica reconciles: it holds the Lease, or leader election is off.</summary>
    public bool IsLeader => _options.LeaderElection ? _elector?.IsLeader ?? false : true;

    /// <summary>Ready: this replica leads (or election is off) and has listed the Applications; or it is a standby.</summary>
    public bool IsReady => _elector is { IsLeader: false } || _reconciler.HasSynced;

    /// <summary>Ends when the operator stops (cancelled, disposed, or leadership lost).</summary>
    public Task Completion => _run;

    /// <summary>Starts the operator; returns once the HTTP endpoints listen and the reconciler runs in the background.</summary>
    public static async Task<OperatorHost> StartAsync(OperatorHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new OperatorHost(options);
        try
        {
            if (options.HttpAddress is { } address)
            {
                await host.StartHttpAsync(address, cancellationToken);
            }

            host._run = Task.Run(() => host.RunAsync(host._stop.Token), CancellationToken.None);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_options.LeaderElection)
            {
                await _reconciler.RunAsync(cancellationToken);
                return;
            }

            _elector = new LeaderElector(_client, new LeaderElectionOptions
            {
                LeaseName = _options.LeaseName,
                LeaseNamespace = _options.LeaseNamespace,
                Identity = _options.Identity,
                OnNewLeader = leader => LogLeader(leader ?? "(none)"),
            });
            var outcome = await _elector.RunAsync(_reconciler.RunAsync, cancellationToken);
            if (outcome == LeadershipOutcome.Lost)
            {
                // Another replica may already lead: stop at once so two never reconcile together.
                LogLeadershipLost();
                throw new InvalidOperationException("leadership lost; exiting so a fresh process can campaign again");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task StartHttpAsync(string address, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://" + address);
        var web = builder.Build();
        web.MapGet("/metrics", () => Results.Text(Metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        web.MapGet("/healthz", () => Results.Text("ok\n"));
        web.MapGet("/readyz", () => IsReady ? Results.Text("ok\n") : Results.Text("not ready: Applications not listed yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        await web.StartAsync(cancellationToken);
        _web = web;
        HttpUrl = new Uri(web.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (InvalidOperationException)
        {
        }

        await _reconciler.DisposeAsync();
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        await _events.DisposeAsync();
        await _liveCache.DisposeAsync();
        _client.Dispose();
        _stop.Dispose();
        _meters.Dispose();
        if (_ownsCache)
        {
            try
            {
                Directory.Delete(_cacheRoot, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
