using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Operator.Sync;

/// <summary>
/// The marks on every applied object: the annotation <c>keelson.dev/tracking-id</c>
/// (<c>app-namespace/app-name:group/Kind:namespace/name</c>) is the identity prune trusts; the label
/// <c>keelson.dev/managed=true</c> only lets the live-state watches select managed objects on the server.
/// </summary>
internal static class Tracking
{
    public const string Annotation = "keelson.dev/tracking-id";

    public const string ManagedLabel = "keelson.dev/managed";

    public const string ManagedSelector = ManagedLabel + "=true";

    public static string Id(string owner, string group, string kind, string? ns, string name) => $"{owner}:{group}/{kind}:{ns}/{name}";

    /// <summary>The owner (<c>namespace/name</c>) of a tracking id, or null.</summary>
    public static string? OwnerOf(string? trackingId)
    {
        var colon = trackingId?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0)
        {
            return null;
        }

        var owner = trackingId![..colon];
        var slash = owner.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < owner.Length - 1 && owner.IndexOf('/', slash + 1) < 0 ? owner : null;
    }

    public static string? IdOf(JsonObject obj) => obj.GetAnnotation(Annotation);
}
