using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>Ingresses are healthy once the ingress controller has published a load balancer address.</summary>
internal static class IngressHealth
{
    public static HealthResult Assess(JsonObject obj) =>
        LoadBalancer.HasAddress(obj)
            ? HealthResult.Healthy()
            : HealthResult.Progressing("Waiting for the ingress controller to publish an address");
}
