using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Keelson.ApiServer.Api;

/// <summary>Writing JSON bodies, Status errors and Warning headers.</summary>
internal static class Responses
{
    public static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static async Task WriteBytesAsync(HttpContext http, int status, ReadOnlyMemory<byte> body, string contentType = MediaTypes.Json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        }
    }

    public static Task WriteJsonAsync(HttpContext http, int status, JsonNode node, string contentType = MediaTypes.Json) =>
        WriteBytesAsync(http, status, Serialize(node), contentType);

    public static byte[] Serialize(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static Task WriteStatusAsync(HttpContext http, ApiException error)
    {
        if (error.RetryAfterSeconds is { } retry && error.Code is 429 or 503 or 504 or 500)
        {
            http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(http, error.Code, error.ToStatus());
    }

    public static JsonObject Success(string name, string group, string resource, string uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = group.Length == 0
            ? new JsonObject { ["name"] = name, ["kind"] = resource, ["uid"] = uid }
            : new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = resource, ["uid"] = uid },
    };

    /// <summary>Adds RFC 7234 warning headers the way kube-apiserver sends them (code 299, agent "-").</summary>
    public static void AddWarnings(HttpResponse response, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings.Distinct(StringComparer.Ordinal))
        {
            var escaped = warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            response.Headers.Append("Warning", $"299 - \"{escaped}\"");
        }
    }
}
