using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Resources.Kinds;

namespace Keelson.ApiServer.Api.Tables;

/// <summary>Server-side table output (<c>as=Table</c>): column definitions and one row per object.</summary>
internal static class TableWriter
{
    private static readonly TableColumn Name = new("Name", "string", "name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        0, (o, _) => JsonValue.Create(o.Obj("metadata").Str("name")));

    public static IReadOnlyList<TableColumn> ColumnsFor(ResourceType type) =>
        [Name, .. type.Behavior.Columns ?? [Columns.Age]];

    public static void WriteColumns(Utf8JsonWriter w, IReadOnlyList<TableColumn> columns)
    {
        w.WriteStartArray("columnDefinitions");
        foreach (var c in columns)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("type", c.Type);
            w.WriteString("format", c.Format);
            w.WriteString("description", c.Description);
            w.WriteNumber("priority", c.Priority);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Writes a row; includeObject is None, Metadata (default) or Object.</summary>
    public static void WriteRow(Utf8JsonWriter w, IReadOnlyList<TableColumn> columns, JsonObject obj, ReadOnlySpan<byte> raw, DateTimeOffset now, string includeObject)
    {
        w.WriteStartObject();
        w.WriteStartArray("cells");
        foreach (var c in columns)
        {
            JsonNode? cell;
            try
            {
                cell = c.Cell(obj, now);
            }
            catch (InvalidOperationException)
            {
                cell = null;
            }

            if (cell is null)
            {
                w.WriteNullValue();
            }
            else
            {
                cell.WriteTo(w);
            }
        }

        w.WriteEndArray();
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                w.WritePropertyName("object");
                if (raw.Length > 0)
                {
                    w.WriteRawValue(raw, skipInputValidation: true);
                }
                else
                {
                    obj.WriteTo(w);
                }

                break;
            default:
                w.WritePropertyName("object");
                WritePartial(w, obj, "meta.k8s.io/v1");
                break;
        }

        w.WriteEndObject();
    }

    public static void WritePartial(Utf8JsonWriter w, JsonObject obj, string apiVersion)
    {
        w.WriteStartObject();
        w.WriteString("kind", "PartialObjectMetadata");
        w.WriteString("apiVersion", apiVersion);
        w.WritePropertyName("metadata");
        (obj["metadata"] ?? new JsonObject()).WriteTo(w);
        w.WriteEndObject();
    }
}
