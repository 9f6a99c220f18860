using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Api.Protobuf;

/// <summary>
/// Decodes Kubernetes protobuf request bodies (<c>k8s\0</c> magic, a runtime.Unknown envelope, then the object) into
/// the JSON object the rest of the server works on. Zero values of non-pointer fields are dropped, as Go's JSON
/// encoding with omitempty would; unknown fields are skipped.
/// </summary>
internal static class ProtobufDecoder
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();
    private static readonly Lazy<Dictionary<string, Field[]>> Schemas = new(Compile);

    private enum Kind
    {
        String,
        Int,
        Bool,
        Bytes,
        Time,
        Quantity,
        IntOrString,
        Raw,
        Message,
    }

    private sealed record Field(int Number, string Name, Kind Kind, string? Message, bool Repeated, Kind? MapValue, bool Pointer, bool Inline);

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw ApiException.BadRequest("the protobuf body does not start with the Kubernetes magic prefix");
        }

        var envelope = new Reader(body, Magic.Length, body.Length);
        string apiVersion = "", kind = "";
        ReadOnlyMemory<byte> raw = default;
        while (envelope.More)
        {
            var (number, wire) = envelope.Tag();
            if (number == 1 && wire == 2)
            {
                var meta = envelope.Sub();
                while (meta.More)
                {
                    var (n, w) = meta.Tag();
                    if (n == 1 && w == 2)
                    {
                        apiVersion = meta.String();
                    }
                    else if (n == 2 && w == 2)
                    {
                        kind = meta.String();
                    }
                    else
                    {
                        meta.Skip(w);
                    }
                }
            }
            else if (number == 2 && wire == 2)
            {
                raw = envelope.Bytes();
            }
            else
            {
                envelope.Skip(wire);
            }
        }

        if (!Schemas.Value.ContainsKey(kind))
        {
            throw ApiException.UnsupportedMediaType($"{MediaTypes.Protobuf} ({apiVersion}, Kind={kind})", [MediaTypes.Json, MediaTypes.Yaml]);
        }

        var array = raw.ToArray();
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        var decoded = DecodeMessage(kind, new Reader(array, 0, array.Length));
        foreach (var (key, value) in decoded.ToList())
        {
            decoded.Remove(key);
            obj[key] = value;
        }

        return obj;
    }

    private static JsonObject DecodeMessage(string message, Reader reader)
    {
        var fields = Schemas.Value[message];
        var obj = new JsonObject();
        while (reader.More)
        {
            var (number, wire) = reader.Tag();
            var field = Array.Find(fields, f => f.Number == number);
            if (field is null)
            {
                reader.Skip(wire);
                continue;
            }

            if (field.MapValue is { } valueKind)
            {
                var entry = reader.Sub();
                string key = "";
                JsonNode? value = null;
                while (entry.More)
                {
                    var (n, w) = entry.Tag();
                    if (n == 1)
                    {
                        key = entry.String();
                    }
                    else if (n == 2)
                    {
                        value = Scalar(valueKind, null, entry, w, keepZero: true);
                    }
                    else
                    {
                        entry.Skip(w);
                    }
                }

                var map = obj[field.Name] as JsonObject ?? new JsonObject();
                map[key] = value ?? (valueKind == Kind.Bytes ? "" : valueKind == Kind.String ? "" : null);
                obj[field.Name] = map;
                continue;
            }

            var decoded = Scalar(field.Kind, field.Message, reader, wire, keepZero: field.Pointer || field.Repeated);
            if (field.Inline && decoded is JsonObject inline)
            {
                foreach (var (k, v) in inline.ToList())
                {
                    inline.Remove(k);
                    obj[k] = v;
                }

                continue;
            }

            if (field.Repeated)
            {
                var list = obj[field.Name] as JsonArray ?? new JsonArray();
                list.Add(decoded);
                obj[field.Name] = list;
            }
            else if (decoded is not null)
            {
                obj[field.Name] = decoded;
            }
        }

        return obj;
    }

    private static JsonNode? Scalar(Kind kind, string? message, Reader reader, int wire, bool keepZero)
    {
        switch (kind)
        {
            case Kind.String:
                var text = reader.String();
                return text.Length == 0 && !keepZero ? null : JsonValue.Create(text);
            case Kind.Bytes:
                var bytes = reader.Bytes();
                return bytes.Length == 0 && !keepZero ? null : JsonValue.Create(Convert.ToBase64String(bytes.Span));
            case Kind.Int:
                var number = (long)reader.Varint();
                return number == 0 && !keepZero ? null : JsonValue.Create(number);
            case Kind.Bool:
                var flag = reader.Varint() != 0;
                return !flag && !keepZero ? null : JsonValue.Create(flag);
            case Kind.Time:
                var time = reader.Sub();
                long seconds = 0;
                while (time.More)
                {
                    var (n, w) = time.Tag();
                    if (n == 1)
                    {
                        seconds = (long)time.Varint();
                    }
                    else
                    {
                        time.Skip(w);
                    }
                }

                return seconds == 0 ? null : JsonValue.Create(JsonHelpers.Rfc3339(DateTimeOffset.FromUnixTimeSeconds(seconds)));
            case Kind.Quantity:
                var quantity = reader.Sub();
                var q = "";
                while (quantity.More)
                {
                    var (n, w) = quantity.Tag();
                    if (n == 1)
                    {
                        q = quantity.String();
                    }
                    else
                    {
                        quantity.Skip(w);
                    }
                }

                return JsonValue.Create(q);
            case Kind.IntOrString:
                var intstr = reader.Sub();
                long type = 0, intVal = 0;
                var strVal = "";
                while (intstr.More)
                {
                    var (n, w) = intstr.Tag();
                    switch (n)
                    {
                        case 1: type = (long)intstr.Varint(); break;
                        case 2: intVal = (long)intstr.Varint(); break;
                        case 3: strVal = intstr.String(); break;
                        default: intstr.Skip(w); break;
                    }
                }

                return type == 1 ? JsonValue.Create(strVal) : JsonValue.Create(intVal);
            case Kind.Raw:
                var rawBytes = reader.Bytes();
                return rawBytes.Length == 0 ? null : JsonNode.Parse(rawBytes.Span);
            default:
                var nested = DecodeMessage(message!, reader.Sub());
                return nested.Count == 0 && !keepZero ? null : nested;
        }
    }

    private static Dictionary<string, Field[]> Compile()
    {
        var result = new Dictionary<string, Field[]>(StringComparer.Ordinal);
        foreach (var (message, spec) in ProtobufSchemas.Messages)
        {
            var fields = new List<Field>();
            foreach (var part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var number = int.Parse(words[0], CultureInfo.InvariantCulture);
                var name = words[1];
                var type = words.Length > 2 ? words[2] : "string";
                var inline = words.Length > 3 && words[3] == "inline";
                var pointer = type.EndsWith('*');
                type = type.TrimEnd('*');
                var repeated = type.EndsWith("[]", StringComparison.Ordinal);
                type = repeated ? type[..^2] : type;
                Kind? mapValue = type switch
                {
                    "map" => Kind.String,
                    "map:bytes" => Kind.Bytes,
                    "map:quantity" => Kind.Quantity,
                    _ => null,
                };
                var kind = type switch
                {
                    "string" => Kind.String,
                    "int" => Kind.Int,
                    "bool" => Kind.Bool,
                    "bytes" => Kind.Bytes,
                    "time" => Kind.Time,
                    "quantity" => Kind.Quantity,
                    "intstr" => Kind.IntOrString,
                    "raw" => Kind.Raw,
                    _ when mapValue is not null => Kind.String,
                    _ => Kind.Message,
                };
                fields.Add(new Field(number, name, kind, kind == Kind.Message ? type : null, repeated, mapValue, pointer, inline));
            }

            result[message] = [.. fields];
        }

        return result;
    }

    /// <summary>A cursor over protobuf wire data.</summary>
    private sealed class Reader(byte[] buffer, int start, int end)
    {
        private int _pos = start;

        public bool More => _pos < end;

        public (int Number, int Wire) Tag()
        {
            var key = Varint();
            return ((int)(key >> 3), (int)(key & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            var shift = 0;
            while (true)
            {
                if (_pos >= end || shift > 63)
                {
                    throw ApiException.BadRequest("the protobuf body is truncated");
                }

                var b = buffer[_pos++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }

                shift += 7;
            }
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = (int)Varint();
            if (length < 0 || _pos + length > end)
            {
                throw ApiException.BadRequest("the protobuf body is truncated");
            }

            var slice = new ReadOnlyMemory<byte>(buffer, _pos, length);
            _pos += length;
            return slice;
        }

        public string String() => Encoding.UTF8.GetString(Bytes().Span);

        public Reader Sub()
        {
            var length = (int)Varint();
            if (length < 0 || _pos + length > end)
            {
                throw ApiException.BadRequest("the protobuf body is truncated");
            }

            var sub = new Reader(buffer, _pos, _pos + length);
            _pos += length;
            return sub;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    _pos += 8;
                    break;
                case 2:
                    Bytes();
                    break;
                case 5:
                    _pos += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"unsupported protobuf wire type {wire}");
            }
        }
    }
}
