using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Schema;

/// <summary>
/// Validates JSON values against a <see cref="JsonSchemaNode"/> and reports field errors worded like kube-apiserver's
/// OpenAPI validation (<c>spec.replicas in body must be of type integer: "string"</c>).
/// </summary>
internal static class SchemaValidator
{
    public static List<FieldError> Validate(JsonSchemaNode schema, JsonNode? value, string path = "")
    {
        var errors = new List<FieldError>();
        Validate(schema, value, path, errors);
        return errors;
    }

    /// <summary>
    /// Validates a whole Kubernetes object: apiVersion, kind and metadata belong to the server, not to the schema.
    /// </summary>
    public static void ValidateResource(JsonSchemaNode schema, JsonObject obj, List<FieldError> errors)
    {
        var s = schema.Resolved;
        if (s.Types.Count > 0 && !s.AllowsType("object"))
        {
            errors.Add(FieldError.TypeInvalid("", "object", "body in body must be of type " + string.Join(",", s.Types) + ": \"object\""));
            return;
        }

        ValidateObject(s, obj, "", "body", errors, ServerOwnedRootKeys);
    }

    private static readonly HashSet<string> ServerOwnedRootKeys = ["apiVersion", "kind", "metadata"];

    public static void Validate(JsonSchemaNode schema, JsonNode? value, string path, List<FieldError> errors)
    {
        var s = schema.Resolved;
        var where = path.Length == 0 ? "body" : path;

        foreach (var part in s.AllOf)
        {
            Validate(part, value, path, errors);
        }

        if (s.AnyOf.Count > 0 && !s.AnyOf.Any(part => Validate(part, value, path).Count == 0))
        {
            if (s.IntOrString)
            {
                errors.Add(FieldError.TypeInvalid(path, TypeName(value), $"{where} in body must be of type integer,string: {FieldError.Quote(TypeName(value))}"));
                return;
            }

            errors.Add(FieldError.Invalid(path, value, $"{where} in body must validate at least one schema (anyOf)"));
        }

        if (s.OneOf.Count > 0 && s.OneOf.Count(part => Validate(part, value, path).Count == 0) != 1)
        {
            errors.Add(FieldError.Invalid(path, value, $"{where} in body must validate one and only one schema (oneOf)"));
        }

        if (s.Not is not null && Validate(s.Not, value, path).Count == 0)
        {
            errors.Add(FieldError.Invalid(path, value, $"{where} in body must not validate the schema (not)"));
        }

        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (s.Types.Count > 0 && !s.Nullable && !s.Types.Contains("null"))
            {
                errors.Add(FieldError.TypeInvalid(path, "null", $"{where} in body must be of type {string.Join(",", s.Types)}: \"null\""));
            }

            return;
        }

        var type = TypeName(value);
        if (s.IntOrString && type is not ("integer" or "string") && s.AnyOf.Count == 0)
        {
            errors.Add(FieldError.TypeInvalid(path, type, $"{where} in body must be of type integer,string: {FieldError.Quote(type)}"));
            return;
        }

        if (s.Types.Count > 0 && !s.AllowsType(type))
        {
            errors.Add(FieldError.TypeInvalid(path, type, $"{where} in body must be of type {string.Join(",", s.Types)}: {FieldError.Quote(type)}"));
            return;
        }

