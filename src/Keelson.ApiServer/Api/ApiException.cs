using System.Text.Json.Nodes;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Api;

internal sealed record StatusCause(string Reason, string Message, string? Field);

/// <summary>
/// An API error carried to the HTTP layer and written as a <c>Status</c> object with the reason, code and message
/// kube-apiserver uses for the same situation, so clients (kubectl, client-go, Keelson) react to it the same way.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message)
        : base(message)
    {
        Code = code;
        Reason = reason;
    }

    public int Code { get; }

    public string Reason { get; }

    public string? Name { get; init; }

    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Uid { get; init; }

    public IReadOnlyList<StatusCause> Causes { get; init; } = [];

    public int? RetryAfterSeconds { get; init; }

    /// <summary>A continue token for the inconsistent remainder of a list (set on expired continue tokens).</summary>
    public string? Continue { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = Continue is null ? new JsonObject() : new JsonObject { ["continue"] = Continue },
            ["status"] = "Failure",
            ["message"] = Message,
        };

        // The apiserver leaves the reason out for errors it passes through as plain Go errors.
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        var details = new JsonObject();
        if (Name is not null)
        {
            details["name"] = Name;
        }

        if (Group is { Length: > 0 })
        {
            details["group"] = Group;
        }

        if (Kind is not null)
        {
            details["kind"] = Kind;
        }

        if (Uid is not null)
        {
            details["uid"] = Uid;
        }

        if (Causes.Count > 0)
        {
            var causes = new JsonArray();
            foreach (var c in Causes)
            {
                var cause = new JsonObject();
                if (c.Reason.Length > 0)
                {
                    cause["reason"] = c.Reason;
                }

                cause["message"] = c.Message;
                if (c.Field is not null)
                {
                    cause["field"] = c.Field;
                }

                causes.Add(cause);
            }

            details["causes"] = causes;
        }

        if (RetryAfterSeconds is { } retry)
        {
            details["retryAfterSeconds"] = retry;
        }

        if (details.Count > 0)
        {
            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    public static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    public static ApiException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found") { Name = name, Group = group, Kind = resource };

    public static ApiException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists") { Name = name, Group = group, Kind = resource };

    public static ApiException Conflict(string group, string resource, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {detail}") { Name = name, Group = group, Kind = resource };

    public static ApiException StaleObject(string group, string resource, string name) =>
        Conflict(group, resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var list = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {list}")
        {
            Name = name,
            Group = group,
            Kind = kind,
            Causes = errors.Select(e => new StatusCause(e.Reason, e.Body, e.Field)).ToList(),
        };
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>A patch or apply the patching library refused, with the code, reason and message the apiserver uses.</summary>
    public static ApiException FromPatch(Patching.PatchException error) => new(error.Code, error.Reason, error.StatusMessage);

    public static ApiException Forbidden(string group, string resource, string name, string detail, string? causeReason = null)
    {
        var target = name.Length == 0 ? Qualified(group, resource) : $"{Qualified(group, resource)} \"{name}\"";
        return new ApiException(403, "Forbidden", $"{target} is forbidden: {detail}")
        {
            Name = name,
            Group = group,
            Kind = resource,
            Causes = causeReason is null ? [] : [new StatusCause(causeReason, detail, null)],
        };
    }

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}")
        {
            Causes = [new StatusCause("UnsupportedMediaType", contentType, null)],
        };

    public static ApiException NotAcceptable(string message) => new(406, "NotAcceptable", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException TooManyRequests(int retryAfterSeconds) =>
        new(429, "TooManyRequests", "Too many requests, please try again later.") { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException Internal(string detail) =>
        new(500, "InternalError", $"Internal error occurred: {detail}") { Causes = [new StatusCause("", detail, null)] };

    public static ApiException ServiceUnavailable(string message, int? retryAfterSeconds = null) =>
        new(503, "ServiceUnavailable", message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException Timeout(string message, int retryAfterSeconds) =>
        new(504, "Timeout", message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException TooLarge(string message) => new(413, "RequestEntityTooLarge", message);
}
