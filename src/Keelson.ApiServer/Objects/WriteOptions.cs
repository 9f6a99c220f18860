using System.Text.Json.Nodes;
using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Objects;

/// <summary>How unknown fields in a request are treated (the <c>fieldValidation</c> parameter).</summary>
internal enum FieldValidation
{
    Ignore,
    Warn,
    Strict,
}

internal enum PatchKind
{
    Json,
    Merge,
    Strategic,
    Apply,
}

/// <summary>Options every mutating request carries.</summary>
internal sealed record WriteOptions
{
    public bool DryRun { get; init; }

    /// <summary>The field manager (explicit, or derived from the user agent for non-apply writes).</summary>
    public string FieldManager { get; init; } = "unknown";

    public bool Force { get; init; }

    public FieldValidation Validation { get; init; } = FieldValidation.Warn;

    /// <summary>"status", "scale", "finalize", the internal "binding", or null for the main resource.</summary>
    public string? Subresource { get; init; }
}

internal sealed record DeleteOptions
{
    public string? PropagationPolicy { get; init; }

    public long? GracePeriodSeconds { get; init; }

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }

    public bool? OrphanDependents { get; init; }
}

/// <summary>The outcome of a write: the object as the client should see it and, when stored, its stored version.</summary>
internal sealed record WriteResult(JsonObject Object, StoredObject? Stored, bool Created, IReadOnlyList<string> Warnings);

/// <summary>The outcome of a delete: gone at once (Status details) or still present with a deletionTimestamp.</summary>
internal sealed record DeleteResult(JsonObject Object, bool Deleted);
