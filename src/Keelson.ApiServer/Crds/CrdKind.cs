using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Resources.Kinds;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Crds;

/// <summary>Behaviour of the CustomResourceDefinition kind itself: defaulting and the validation upstream applies.</summary>
internal static class CrdKind
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public static readonly KindBehavior Behavior = new()
    {
        Default = (o, _) =>
        {
            var spec = o.Ensure("spec");
            spec.Default("conversion", new JsonObject { ["strategy"] = "None" });
            var names = spec.Ensure("names");
            if (names.Str("kind") is { Length: > 0 } kind)
            {
                names.DefaultString("singular", kind.ToLowerInvariant());
                names.DefaultString("listKind", kind + "List");
            }
        },
        PrepareForCreate = (o, _) =>
        {
            var storage = o.Obj("spec").Arr("versions").Objects().FirstOrDefault(v => v.Bool("storage") == true)?.Str("name");
            o["status"] = new JsonObject
            {
                ["acceptedNames"] = new JsonObject { ["kind"] = "", ["plural"] = "" },
                ["conditions"] = new JsonArray(),
                ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(storage),
            };
        },
        Validate = Validate,
        Columns = [Columns.CreatedAt],
        TopLevelFields = Columns.Top("spec", "status"),
    };

    private static void Validate(JsonObject o, JsonObject? old, List<FieldError> errors)
    {
        Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
        var spec = o.Obj("spec");
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec"));
            return;
        }

        var group = spec.Str("group") ?? "";
        var names = spec.Obj("names");
        var plural = names.Str("plural") ?? "";
        if (group.Length == 0)
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.group", group, "should be a domain with at least one dot"));
        }

        var name = o.Obj("metadata").Str("name") ?? "";
        if (name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }

        if (plural.Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }
        else if (Validation.LabelError(plural) is { } problem)
        {
            errors.Add(FieldError.Invalid("spec.names.plural", plural, problem));
        }

        if (string.IsNullOrEmpty(names.Str("kind")))
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        if (names.Str("singular") is { Length: > 0 } singular && Validation.LabelError(singular) is { } singularProblem)
        {
            errors.Add(FieldError.Invalid("spec.names.singular", singular, singularProblem));
        }

        var shortIndex = 0;
        foreach (var shortName in names.Arr("shortNames")?.Select(s => s.AsString() ?? "") ?? [])
        {
            if (Validation.LabelError(shortName) is { } shortProblem)
            {
                errors.Add(FieldError.Invalid($"spec.names.shortNames[{shortIndex}]", shortName, shortProblem));
            }

            shortIndex++;
        }

        var scope = spec.Str("scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            errors.Add(scope is null ? FieldError.Required("spec.scope") : FieldError.NotSupported("spec.scope", spec["scope"], ["Cluster", "Namespaced"]));
        }

        var versions = spec.Arr("versions").Objects().ToList();
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.versions", spec["versions"], "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v.Bool("storage") == true) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", "must have exactly one version marked as storage version", "must have exactly one version marked as storage version"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            var v = versions[i];
            var at = $"spec.versions[{i}]";
            var versionName = v.Str("name") ?? "";
            if (versionName.Length == 0)
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!seen.Add(versionName))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", versionName));
            }

            if (v["served"] is null)
            {
                errors.Add(FieldError.Required($"{at}.served"));
            }

            if (v["storage"] is null)
            {
                errors.Add(FieldError.Required($"{at}.storage"));
            }

            ValidateSchema(v.Obj("schema")?.Obj("openAPIV3Schema"), $"{at}.schema.openAPIV3Schema", errors);
            var c = 0;
            foreach (var column in v.Arr("additionalPrinterColumns").Objects())
            {
                var colAt = $"{at}.additionalPrinterColumns[{c++}]";
                if (string.IsNullOrEmpty(column.Str("name")))
                {
                    errors.Add(FieldError.Required($"{colAt}.name"));
                }

                if (column.Str("type") is not ("integer" or "number" or "string" or "boolean" or "date"))
                {
                    errors.Add(FieldError.NotSupported($"{colAt}.type", column["type"], ["boolean", "date", "integer", "number", "string"]));
                }

                try
                {
                    JsonPath.Parse(column.Str("jsonPath") ?? "");
                }
                catch (FormatException)
                {
                    errors.Add(FieldError.Invalid($"{colAt}.jsonPath", column.Str("jsonPath") ?? "", "must be a simple json path"));
                }
            }
        }

        if (old is not null)
        {
            if (old.Obj("spec").Str("group") != group)
            {
                errors.Add(FieldError.Invalid("spec.group", group, "field is immutable"));
            }

            if (old.Obj("spec").Str("scope") != scope)
            {
                errors.Add(FieldError.Invalid("spec.scope", scope ?? "", "field is immutable"));
            }
        }
    }

    private static void ValidateSchema(JsonObject? schema, string path, List<FieldError> errors)
    {
        if (schema is null)
        {
            errors.Add(FieldError.Required(path, "schemas are required"));
            return;
        }

        try
        {
            JsonSchemaNode.Parse(schema);
        }
        catch (SchemaException ex)
        {
            errors.Add(FieldError.Invalid(path, "", ex.Message));
            return;
        }

        var before = errors.Count;
        var unsupported = new List<string>();
        CheckSupported(schema, path, errors, unsupported);
        if (unsupported.Count > 0)
        {
            // Upstream builds the structural schema only from a schema without these fields; when the checks above
            // found nothing else to say (only $schema does that), building it fails with this message.
            if (errors.Count == before)
            {
                errors.Add(FieldError.Invalid(path, "", $"OpenAPIV3Schema '{unsupported[0]}' is not supported"));
            }

            return;
        }

        if (schema["additionalProperties"] is not null)
        {
            errors.Add(FieldError.Forbidden($"{path}.additionalProperties", "must not be used at the root"));
        }

        if (schema.Str("type") != "object")
        {
            errors.Add(schema["type"] is null
                ? FieldError.Required($"{path}.type", "must not be empty at the root")
                : FieldError.Invalid($"{path}.type", schema.Str("type") ?? "", "must be object at the root"));
        }

        CheckStructural(schema, path, errors, root: true);
    }

    /// <summary>The structural-schema rules that catch the usual mistakes: every specified field needs a type.</summary>
    private static void CheckStructural(JsonObject schema, string path, List<FieldError> errors, bool root)
    {
        if (schema.Obj("properties") is { } properties)
        {
            foreach (var (name, child) in properties)
            {
                if (child is not JsonObject childSchema)
                {
                    continue;
                }

                var childPath = $"{path}.properties[{name}]";
                if (root && name == "metadata" && childSchema.Obj("properties") is { } metaProps && metaProps.Any(p => p.Key is not ("name" or "generateName")))
                {
                    errors.Add(FieldError.Forbidden($"{childPath}.properties", "must not specify anything other than name and generateName, but metadata is implicitly specified"));
                }

                if (childSchema["type"] is null && childSchema.Bool("x-kubernetes-int-or-string") != true && childSchema.Bool("x-kubernetes-preserve-unknown-fields") != true)
                {
                    errors.Add(FieldError.Required($"{childPath}.type", "must not be empty for specified object fields"));
                }

                CheckStructural(childSchema, childPath, errors, root: false);
            }
        }

        if (schema.Obj("items") is { } items)
        {
            if (items["type"] is null && items.Bool("x-kubernetes-int-or-string") != true && items.Bool("x-kubernetes-preserve-unknown-fields") != true)
            {
                errors.Add(FieldError.Required($"{path}.items.type", "must not be empty for specified array items"));
            }

            CheckStructural(items, $"{path}.items", errors, root: false);
        }

        if (schema.Obj("additionalProperties") is { } extra)
        {
            CheckStructural(extra, $"{path}.additionalProperties", errors, root: false);
        }
    }

    /// <summary>
    /// The JSON-schema features a CRD schema may not use, with upstream's messages: apiextensions-apiserver
    /// pkg/apis/apiextensions/validation ValidateCustomResourceDefinitionOpenAPISchema and specStandardValidatorV3.
    /// Fields the structural schema cannot hold are collected in <paramref name="unsupported"/> (by their Go names).
    /// </summary>
    private static void CheckSupported(JsonObject schema, string path, List<FieldError> errors, List<string> unsupported)
    {
        void Unsupported(string key, string goName, bool report = true)
        {
            unsupported.Add(goName);
            if (report)
            {
                errors.Add(FieldError.Forbidden($"{path}.{key}", $"{key} is not supported"));
            }
        }

        if (schema.Str("id") is { Length: > 0 })
        {
            Unsupported("id", "id");
        }

        if (schema.Str("$schema") is { Length: > 0 })
        {
            Unsupported("$schema", "schema", report: false);
        }

        if (schema["additionalItems"] is not null)
        {
            Unsupported("additionalItems", "additionalItems");
        }

        if (schema.Obj("patternProperties") is { Count: > 0 })
        {
            Unsupported("patternProperties", "patternProperties");
        }

        if (schema.Obj("definitions") is { Count: > 0 })
        {
            Unsupported("definitions", "definitions");
        }

        if (schema["dependencies"] is not null)
        {
            Unsupported("dependencies", "dependencies");
        }

        if (schema["$ref"] is not null)
        {
            Unsupported("$ref", "$ref");
        }

        if (schema.Str("type") == "null")
        {
            errors.Add(FieldError.Forbidden($"{path}.type", "type cannot be set to null, use nullable as an alternative"));
        }

        if (schema["items"] is JsonArray)
        {
            errors.Add(FieldError.Forbidden($"{path}.items", "items must be a schema object and not an array"));
        }

        if (schema.Bool("uniqueItems") == true)
        {
            errors.Add(FieldError.Forbidden($"{path}.uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        // properties describe a struct and additionalProperties a map; a schema may be one or the other, not both.
        if (schema["additionalProperties"] is { } extra)
        {
            if (schema.Obj("properties") is { Count: > 0 } && (extra is JsonObject || extra.GetValueKind() == System.Text.Json.JsonValueKind.False))
            {
                errors.Add(FieldError.Forbidden($"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"));
            }

            if (extra is JsonObject extraSchema)
            {
                CheckSupported(extraSchema, $"{path}.additionalProperties", errors, unsupported);
            }
        }

        foreach (var (name, child) in schema.Obj("properties") ?? [])
        {
            if (child is JsonObject childSchema)
            {
                CheckSupported(childSchema, $"{path}.properties[{name}]", errors, unsupported);
            }
        }

        if (schema.Obj("not") is { } not)
        {
            CheckSupported(not, $"{path}.not", errors, unsupported);
        }

        foreach (var junctor in new[] { "allOf", "oneOf", "anyOf" })
        {
            var i = 0;
            foreach (var branch in schema.Arr(junctor).Objects())
            {
                CheckSupported(branch, $"{path}.{junctor}[{i++}]", errors, unsupported);
            }
        }

        foreach (var (name, definition) in schema.Obj("definitions") ?? [])
        {
            if (definition is JsonObject definitionSchema)
            {
                CheckSupported(definitionSchema, $"{path}.definitions[{name}]", errors, unsupported);
            }
        }

        switch (schema["items"])
        {
            case JsonObject items:
                CheckSupported(items, $"{path}.items", errors, unsupported);
                break;
            case JsonArray list:
                var index = 0;
                foreach (var item in list.Objects())
                {
                    CheckSupported(item, $"{path}.items[{index++}]", errors, unsupported);
                }

                break;
        }

        foreach (var (name, dependency) in schema.Obj("dependencies") ?? [])
        {
            if (dependency is JsonObject dependencySchema)
            {
                CheckSupported(dependencySchema, $"{path}.dependencies[{name}]", errors, unsupported);
            }
        }

        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValueKind() == System.Text.Json.JsonValueKind.False)
        {
            errors.Add(FieldError.Invalid($"{path}.x-kubernetes-preserve-unknown-fields", schema["x-kubernetes-preserve-unknown-fields"], "must be true or undefined"));
        }
    }
}
