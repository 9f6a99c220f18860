using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>JSON the way Go's encoding/json writes a decoded unstructured object: compact, keys sorted, HTML-safe.</summary>
internal static class GoJson
{
    public static string Serialize(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                return;
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    GoFormat.WriteJsonString(sb, key);
                    sb.Append(':');
                    Write(sb, value);
                }

                sb.Append('}');
                return;
            case JsonArray arr:
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, arr[i]);
                }

                sb.Append(']');
                return;
        }

        var v = node.AsValue();
        switch (JsonValues.KindOf(v))
        {
            case ValueKind.String:
                GoFormat.WriteJsonString(sb, v.GetValue<string>());
                break;
            case ValueKind.Bool:
                sb.Append(JsonValues.BoolOf(v) ? "true" : "false");
                break;
            case ValueKind.Int:
                sb.Append(JsonValues.NumberOf(v).Int.ToString(CultureInfo.InvariantCulture));
                break;
            case ValueKind.Float:
                sb.Append(GoFormat.JsonFloat(JsonValues.NumberOf(v).Float));
                break;
            default:
                sb.Append("null");
                break;
        }
    }
}
