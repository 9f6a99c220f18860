using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Kubernetes;

/// <summary>How the client behaves, independent of which cluster it talks to.</summary>
public sealed record KubeClientOptions
{
    /// <summary>Client-side request rate (sustained); 0 or less turns the limit off (API priority and fairness still applies).</summary>
    public double Qps { get; init; } = 50;

    /// <summary>Requests allowed at once above <see cref="Qps"/>.</summary>
    public int Burst { get; init; } = 100;

    /// <summary>Retries of a request answered 429 or 5xx, or (for idempotent verbs) failing to connect.</summary>
    public int MaxRetries { get; init; } = 5;

    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap on one retry wait, including a server's Retry-After.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one request, not counting watches (which never time out on the client).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Least time between two discovery refreshes of one group version looking for an unknown kind.</summary>
    public TimeSpan DiscoveryRefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the full resource list (all groups) is reused.</summary>
    public TimeSpan DiscoveryCacheDuration { get; init; } = TimeSpan.FromMinutes(5);

    public string UserAgent { get; init; } = DefaultUserAgent;

    /// <summary>
    /// Offer HTTP/2 over TLS for watches (client-go uses it for everything); the server's ALPN answer decides, HTTP/1.1
    /// otherwise and always for plain http. Watches then share a few connections instead of holding one each, which is
    /// what keeps event delivery cheap with hundreds of watches open. Off only to work around a proxy that mangles HTTP/2.
    /// </summary>
    public bool Http2 { get; init; } = true;

    /// <summary>Clock of rate limits, retry waits and cache ages (not of network timeouts, which are real time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public static string DefaultUserAgent { get; } =
        "keelson/" + (typeof(KubeClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");
}
