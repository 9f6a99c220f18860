using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Patching;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Crds;

/// <summary>Turns a CustomResourceDefinition into the resource types it serves, one per served version.</summary>
internal static class CustomResources
{
    public static IReadOnlyList<ResourceType> FromCrd(JsonObject crd)
    {
        var spec = crd.Obj("spec") ?? [];
        var names = spec.Obj("names") ?? [];
        var group = spec.Str("group") ?? "";
        var kind = names.Str("kind") ?? "";
        var plural = names.Str("plural") ?? "";
        var versions = spec.Arr("versions").Objects().ToList();
        var storage = versions.FirstOrDefault(v => v.Bool("storage") == true)?.Str("name") ?? versions.FirstOrDefault()?.Str("name") ?? "";
        var types = new List<ResourceType>();
        foreach (var version in versions.Where(v => v.Bool("served") == true))
        {
            var rawSchema = version.Obj("schema")?.Obj("openAPIV3Schema");
            JsonSchemaNode? schema = null;
            if (rawSchema is not null)
            {
                try
                {
                    schema = JsonSchemaNode.Parse(rawSchema);
                }
                catch (SchemaException)
                {
                    schema = null;
                }
            }

            var subresources = version.Obj("subresources");
            var scale = subresources?.Obj("scale") is { } s
                ? new ScaleSpec(s.Str("specReplicasPath") ?? ".spec.replicas", s.Str("statusReplicasPath") ?? ".status.replicas", s.Str("labelSelectorPath"))
                : null;
            var columns = version.Arr("additionalPrinterColumns").Objects().Select(c => new PrinterColumn(
                c.Str("name") ?? "", c.Str("type") ?? "string", c.Str("format") ?? "", c.Str("description") ?? "",
                (int)(c.Int("priority") ?? 0), c.Str("jsonPath") ?? "")).ToList();
            var selectable = version.Arr("selectableFields").Objects().Select(f => f.Str("jsonPath") ?? "").Where(p => p.Length > 0).ToList();
            var custom = new CustomVersion(schema, columns, selectable, rawSchema?.Bool("x-kubernetes-preserve-unknown-fields") == true, new object());
            types.Add(new ResourceType
            {
                Group = group,
                Version = version.Str("name") ?? "",
                Kind = kind,
                Plural = plural,
                Singular = names.Str("singular") ?? kind.ToLowerInvariant(),
                Namespaced = spec.Str("scope") != "Cluster",
                ShortNames = names.Arr("shortNames")?.Select(n => n.AsString() ?? "").ToList() ?? [],
                Categories = names.Arr("categories")?.Select(n => n.AsString() ?? "").ToList() ?? [],
                HasStatus = subresources?.Obj("status") is not null,
                Scale = scale,
                HasGeneration = true,
                PatchSchema = rawSchema is not null ? TypeSchema.FromOpenApi(rawSchema) : TypeSchema.Unstructured,
                Behavior = BehaviorFor(custom),
                Custom = custom,
                StorageVersion = storage,
                ListKind = names.Str("listKind") ?? kind + "List",
            });
        }

        return types;
    }

    private static KindBehavior BehaviorFor(CustomVersion custom)
    {
        var fieldLabels = new Dictionary<string, Func<JsonObject, string?>>(StringComparer.Ordinal);
        foreach (var path in custom.SelectableFields)
        {
            var compiled = JsonPath.Parse(path);
            fieldLabels[path.TrimStart('.')] = o => compiled.Evaluate(o) is [{ } first, ..] ? JsonPath.Text(first) : null;
        }

        List<TableColumn>? columns = null;
        if (custom.PrinterColumns.Count > 0)
        {
            columns = [];
            foreach (var column in custom.PrinterColumns)
            {
                JsonPath compiled;
                try
                {
                    compiled = JsonPath.Parse(column.JsonPath);
                }
                catch (FormatException)
                {
                    continue;
                }

                var description = column.Description.Length > 0 ? column.Description : $"Custom resource definition column (in JSONPath format): {column.JsonPath}";
                columns.Add(new TableColumn(column.Name, column.Type, column.Format, description, column.Priority, (o, now) => Cell(compiled, column.Type, o, now)));
            }
        }

        return new KindBehavior
        {
            Validate = (o, old, errors) =>
            {
                Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
                if (custom.Schema is { } schema)
                {
                    SchemaValidator.ValidateResource(schema, o, errors);
                }
            },
            FieldLabels = fieldLabels,
            Columns = columns,
        };
    }

    /// <summary>A printer column cell, converted by the column's type as upstream's table convertor does.</summary>
    private static JsonValue? Cell(JsonPath path, string type, JsonObject obj, DateTimeOffset now)
    {
        var results = path.Evaluate(obj);
        if (results.Count == 0 || results[0] is null)
        {
            return null;
        }

        var value = results[0]!;
        switch (type)
        {
            case "string":
                return JsonValue.Create(JsonPath.Text(value));
            case "integer":
                return value.AsLong() is { } l ? JsonValue.Create(l) : null;
            case "number":
                return value.GetValueKind() == JsonValueKind.Number && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : null;
            case "boolean":
                return value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? JsonValue.Create(value.GetValue<bool>()) : null;
            case "date":
                return value.AsString() is { } text
                    ? JsonValue.Create(JsonHelpers.ParseTime(text) is { } t ? Cells.HumanDuration(now - t) : "<invalid>")
                    : null;
            default:
                return null;
        }
    }
}
