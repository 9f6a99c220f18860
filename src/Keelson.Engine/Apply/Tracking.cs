using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Engine.Apply;

/// <summary>
/// The marks Keelson puts on every object it applies. The annotation is the authoritative identity (an owner prunes
/// only objects carrying exactly its id, so labels copied by other tools never cause a delete); the label exists only
/// because labels, unlike annotations, can be selected on the server, which keeps the live-state watches small.
/// </summary>
public static class Tracking
{
    public const string Annotation = "keelson.dev/tracking-id";

    public const string ManagedLabel = "keelson.dev/managed";

    public const string ManagedValue = "true";

    /// <summary>The label selector of every object Keelson manages.</summary>
    public const string ManagedSelector = ManagedLabel + "=" + ManagedValue;

    /// <summary><c>app-namespace/app-name:group/Kind:namespace/name</c>, the group empty for the core group.</summary>
    public static string Id(string owner, ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return $"{owner}:{resource.Group}/{resource.Kind}:{resource.Namespace}/{resource.Name}";
    }

    /// <summary>The owner (<c>namespace/name</c>) named by a tracking id, or null when the value is not one.</summary>
    public static string? OwnerOf(string? trackingId)
    {
        if (string.IsNullOrEmpty(trackingId))
        {
            return null;
        }

        var colon = trackingId.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var owner = trackingId[..colon];
        var slash = owner.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < owner.Length - 1 && owner.IndexOf('/', slash + 1) < 0 ? owner : null;
    }

    /// <summary>
    /// The owner other than <paramref name="owner"/> that <paramref name="trackingId"/> marks as the owner of exactly
    /// this object; null when the id is this owner's, is not a tracking id, or names another object (an annotation
    /// copied by some tool claims nothing).
    /// </summary>
    internal static string? OtherOwner(string owner, ResourceRef resource, string? trackingId) =>
        OwnerOf(trackingId) is { } other && other != owner && trackingId == Id(other, resource) ? other : null;

    public static string? IdOf(JsonObject obj) => obj.GetAnnotation(Annotation);

    /// <summary>Checks an owner id: <c>namespace/name</c>, each part a non-empty name without ':' or another '/'.</summary>
    public static bool IsValidOwner(string? owner) => OwnerOf(owner + ":x") == owner && owner is not null && !owner.Contains(':', StringComparison.Ordinal);

    /// <summary>Puts the tracking annotation and the managed label on an object (which the caller owns).</summary>
    internal static void Mark(JsonObject obj, string trackingId, bool label)
    {
        obj.SetAnnotation(Annotation, trackingId);
        if (label)
        {
            obj.SetLabel(ManagedLabel, ManagedValue);
        }
    }
}
