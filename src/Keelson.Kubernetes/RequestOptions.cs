namespace Keelson.Kubernetes;

/// <summary>Options of a list request.</summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Page size; the answer carries a continue token when more objects remain.</summary>
    public int? Limit { get; init; }

    public string? Continue { get; init; }

    public string? ResourceVersion { get; init; }

    /// <summary>"Exact" or "NotOlderThan" (with <see cref="ResourceVersion"/>).</summary>
    public string? ResourceVersionMatch { get; init; }

    public int? TimeoutSeconds { get; init; }
}

/// <summary>Options of a watch request.</summary>
public sealed record WatchOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Resume after this resourceVersion; events at or before it are not sent again.</summary>
    public string? ResourceVersion { get; init; }

    public bool AllowBookmarks { get; init; } = true;

    /// <summary>
    /// The server ends the watch after this long. The client also gives up 30 s later if the server stays silent,
    /// which catches connections that died without a reset. Null: no limit on either side.
    /// </summary>
    public int? TimeoutSeconds { get; init; }
}

/// <summary>Options of create and update.</summary>
public sealed record WriteOptions
{
    public string? FieldManager { get; init; }

    /// <summary>Validate and run admission without persisting (<c>dryRun=All</c>).</summary>
    public bool DryRun { get; init; }

    /// <summary>"Strict", "Warn" or "Ignore" (server default Warn for most clients).</summary>
    public string? FieldValidation { get; init; }
}

/// <summary>Options of a patch (merge, JSON or strategic).</summary>
public sealed record PatchOptions
{
    public string? FieldManager { get; init; }

    public bool DryRun { get; init; }

    public string? FieldValidation { get; init; }
}

/// <summary>Options of a server-side apply.</summary>
public sealed record ApplyOptions
{
    /// <summary>Who owns the applied fields; required by the API.</summary>
    public required string FieldManager { get; init; }

    /// <summary>Take over fields owned by other managers instead of failing with a conflict.</summary>
    public bool Force { get; init; }

    public bool DryRun { get; init; }

    public string? FieldValidation { get; init; }
}

public enum PropagationPolicy
{
    Background,
    Foreground,
    Orphan,
}

/// <summary>Options of delete and deletecollection.</summary>
public sealed record DeleteOptions
{
    public PropagationPolicy? PropagationPolicy { get; init; }

    public long? GracePeriodSeconds { get; init; }

    /// <summary>Delete only if the object still has this uid.</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Delete only if the object still has this resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }
}

public enum PatchType
{
    /// <summary>JSON merge patch (RFC 7386), <c>application/merge-patch+json</c>.</summary>
    Merge,

    /// <summary>JSON patch (RFC 6902), <c>application/json-patch+json</c>.</summary>
    Json,

    /// <summary>Strategic merge patch (built-in kinds only), <c>application/strategic-merge-patch+json</c>.</summary>
    Strategic,
}
