using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>Carries only metadata.resourceVersion: progress to resume from, no change.</summary>
    Bookmark,
}

/// <summary>One event of a watch stream.</summary>
public sealed record WatchEvent(WatchEventType Type, JsonObject Object)
{
    public string? ResourceVersion => Object.GetResourceVersion();
}

/// <summary>One page of a list.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue)
{
    public long? RemainingItemCount { get; init; }
}
