using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>Services are healthy as soon as they exist, except LoadBalancers, which wait for an address.</summary>
internal static class ServiceHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        if (Fields.Str(obj, "spec", "type") != "LoadBalancer")
        {
            return HealthResult.Healthy();
        }

        return LoadBalancer.HasAddress(obj)
            ? HealthResult.Healthy()
            : HealthResult.Progressing("Waiting for the load balancer to get an address");
    }
}

internal static class LoadBalancer
{
    /// <summary>True when status.loadBalancer.ingress has an entry with an IP or a host name.</summary>
    public static bool HasAddress(JsonObject obj) =>
        (Fields.Array(obj, "status", "loadBalancer", "ingress") ?? [])
            .Any(i => !string.IsNullOrEmpty(Fields.Str(i, "ip")) || !string.IsNullOrEmpty(Fields.Str(i, "hostname")));
}
