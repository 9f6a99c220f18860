using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;
using Microsoft.AspNetCore.Http;

namespace Keelson.ApiServer.Api;

/// <summary>
/// Reads request bodies: JSON, or YAML for <c>application/yaml</c> and <c>application/apply-patch+yaml</c>
/// (kubectl sends JSON text even for the latter, which is valid YAML and parsed as JSON directly).
/// </summary>
internal static class RequestBody
{
    /// <summary>kube-apiserver's default limit on a request body.</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw ApiException.TooLarge($"Request entity too large: limit is {MaxBytes}");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw ApiException.TooLarge($"Request entity too large: limit is {MaxBytes}");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static JsonNode? Parse(byte[] body, string? contentType) => Parse(body, contentType, null);

    /// <summary>Parses a body; duplicate JSON keys keep the last value and are reported in <paramref name="duplicates"/>.</summary>
    public static JsonNode? Parse(byte[] body, string? contentType, List<string>? duplicates)
    {
        var type = contentType is null ? MediaTypes.Json : MediaTypes.Parse(contentType).Type;
        if (type == MediaTypes.Protobuf)
        {
            return Protobuf.ProtobufDecoder.Decode(body);
        }

        var first = FirstNonSpace(body);
        try
        {
            if (type is MediaTypes.Yaml or MediaTypes.ApplyPatch && first is not ((byte)'{' or (byte)'['))
            {
                return FromYaml(Encoding.UTF8.GetString(body));
            }

            if (body.Length == 0)
            {
                throw ApiException.BadRequest("the request body is empty");
            }

            try
            {
                return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false });
            }
            catch (JsonException ex) when (ex.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
                reader.Read();
                return ReadLastWins(ref reader, "", duplicates ?? []);
            }
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {ex.Message}");
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {ex.Message}");
        }
    }

    public static JsonObject ParseObject(byte[] body, string? contentType, List<string>? duplicates = null) =>
        Parse(body, contentType, duplicates) as JsonObject ?? throw ApiException.BadRequest("the body of the request must be an object");

    /// <summary>Builds a node the way Go's decoder treats repeated keys: the last one wins.</summary>
    private static JsonNode? ReadLastWins(ref Utf8JsonReader reader, string path, List<string> duplicates)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    var child = ReadLastWins(ref reader, childPath, duplicates);
                    if (obj.Remove(name))
                    {
                        duplicates.Add(childPath);
                    }

                    obj[name] = child;
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadLastWins(ref reader, $"{path}[{index++}]", duplicates));
                }

                return array;
            case JsonTokenType.Null:
                return null;
            default:
                return JsonValue.Create(JsonElement.ParseValue(ref reader));
        }
    }

    private static byte FirstNonSpace(byte[] body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return b;
            }
        }

        return 0;
    }

    /// <summary>YAML to JSON with sigs.k8s.io/yaml semantics, as kube-apiserver reads apply and YAML bodies.</summary>
    public static JsonNode? FromYaml(string text) => KubeYaml.Parse(text, YamlReadOptions.Default with { FirstDocumentOnly = true });
}
