namespace Keelson.Kubernetes;

/// <summary>
/// An error answer from the API server, carrying its <see cref="ApiStatus"/>. Test the kind of failure with the
/// <c>Is*</c> properties (<c>catch (KubeApiException e) when (e.IsNotFound)</c>), like apimachinery's errors package.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(ApiStatus status, string? verb = null, string? path = null, Exception? innerException = null)
        : base(Describe(status, verb, path), innerException)
    {
        Status = status;
        Verb = verb;
        Path = path;
    }

    public ApiStatus Status { get; }

    /// <summary>The HTTP verb of the failed request (GET, PATCH...), when known.</summary>
    public string? Verb { get; }

    /// <summary>The request path (without host), when known.</summary>
    public string? Path { get; }

    public int Code => Status.Code;

    public string Reason => Status.Reason;

    public bool IsNotFound => Is(StatusReasons.NotFound, 404);

    public bool IsAlreadyExists => Is(StatusReasons.AlreadyExists, -1);

    /// <summary>Optimistic concurrency failure (stale resourceVersion) or a server-side apply conflict.</summary>
    public bool IsConflict => Is(StatusReasons.Conflict, 409) && !IsAlreadyExists;

    /// <summary>A server-side apply conflict: another field manager owns fields this apply sets (see <see cref="Conflicts"/>).</summary>
    public bool IsFieldManagerConflict => IsConflict && Conflicts.Count > 0;

    /// <summary>The resourceVersion is too old (watch or list continuation): the caller must relist.</summary>
    public bool IsGone => Reason is StatusReasons.Gone or StatusReasons.Expired || Code == 410;

    public bool IsInvalid => Is(StatusReasons.Invalid, 422);

    public bool IsBadRequest => Is(StatusReasons.BadRequest, 400);

    public bool IsForbidden => Is(StatusReasons.Forbidden, 403);

    public bool IsUnauthorized => Is(StatusReasons.Unauthorized, 401);

    public bool IsMethodNotAllowed => Is(StatusReasons.MethodNotAllowed, 405);

    public bool IsTooManyRequests => Is(StatusReasons.TooManyRequests, 429);

    public bool IsServerError => Code >= 500;

    /// <summary>The causes naming fields another manager owns, for a server-side apply conflict.</summary>
    public IReadOnlyList<StatusCause> Conflicts =>
        Status.Details?.Causes.Where(c => c.Reason == StatusReasons.FieldManagerConflict).ToList() ?? [];

    private bool Is(string reason, int code) =>
        Status.Reason == reason || (code > 0 && Status.Code == code && string.IsNullOrEmpty(Status.Reason));

    private static string Describe(ApiStatus status, string? verb, string? path)
    {
        var what = verb is null ? "" : $"{verb} {path}: ";
        var message = string.IsNullOrEmpty(status.Message) ? "(no message)" : status.Message;
        var reason = string.IsNullOrEmpty(status.Reason) ? "" : $"{status.Reason}, ";
        return $"{what}{message} ({reason}{status.Code})";
    }
}
