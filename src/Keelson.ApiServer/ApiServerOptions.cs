using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer;

/// <summary>How the simulator runs. Defaults suit tests: HTTPS, random port, controllers on, short ready delay.</summary>
public sealed record ApiServerOptions
{
    /// <summary>Serve HTTPS with a generated CA (written into kubeconfigs). Plain HTTP otherwise.</summary>
    public bool Https { get; init; } = true;

    /// <summary>The bearer token clients must present; random when null.</summary>
    public string? Token { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Run the simulated controllers (Deployments become ready, Jobs complete, PVCs bind...).</summary>
    public bool EnableControllers { get; init; } = true;

    /// <summary>How long after a change a simulated workload becomes ready.</summary>
    public TimeSpan ReadyDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Watch events kept per resource for resuming watches; older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>Events older than this (by the simulator's clock) are compacted away, like etcd's 5-minute compaction.</summary>
    public TimeSpan WatchHistoryWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often watches that allow bookmarks receive one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Shortest server-side watch timeout when the client sets none (upstream: 30 to 60 minutes).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long the server refuses connections during <see cref="ApiServerHost.RestartAsync(CancellationToken)"/>; with a
    /// <c>whileDown</c> callback, at least this long.
    /// </summary>
    public TimeSpan RestartDowntime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// HTTP/2 streams (requests, watches included) one connection may carry at once; clients open another connection
    /// beyond it. Upstream's --http2-max-streams-per-connection, where 0 means Go's default of 250.
    /// </summary>
    public int MaxStreamsPerConnection { get; init; } = 1000;

    /// <summary>Queued events after which a watch that does not keep up is closed.</summary>
    public int MaxPendingWatchEvents { get; init; } = 100_000;

    /// <summary>Create <c>kube-root-ca.crt</c> and the <c>default</c> ServiceAccount in every namespace, as a real cluster does.</summary>
    public bool PublishNamespaceDefaults { get; init; } = true;

    /// <summary>The cluster's clock (object timestamps, simulated controllers, history window, bookmarks).</summary>
    public TimeProvider? TimeProvider { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}
