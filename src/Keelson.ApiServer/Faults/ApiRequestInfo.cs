namespace Keelson.ApiServer.Faults;

/// <summary>
/// What a request is, as kube-apiserver's request info describes it. Verb is one of get, list, watch, create,
/// update, patch, delete, deletecollection for resource requests, or the lower-case HTTP method otherwise.
/// Used by fault-injection predicates and request accounting.
/// </summary>
public sealed record ApiRequestInfo
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string Resource { get; init; } = "";

    public string? Subresource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The fieldManager query parameter, when given.</summary>
    public string? FieldManager { get; init; }

    /// <summary>True for watch requests (<c>?watch=true</c> or the legacy <c>/watch/</c> paths).</summary>
    public bool IsWatch => Verb == "watch";

    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";
}
