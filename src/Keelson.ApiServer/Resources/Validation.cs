using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Resources;

/// <summary>How a kind's names are validated upstream.</summary>
internal enum NameRule
{
    Subdomain,
    Label,
    PathSegment,
    None,
}

/// <summary>Object-metadata and common field validation, with kube-apiserver's wording.</summary>
internal static partial class Validation
{
    private const string SubdomainPattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string LabelPattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string LabelValuePattern = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    private const string QualifiedNamePattern = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string ConfigKeyPattern = "[-._a-zA-Z0-9]+";

    [GeneratedRegex("^" + SubdomainPattern + "$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^" + LabelPattern + "$")]
    private static partial Regex Label();

    [GeneratedRegex("^" + LabelValuePattern + "$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^" + QualifiedNamePattern + "$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^" + ConfigKeyPattern + "$")]
    private static partial Regex ConfigKey();

    public static string? SubdomainError(string value)
    {
        if (value.Length > 253)
        {
            return "must be no more than 253 characters";
        }

        return Subdomain().IsMatch(value)
            ? null
            : $"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SubdomainPattern}')";
    }

    public static string? LabelError(string value)
    {
        if (value.Length > 63)
        {
            return "must be no more than 63 characters";
        }

        return Label().IsMatch(value)
            ? null
            : $"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{LabelPattern}')";
    }

    public static void ValidateName(string field, string name, NameRule rule, List<FieldError> errors)
    {
        var problem = rule switch
        {
            NameRule.Subdomain => SubdomainError(name),
            NameRule.Label => LabelError(name),
            NameRule.PathSegment => name is "." or ".." ? $"may not be '{name}'" : name.Contains('/', StringComparison.Ordinal) ? "may not contain '/'" : name.Contains('%', StringComparison.Ordinal) ? "may not contain '%'" : null,
            _ => null,
        };
        if (problem is not null)
        {
            errors.Add(FieldError.Invalid(field, name, problem));
        }
    }

    /// <summary>Checks a label or annotation key (<c>prefix/name</c>).</summary>
    public static string? QualifiedNameError(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0)
            {
                return "prefix part must be non-empty";
            }

