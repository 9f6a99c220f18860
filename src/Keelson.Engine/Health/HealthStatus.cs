namespace Keelson.Engine.Health;

/// <summary>Health in Argo CD's words, so users migrating read the same statuses.</summary>
public enum HealthStatus
{
    Healthy,
    Progressing,
    Degraded,
    Suspended,
    Missing,
    Unknown,
}

/// <summary>The health of one object, with a short human message when it is not plainly healthy.</summary>
public sealed record HealthResult(HealthStatus Status, string? Message)
{
    internal static HealthResult Healthy(string? message = null) => new(HealthStatus.Healthy, message);

    internal static HealthResult Progressing(string message) => new(HealthStatus.Progressing, message);

    internal static HealthResult Degraded(string message) => new(HealthStatus.Degraded, message);

    internal static HealthResult Suspended(string message) => new(HealthStatus.Suspended, message);
}

/// <summary>One resource's health as the application aggregate sees it.</summary>
public sealed record ResourceHealth(string Kind, string? Namespace, string Name, HealthResult Health, bool IsHook = false);
