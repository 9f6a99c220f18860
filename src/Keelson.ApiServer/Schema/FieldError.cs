using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Schema;

/// <summary>What kind of problem a <see cref="FieldError"/> reports; mirrors the Kubernetes field error types.</summary>
internal enum FieldErrorType
{
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

/// <summary>
/// One validation failure at a field path, formatted the way kube-apiserver formats field errors
/// (<c>spec.replicas: Invalid value: "string": ...</c>) so clients and people see familiar messages.
/// </summary>
internal sealed record FieldError(FieldErrorType Type, string Field, string? BadValue, string Detail)
{
    /// <summary>The Status cause reason (<c>FieldValueInvalid</c> and friends).</summary>
    public string Reason => Type switch
    {
        FieldErrorType.NotFound => "FieldValueNotFound",
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Internal => "InternalError",
        FieldErrorType.TypeInvalid => "FieldValueTypeInvalid",
        _ => "FieldValueInvalid",
    };

    private string TypeText => Type switch
    {
        FieldErrorType.NotFound => "Not found",
        FieldErrorType.Required => "Required value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.Internal => "Internal error",
        _ => "Invalid value",
    };

    /// <summary>The message without the field path, as in a Status cause.</summary>
    public string Body
    {
        get
        {
            var text = Type is FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong or FieldErrorType.Internal
                ? TypeText
                : $"{TypeText}: {BadValue ?? "null"}";
            return Detail.Length == 0 ? text : $"{text}: {Detail}";
        }
    }

    public override string ToString() => Field.Length == 0 ? Body : $"{Field}: {Body}";

    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, null, detail);

    public static FieldError Invalid(string field, JsonNode? value, string detail) => new(FieldErrorType.Invalid, field, Format(value), detail);

    public static FieldError Invalid(string field, string value, string detail) => new(FieldErrorType.Invalid, field, Quote(value), detail);

    public static FieldError TypeInvalid(string field, string value, string detail) => new(FieldErrorType.TypeInvalid, field, Quote(value), detail);

    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);

    public static FieldError Duplicate(string field, JsonNode? value) => new(FieldErrorType.Duplicate, field, Format(value), "");

    public static FieldError TooLong(string field, long max) => new(FieldErrorType.TooLong, field, null, $"may not be longer than {max}");

    public static FieldError TooMany(string field, long actual, long max) =>
        new(FieldErrorType.TooMany, field, actual.ToString(CultureInfo.InvariantCulture), $"must have at most {max} items");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported)
    {
        var list = string.Join(", ", supported.Select(Quote));
        return new(FieldErrorType.NotSupported, field, Format(value), list.Length == 0 ? "" : $"supported values: {list}");
    }

    /// <summary>Formats a JSON value like Go prints a field error's bad value: strings quoted, scalars bare.</summary>
    public static string Format(JsonNode? value)
    {
        switch (value)
        {
            case null:
                return "null";
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return Quote(v.GetValue<string>());
            case JsonValue v:
                return v.ToJsonString();
            default:
                return value.ToJsonString();
        }
    }

    /// <summary>Go's %q for the strings Kubernetes puts in messages.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }
}