            if (SubdomainError(prefix) is { } bad)
            {
                return "prefix part " + bad;
            }
        }

        if (name.Length == 0)
        {
            return "name part must be non-empty";
        }

        if (name.Length > 63)
        {
            return "name part must be no more than 63 characters";
        }

        return QualifiedName().IsMatch(name)
            ? null
            : $"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QualifiedNamePattern}')";
    }

    public static void ValidateLabels(string field, JsonObject? labels, List<FieldError> errors)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (QualifiedNameError(key) is { } keyProblem)
            {
                errors.Add(FieldError.Invalid(field, key, keyProblem));
            }

            var text = value.AsString();
            if (text is null)
            {
                errors.Add(FieldError.Invalid($"{field}.{key}", value, "must be a string"));
                continue;
            }

            if (text.Length > 63)
            {
                errors.Add(FieldError.Invalid(field, text, "must be no more than 63 characters"));
            }
            else if (!LabelValue().IsMatch(text))
            {
                errors.Add(FieldError.Invalid(field, text,
                    $"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '{LabelValuePattern}')"));
            }
        }
    }

    /// <summary>Validates the metadata every object shares.</summary>
    public static void ValidateMetadata(JsonObject obj, JsonObject? old, NameRule rule, List<FieldError> errors)
    {
        var meta = obj.Obj("metadata") ?? [];
        var name = meta.Str("name") ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            ValidateName("metadata.name", name, rule, errors);
        }

        ValidateLabels("metadata.labels", meta.Obj("labels"), errors);
        if (meta.Obj("annotations") is { } annotations)
        {
            var total = 0L;
            foreach (var (key, value) in annotations)
            {
                if (QualifiedNameError(key) is { } problem)
                {
                    errors.Add(FieldError.Invalid("metadata.annotations", key, problem));
                }

                if (value.AsString() is not { } text)
                {
                    errors.Add(FieldError.Invalid($"metadata.annotations.{key}", value, "must be a string"));
                    continue;
                }

                total += key.Length + text.Length;
            }

            if (total > 256 * 1024)
            {
                errors.Add(new FieldError(FieldErrorType.TooLong, "metadata.annotations", null, "must have at most 262144 bytes"));
            }
        }

        if (meta.Arr("finalizers") is { } finalizers)
        {
            for (var i = 0; i < finalizers.Count; i++)
            {
                var f = finalizers[i].AsString() ?? "";
                if (QualifiedNameError(f) is { } problem)
                {
                    errors.Add(FieldError.Invalid($"metadata.finalizers[{i}]", f, problem));
                }
            }
        }

        if (meta.Arr("ownerReferences") is { } refs)
        {
            var i = 0;
            foreach (var r in refs.Objects())
            {
                foreach (var required in new[] { "apiVersion", "kind", "name", "uid" })
                {
                    if (string.IsNullOrEmpty(r.Str(required)))
                    {
                        errors.Add(FieldError.Invalid($"metadata.ownerReferences[{i}].{required}", "", $"{required} must not be empty"));
                    }
                }

                i++;
            }

            if (refs.Objects().Count(r => r.Bool("controller") == true) > 1)
            {
                errors.Add(FieldError.Invalid("metadata.ownerReferences", refs, "Only one reference can have Controller set to true"));
            }
        }

        if (old is not null)
        {
            var oldMeta = old.Obj("metadata") ?? [];
            if (oldMeta.Str("name") != meta.Str("name"))
            {
                errors.Add(FieldError.Invalid("metadata.name", meta.Str("name") ?? "", "field is immutable"));
            }

            if (oldMeta.Str("uid") is { } oldUid && meta.Str("uid") is { } newUid && oldUid != newUid)
            {
                errors.Add(FieldError.Invalid("metadata.uid", newUid, "field is immutable"));
            }

            if (oldMeta["deletionTimestamp"] is not null)
            {
                ValidateNoNewFinalizers(meta, oldMeta, errors);
            }
        }
    }

    /// <summary>
    /// An object being deleted may lose finalizers but not gain any: apimachinery's ValidateNoNewFinalizers
    /// (pkg/api/validation/objectmeta.go), which lists the new ones sorted, as Go's %#v prints a []string.
    /// </summary>
    private static void ValidateNoNewFinalizers(JsonObject meta, JsonObject oldMeta, List<FieldError> errors)
    {
        var old = oldMeta.Arr("finalizers")?.Select(f => f.AsString() ?? "").ToHashSet(StringComparer.Ordinal) ?? [];
        var added = (meta.Arr("finalizers")?.Select(f => f.AsString() ?? "") ?? [])
            .Where(f => !old.Contains(f)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
        {
            errors.Add(FieldError.Forbidden("metadata.finalizers",
                $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(FieldError.Quote))}}}"));
        }
    }

    /// <summary>
    /// Whether two values are equal the way apimachinery's equality.Semantic compares Go structs decoded from them:
    /// an absent field, null, an empty list and an empty map are all the zero value.
    /// </summary>
    public static bool SemanticEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Normalize(value) is { } kept)
                    {
                        result[key] = kept;
                    }
                }

                return result.Count == 0 ? null : result;
            }

            case JsonArray array:
                return array.Count == 0 ? null : new JsonArray(array.Select(Normalize).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>
    /// The field-by-field difference upstream appends (via go-cmp's cmp.Diff) to "may not change" messages, in the same
    /// shape: the Go type, then "-" old and "+" new lines for each top-level field that changed. Values are shown as
    /// JSON rather than Go literals.
    /// </summary>
    public static string SpecDiff(string goType, JsonObject? old, JsonObject? updated)
    {
        var lines = new List<string> { $"  {goType}{{" };
        var keys = (old?.Select(p => p.Key) ?? []).Union(updated?.Select(p => p.Key) ?? []).ToList();
        var same = 0;
        foreach (var key in keys)
        {
            var before = Normalize(old?[key]);
            var after = Normalize(updated?[key]);
            if (JsonNode.DeepEquals(before, after))
            {
                same++;
                continue;
            }

            var field = char.ToUpperInvariant(key[0]) + key[1..];
            if (before is not null)
            {
                lines.Add($"- \t{field}: {before.ToJsonString()},");
            }

            if (after is not null)
            {
                lines.Add($"+ \t{field}: {after.ToJsonString()},");
            }
        }

        if (same > 0)
        {
            lines.Add($"  \t... // {same} identical fields");
        }

        lines.Add("  }");
        return string.Join("\n", lines);
    }

    public static void ValidateConfigKeys(string field, JsonObject? data, List<FieldError> errors)
    {
        if (data is null)
        {
            return;
        }

        foreach (var (key, _) in data)
        {
            if (key.Length > 253 || !ConfigKey().IsMatch(key) || key is "." or "..")
            {
                errors.Add(FieldError.Invalid(field, key, $"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '{ConfigKeyPattern}')"));
            }
        }
    }

    /// <summary>The Invalid error for a whole object, as returned to clients.</summary>
    public static ApiException Invalid(ResourceType type, string name, List<FieldError> errors) =>
        ApiException.Invalid(type.Group, type.Kind, name, errors);

    /// <summary>Formats a map like Go's %#v of map[string]string, which upstream uses in selector errors.</summary>
    public static string GoStringMap(JsonObject? map)
    {
        if (map is null || map.Count == 0)
        {
            return "map[string]string(nil)";
        }

        var parts = map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{FieldError.Quote(p.Key)}:{FieldError.Quote(p.Value.AsString() ?? "")}");
        return "map[string]string{" + string.Join(", ", parts) + "}";
    }
}
