using Keelson.Engine.Render;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;
using Keelson.Operator.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Hosting;

/// <summary>Everything the operator process needs; the CLI verbs and the tests fill it in.</summary>
public sealed record OperatorHostOptions
{
    /// <summary>Where the cluster is and how to authenticate.</summary>
    public required KubeClientConfig Cluster { get; init; }

    public ReconcilerOptions Reconciler { get; init; } = new();

    /// <summary>Git cache directory; null uses a fresh temporary directory removed on shutdown.</summary>
    public string? CacheRoot { get; init; }

    /// <summary>Disk kept for Git repositories under <see cref="CacheRoot"/>; null keeps the source's default (2 GiB).</summary>
    public long? MaxRepoCacheBytes { get; init; }

    /// <summary>Whether file:// repository URLs are accepted (local mode and tests; off in a shared cluster).</summary>
    public bool AllowFileUrls { get; init; } = true;

    public RenderSettings Render { get; init; } = new();

    /// <summary>Address of /metrics, /healthz and /readyz, e.g. <c>127.0.0.1:0</c> (random port) or <c>0.0.0.0:8080</c>; null serves none.</summary>
    public string? HttpAddress { get; init; }

    /// <summary>Lease-based leader election, so only one replica reconciles.</summary>
    public bool LeaderElection { get; init; }

    /// <summary>Namespace of the leader election Lease.</summary>
    public string LeaseNamespace { get; init; } = "keelson";

    public string LeaseName { get; init; } = "keelson-operator";

    /// <summary>This replica's name in the Lease and in Events (the pod name in a cluster).</summary>
    public string Identity { get; init; } = Environment.MachineName + "-" + Environment.ProcessId;

    /// <summary>
    /// Client-side limit on requests to the API server (per second, and how many at once above it); 0 means none,
    /// the default: the API server's priority and fairness limits the operator (see <c>keelson run --kube-api-qps</c>).
    /// </summary>
    public double KubeApiQps { get; init; }

    public int KubeApiBurst { get; init; } = 100;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
