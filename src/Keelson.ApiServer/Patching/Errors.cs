using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// A patch or apply request the apiserver would refuse. <see cref="Code"/>, <see cref="Reason"/> and
/// <see cref="StatusMessage"/> are what the apiserver puts in its <c>Status</c>; <see cref="Exception.Message"/>
/// keeps the detailed cause even where the apiserver's Status message is generic (a failed JSON patch is a 422 with
/// "the server rejected our request due to an error in our request").
/// </summary>
public sealed class PatchException : Exception
{
    /// <summary>A 422 Invalid error whose Status message is the given message.</summary>
    public PatchException(string message)
        : this(message, 422, "Invalid", message)
    {
    }

    public PatchException(string message, int code, string reason, string statusMessage)
        : base(message)
    {
        Code = code;
        Reason = reason;
        StatusMessage = statusMessage;
    }

    /// <summary>HTTP status code of the apiserver's answer.</summary>
    public int Code { get; }

    /// <summary>Status reason (BadRequest, Invalid, UnsupportedMediaType); empty where the apiserver leaves it unset.</summary>
    public string Reason { get; }

    /// <summary>The <c>message</c> of the apiserver's Status.</summary>
    public string StatusMessage { get; }

    /// <summary>The apiserver's Status object for this error.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = StatusMessage,
        };
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        status["code"] = Code;
        return status;
    }

    internal static PatchException BadRequest(string message) => new(message, 400, "BadRequest", message);

    /// <summary>A JSON patch failure: 422 with the generic message of the apiserver's generic server response.</summary>
    internal static PatchException Unprocessable(string message) =>
        new(message, 422, "Invalid", "the server rejected our request due to an error in our request");

    /// <summary>An error the apiserver returns as a plain Go error: 500 without a reason.</summary>
    internal static PatchException Internal(string message) => new(message, 500, "", message);

    internal static PatchException UnsupportedMediaType(string message) => new(message, 415, "UnsupportedMediaType", message);
}

/// <summary>One field an applier tried to change that another manager owns.</summary>
/// <param name="Manager">The other manager's name.</param>
/// <param name="ApiVersion">The API version of the other manager's entry.</param>
/// <param name="Field">The field path as the apiserver formats it, e.g. <c>.spec.replicas</c>.</param>
public sealed record FieldConflict(string Manager, string ApiVersion, string Field)
{
    /// <summary>The other manager's operation: Apply or Update.</summary>
    public string Operation { get; init; } = "Apply";

    /// <summary>The subresource of the other manager's entry, if any.</summary>
    public string? Subresource { get; init; }

    /// <summary>
    /// The cause message: <c>conflict with "kubectl"</c> for an applier, <c>conflict with "kube-controller-manager" using apps/v1</c>
    /// for an updater.
    /// </summary>
    public string Message => "conflict with " + DescribeManager();

    internal string DescribeManager()
    {
        var text = GoFormat.Quote(Manager);
        if (!string.IsNullOrEmpty(Subresource))
        {
            text += " with subresource " + GoFormat.Quote(Subresource);
        }

        return Operation == "Update" ? text + " using " + ApiVersion : text;
    }
}

/// <summary>
/// Server-side apply changed fields other managers own. The message is the apiserver's, e.g.
/// <c>Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas</c>; the Status is 409 Conflict
/// with one <c>FieldManagerConflict</c> cause per field (<see cref="ToStatus"/>).
/// </summary>
public sealed class ApplyConflictException : Exception
{
    public ApplyConflictException(IReadOnlyList<FieldConflict> conflicts)
        : base(Describe(conflicts))
    {
        Conflicts = conflicts;
    }

    public IReadOnlyList<FieldConflict> Conflicts { get; }

    /// <summary>The <c>details.causes</c> of the conflict Status: <c>{"reason":"FieldManagerConflict","message":...,"field":...}</c>.</summary>
    public JsonArray ToStatusCauses() =>
        new(Conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = c.Message,
            ["field"] = c.Field,
        }).ToArray());

    /// <summary>The apiserver's Status: 409, reason Conflict, the message, and the causes.</summary>
    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = "Conflict",
        ["details"] = new JsonObject { ["causes"] = ToStatusCauses() },
        ["code"] = 409,
    };

    private static string Describe(IReadOnlyList<FieldConflict> conflicts)
    {
        if (conflicts.Count == 1)
        {
            return $"Apply failed with 1 conflict: conflict with {conflicts[0].DescribeManager()}: {conflicts[0].Field}";
        }

        // Grouped by manager in the order the conflicts come (the field manager sorts them by manager identity).
        var sb = new StringBuilder($"Apply failed with {conflicts.Count} conflicts: ");
        var first = true;
        foreach (var group in conflicts.GroupBy(c => c.DescribeManager()))
        {
            if (!first)
            {
                sb.Append('\n');
            }

            first = false;
            sb.Append("conflicts with ").Append(group.Key).Append(':');
            foreach (var conflict in group)
            {
                sb.Append("\n- ").Append(conflict.Field);
            }
        }

        return sb.ToString();
    }
}
