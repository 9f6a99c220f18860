using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

/// <summary>The API server's <c>Status</c> object (meta/v1), as returned with every error.</summary>
public sealed record ApiStatus
{
    /// <summary>"Success" or "Failure".</summary>
    public string Status { get; init; } = "Failure";

    public string Message { get; init; } = "";

    /// <summary>Machine-readable reason such as NotFound, AlreadyExists, Conflict, Invalid, Expired.</summary>
    public string Reason { get; init; } = "";

    public int Code { get; init; }

    public StatusDetails? Details { get; init; }

    /// <summary>Reads a Status object; returns null when the node is not one.</summary>
    public static ApiStatus? TryParse(JsonNode? node)
    {
        if (node is not JsonObject obj || Json.String(obj, "kind") != "Status")
        {
            return null;
        }

        StatusDetails? details = null;
        if (obj["details"] is JsonObject d)
        {
            var causes = new List<StatusCause>();
            if (d["causes"] is JsonArray array)
            {
                foreach (var c in array.OfType<JsonObject>())
                {
                    causes.Add(new StatusCause(Json.String(c, "reason"), Json.String(c, "message"), Json.String(c, "field")));
                }
            }

            details = new StatusDetails
            {
                Name = Json.String(d, "name"),
                Group = Json.String(d, "group"),
                Kind = Json.String(d, "kind"),
                Uid = Json.String(d, "uid"),
                RetryAfterSeconds = Json.Long(d, "retryAfterSeconds") is { } r ? (int)r : null,
                Causes = causes,
            };
        }

        return new ApiStatus
        {
            Status = Json.String(obj, "status") ?? "Failure",
            Message = Json.String(obj, "message") ?? "",
            Reason = Json.String(obj, "reason") ?? "",
            Code = (int)(Json.Long(obj, "code") ?? 0),
            Details = details,
        };
    }

    public JsonObject ToJson()
    {
        var obj = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = Status,
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Details is { } d)
        {
            var details = new JsonObject();
            AddIfSet(details, "name", d.Name);
            AddIfSet(details, "group", d.Group);
            AddIfSet(details, "kind", d.Kind);
            AddIfSet(details, "uid", d.Uid);
            if (d.RetryAfterSeconds is { } r)
            {
                details["retryAfterSeconds"] = r;
            }

            if (d.Causes.Count > 0)
            {
                var causes = new JsonArray();
                foreach (var c in d.Causes)
                {
                    var cause = new JsonObject();
                    AddIfSet(cause, "reason", c.Reason);
                    AddIfSet(cause, "message", c.Message);
                    AddIfSet(cause, "field", c.Field);
                    causes.Add(cause);
                }

                details["causes"] = causes;
            }

            obj["details"] = details;
        }

        return obj;
    }

    private static void AddIfSet(JsonObject obj, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            obj[name] = value;
        }
    }
}

public sealed record StatusDetails
{
    public string? Name { get; init; }

    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Uid { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public IReadOnlyList<StatusCause> Causes { get; init; } = [];
}

/// <summary>One cause of a failure: for Invalid, the field and what is wrong; for apply conflicts, the field and the other manager.</summary>
public sealed record StatusCause(string? Reason, string? Message, string? Field);

/// <summary>The reasons the API server puts in <see cref="ApiStatus.Reason"/>.</summary>
public static class StatusReasons
{
    public const string NotFound = "NotFound";
    public const string AlreadyExists = "AlreadyExists";
    public const string Conflict = "Conflict";
    public const string Invalid = "Invalid";
    public const string Gone = "Gone";
    public const string Expired = "Expired";
    public const string Forbidden = "Forbidden";
    public const string Unauthorized = "Unauthorized";
    public const string TooManyRequests = "TooManyRequests";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string BadRequest = "BadRequest";
    public const string InternalError = "InternalError";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string Timeout = "Timeout";
    public const string ServerTimeout = "ServerTimeout";

    /// <summary>Cause reason of a server-side apply conflict with another field manager.</summary>
    public const string FieldManagerConflict = "FieldManagerConflict";
}
