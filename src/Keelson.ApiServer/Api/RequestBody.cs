using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keelson.ApiServer.Api;

/// <summary>
/// Reads request bodies: JSON, or YAML for <c>application/yaml</c> and <c>application/apply-patch+yaml</c>
/// (kubectl sends JSON text even for the latter, which is valid YAML and parsed as JSON directly).
/// </summary>
internal static partial class RequestBody
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

    public static JsonNode? Parse(byte[] body, string? contentType)
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

            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {ex.Message}");
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: yaml: line {ex.Start.Line}: {ex.Message}");
        }
    }

    public static JsonObject ParseObject(byte[] body, string? contentType) =>
        Parse(body, contentType) as JsonObject ?? throw ApiException.BadRequest("the body of the request must be an object");

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

    /// <summary>YAML to JSON with the YAML 1.1 scalar rules sigs.k8s.io/yaml applies (yes/no are booleans, ~ is null).</summary>
    public static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode k ? k.Value ?? "" : key.ToString();
                    obj[name] = Convert(value);
                }

                return obj;
            case YamlSequenceNode seq:
                return new JsonArray(seq.Children.Select(Convert).ToArray());
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded || tag.EndsWith(":str", StringComparison.Ordinal))
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
        }

        if (IntPattern().IsMatch(value) && long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (HexPattern().IsMatch(value))
        {
            return JsonValue.Create(System.Convert.ToInt64(value[2..], 16));
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex("^[-+]?([0-9][0-9_]*)?\\.[0-9]*([eE][-+][0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")]
    private static partial Regex FloatPattern();
}