        if (s.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(FieldError.NotSupported(path, value, allowed.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : a?.ToJsonString() ?? "null")));
        }

        if (s.HasConst && !JsonNode.DeepEquals(s.Const, value))
        {
            errors.Add(FieldError.Invalid(path, value, $"{where} in body should be equal to {s.Const?.ToJsonString() ?? "null"}"));
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(s, obj, path, where, errors);
                break;
            case JsonArray array:
                ValidateArray(s, array, path, where, errors);
                break;
            case JsonValue scalar when type is "integer" or "number":
                ValidateNumber(s, scalar, path, where, errors);
                break;
            case JsonValue scalar when type == "string":
                ValidateString(s, scalar.GetValue<string>(), path, where, errors);
                break;
        }
    }

    /// <summary>The JSON type name of a value, as Kubernetes reports it in type errors.</summary>
    public static string TypeName(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            JsonValueKind.Number => IsInteger(value) ? "integer" : "number",
            _ => "unknown",
        },
    };

    private static bool IsInteger(JsonNode value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Abs(d) < 1e18 && d == Math.Truncate(d);
    }

    private static void ValidateObject(JsonSchemaNode s, JsonObject obj, string path, string where, List<FieldError> errors, HashSet<string>? ignored = null)
    {
        foreach (var name in s.Required)
        {
            if (!obj.ContainsKey(name) && ignored?.Contains(name) != true)
            {
                errors.Add(FieldError.Required(Child(path, name)));
            }
        }

        if (s.MinProperties is { } minProps && obj.Count < minProps)
        {
            errors.Add(FieldError.Invalid(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"{where} in body should have at least {minProps} properties"));
        }

        if (s.MaxProperties is { } maxProps && obj.Count > maxProps)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, maxProps));
        }

        if (s.EmbeddedResource)
        {
            if (obj["apiVersion"] is null)
            {
                errors.Add(FieldError.Required(Child(path, "apiVersion"), "must not be empty"));
            }

            if (obj["kind"] is null)
            {
                errors.Add(FieldError.Required(Child(path, "kind"), "must not be empty"));
            }
        }

        foreach (var (key, child) in obj)
        {
            if (ignored?.Contains(key) == true)
            {
                continue;
            }

            var childPath = Child(path, key);
            if (s.Properties.TryGetValue(key, out var propertySchema))
            {
                Validate(propertySchema, child, childPath, errors);
                continue;
            }

            var matched = false;
            foreach (var (pattern, patternSchema) in s.PatternProperties)
            {
                if (pattern.IsMatch(key))
                {
                    matched = true;
                    Validate(patternSchema, child, childPath, errors);
                }
            }

            if (matched)
            {
                continue;
            }

            if (s.AdditionalProperties is { } extra)
            {
                Validate(extra, child, childPath, errors);
            }
            else if (s.AdditionalPropertiesFalse)
            {
                errors.Add(FieldError.Forbidden(childPath, $"{where} in body is a forbidden property"));
            }
        }
    }

    private static void ValidateArray(JsonSchemaNode s, JsonArray array, string path, string where, List<FieldError> errors)
    {
        if (s.MinItems is { } min && array.Count < min)
        {
            errors.Add(FieldError.Invalid(path, array, $"{where} in body should have at least {min} items"));
        }

        if (s.MaxItems is { } max && array.Count > max)
        {
            errors.Add(FieldError.TooMany(path, array.Count, max));
        }

        if (s.UniqueItems || s.ListType == "set")
        {
            for (var i = 0; i < array.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(array[i], array[j]))
                    {
                        errors.Add(FieldError.Duplicate($"{path}[{i}]", array[i]));
                        break;
                    }
                }
            }
        }
        else if (s.ListType == "map" && s.ListMapKeys.Count > 0)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject item)
                {
                    var key = string.Join("\u0000", s.ListMapKeys.Select(k => item[k]?.ToJsonString() ?? ""));
                    if (!seen.Add(key))
                    {
                        var shown = new JsonObject();
                        foreach (var k in s.ListMapKeys)
                        {
                            shown[k] = item[k]?.DeepClone();
                        }

                        errors.Add(FieldError.Duplicate($"{path}[{i}]", shown));
                    }
                }
            }
        }

        if (s.Items is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(items, array[i], $"{path}[{i}]", errors);
            }
        }
    }

    private static void ValidateNumber(JsonSchemaNode s, JsonValue value, string path, string where, List<FieldError> errors)
    {
        if (!decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return;
        }

        if (s.Minimum is { } min && (s.ExclusiveMinimum ? number <= min : number < min))
        {
            var op = s.ExclusiveMinimum ? "greater than" : "greater than or equal to";
            errors.Add(FieldError.Invalid(path, value, $"{where} in body should be {op} {Show(min)}"));
        }

        if (s.Maximum is { } max && (s.ExclusiveMaximum ? number >= max : number > max))
        {
            var op = s.ExclusiveMaximum ? "less than" : "less than or equal to";
            errors.Add(FieldError.Invalid(path, value, $"{where} in body should be {op} {Show(max)}"));
        }

        if (s.MultipleOf is { } step && number % step != 0)
        {
            errors.Add(FieldError.Invalid(path, value, $"{where} in body should be a multiple of {Show(step)}"));
        }

        switch (s.Format)
        {
            case "int32" when number is < int.MinValue or > int.MaxValue || number != decimal.Truncate(number):
                errors.Add(FieldError.Invalid(path, value, $"{where} in body must be of type int32: {FieldError.Quote(value.ToJsonString())}"));
                break;
            case "int64" when number is < long.MinValue or > long.MaxValue || number != decimal.Truncate(number):
                errors.Add(FieldError.Invalid(path, value, $"{where} in body must be of type int64: {FieldError.Quote(value.ToJsonString())}"));
                break;
        }
    }

    private static void ValidateString(JsonSchemaNode s, string text, string path, string where, List<FieldError> errors)
    {
        var length = CountRunes(text);
        if (s.MinLength is { } min && length < min)
        {
            errors.Add(FieldError.Invalid(path, text, $"{where} in body should be at least {min} chars long"));
        }

        if (s.MaxLength is { } max && length > max)
        {
            errors.Add(FieldError.TooLong(path, max));
        }

        if (s.Pattern is { } pattern)
        {
            bool matches;
            try
            {
                matches = pattern.IsMatch(text);
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches)
            {
                errors.Add(FieldError.Invalid(path, text, $"{where} in body should match '{s.PatternText}'"));
            }
        }

        if (s.Format is { } format && !FormatMatches(format, text))
        {
            errors.Add(FieldError.Invalid(path, text, $"{where} in body must be of type {format}: {FieldError.Quote(text)}"));
        }
    }

    /// <summary>The formats Kubernetes checks; unknown formats are accepted, as upstream does.</summary>
    private static bool FormatMatches(string format, string text) => format switch
    {
        "date-time" or "datetime" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) && text.Contains('T', StringComparison.OrdinalIgnoreCase),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "byte" => IsBase64(text),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        "ipv4" => IPAddress.TryParse(text, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') == 3,
        "ipv6" => IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "cidr" => IPNetwork.TryParse(text, out _),
        _ => true,
    };

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static int CountRunes(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Show(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    public static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
