using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// JSON Schema validation of chart values as Helm (3.18+ and 4) does it with santhosh-tekuri/jsonschema v6: drafts
/// 4, 6, 7, 2019-09 and 2020-12 chosen by <c>$schema</c> (2020-12 when absent), references within the document
/// (<c>#/definitions/x</c>, <c>#/$defs/x</c>, anchors, <c>$id</c>s), Go regular expressions for <c>pattern</c>, and
/// <c>format</c> checked for draft 7 and earlier only. Errors read like the library's: <c>- at '/replicas': got
/// string, want integer</c>. Schemas are not fetched from the network.
/// </summary>
internal sealed class JsonSchemaValidator
{
    private readonly JsonNode _root;
    private readonly int _draft;
    private readonly Dictionary<string, JsonNode> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonNode> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GoPattern> _regexes = new(StringComparer.Ordinal);

    private JsonSchemaValidator(JsonNode root)
    {
        _root = root;
        _draft = DraftOf(root);
        Index(root);
    }

    /// <summary>Reads a schema document; throws <see cref="HelmException"/> when it is not JSON or not a schema.</summary>
    public static JsonSchemaValidator Parse(byte[] schema, string chartName)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(schema, null, new JsonDocumentOptions { MaxDepth = 1000 });
        }
        catch (JsonException e)
        {
            throw new HelmException($"{chartName}: values.schema.json is not valid JSON: {e.Message}", "values.schema.json");
        }

        var isSchema = node is JsonObject || node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
        if (!isSchema)
        {
            throw new HelmException($"{chartName}: values.schema.json: jsonschema: invalid schema (want object or boolean)", "values.schema.json");
        }

        return new JsonSchemaValidator(node!);
    }

    /// <summary>The failures, one "- at '/path': message" line each (nested causes indented), empty when valid.</summary>
    public List<string> Validate(object? values)
    {
        var errors = new List<Failure>();
        Check(_root, values, "", errors, 0);
        var lines = new List<string>();
        foreach (var e in errors)
        {
            e.Render(lines, 0);
        }

        return lines;
    }

    private sealed record Failure(string Path, string Message, List<Failure>? Causes = null)
    {
        public void Render(List<string> lines, int depth)
        {
            lines.Add(new string(' ', depth * 2) + $"- at '{Path}': {Message}");
            foreach (var c in Causes ?? [])
            {
                c.Render(lines, depth + 1);
            }
        }
    }

    private static int DraftOf(JsonNode root)
    {
        var uri = (root as JsonObject)?["$schema"]?.GetValueKind() == JsonValueKind.String ? root["$schema"]!.GetValue<string>() : "";
        if (uri.Contains("draft-04", StringComparison.Ordinal))
        {
            return 4;
        }

        if (uri.Contains("draft-06", StringComparison.Ordinal))
        {
            return 6;
        }

        if (uri.Contains("draft-07", StringComparison.Ordinal))
        {
            return 7;
        }

        return uri.Contains("2019-09", StringComparison.Ordinal) ? 2019 : 2020;
    }

    private void Index(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var idKey = _draft == 4 ? "id" : "$id";
                if (obj[idKey] is JsonValue id && id.GetValueKind() == JsonValueKind.String)
                {
                    var s = id.GetValue<string>();
                    _ids.TryAdd(s, obj);
                    if (s.StartsWith('#') && s.Length > 1)
                    {
                        _anchors.TryAdd(s[1..], obj);
                    }
                }

                if (obj["$anchor"] is JsonValue anchor && anchor.GetValueKind() == JsonValueKind.String)
                {
                    _anchors.TryAdd(anchor.GetValue<string>(), obj);
                }

                if (obj["$dynamicAnchor"] is JsonValue dyn && dyn.GetValueKind() == JsonValueKind.String)
                {
                    _anchors.TryAdd(dyn.GetValue<string>(), obj);
                }

                foreach (var (k, v) in obj)
                {
                    if (k is not ("enum" or "const" or "default" or "examples"))
                    {
                        Index(v);
                    }
                }

                break;
            case JsonArray arr:
                foreach (var v in arr)
                {
                    Index(v);
                }

                break;
        }
    }

    private JsonNode Resolve(string reference)
    {
        if (reference == "#" || reference.Length == 0)
        {
            return _root;
        }

        if (_ids.TryGetValue(reference, out var byId))
        {
            return byId;
        }

        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var doc = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : reference[(hash + 1)..];
        JsonNode start = _root;
        if (doc.Length > 0)
        {
            var match = _ids.FirstOrDefault(kv => kv.Key == doc || kv.Key.EndsWith("/" + doc, StringComparison.Ordinal));
            start = match.Value ?? throw new HelmException($"jsonschema: cannot resolve $ref \"{reference}\": external schemas are not loaded");
        }

        if (fragment.Length == 0)
        {
            return start;
        }

        if (!fragment.StartsWith('/'))
        {
            return _anchors.TryGetValue(fragment, out var anchored)
                ? anchored
                : throw new HelmException($"jsonschema: cannot resolve $ref \"{reference}\": anchor \"{fragment}\" not found");
        }

        JsonNode? cur = start;
        foreach (var raw in fragment[1..].Split('/'))
        {
            var part = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            cur = cur switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (cur is null)
            {
                throw new HelmException($"jsonschema: cannot resolve $ref \"{reference}\"");
            }
        }

        return cur;
    }

    private void Check(JsonNode? schema, object? value, string path, List<Failure> errors, int depth)
    {
        if (depth > 200)
        {
            throw new HelmException($"jsonschema: $ref recursion is too deep at '{path}'");
        }

        switch (schema)
        {
            case null:
                return;
            case JsonValue b when b.GetValueKind() == JsonValueKind.True:
                return;
            case JsonValue b when b.GetValueKind() == JsonValueKind.False:
                errors.Add(new Failure(path, "false schema"));
                return;
            case not JsonObject:
                return;
        }

        var s = (JsonObject)schema;
        if (s["$ref"] is JsonValue r && r.GetValueKind() == JsonValueKind.String)
        {
            Check(Resolve(r.GetValue<string>()), value, path, errors, depth + 1);
            if (_draft <= 7)
            {
                return;
            }
        }

        if (s["$dynamicRef"] is JsonValue dr && dr.GetValueKind() == JsonValueKind.String)
        {
            Check(Resolve(dr.GetValue<string>()), value, path, errors, depth + 1);
        }

        if (s["$recursiveRef"] is JsonValue rr && rr.GetValueKind() == JsonValueKind.String)
        {
            Check(Resolve(rr.GetValue<string>()), value, path, errors, depth + 1);
        }

        var kind = KindOf(value);
        if (s["type"] is { } type)
        {
            var wanted = type is JsonArray ta ? ta.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!wanted.Any(w => IsType(value, kind, w)))
            {
                errors.Add(new Failure(path, $"got {kind}, want {string.Join(" or ", wanted)}"));
            }
        }

        if (s["enum"] is JsonArray en && !en.Any(e => JsonEquals(e, value)))
        {
            errors.Add(new Failure(path, en.Count == 1 ? $"value must be {Display(en[0])}" : $"value must be one of {string.Join(", ", en.Select(Display))}"));
        }

        if (_draft >= 6 && s.ContainsKey("const") && !JsonEquals(s["const"], value))
        {
            errors.Add(new Failure(path, $"value must be {Display(s["const"])}"));
        }

        if (kind is "number" or "integer")
        {
            CheckNumber(s, ToDecimal(value), path, errors);
        }
        else if (value is string str)
        {
            CheckString(s, str, path, errors);
        }
        else if (kind == "array")
        {
            CheckArray(s, ((System.Collections.IEnumerable)value!).Cast<object?>().ToList(), path, errors, depth);
        }
        else if (kind == "object")
        {
            CheckObject(s, (IDictionary<string, object?>)value!, path, errors, depth);
        }

        if (s["allOf"] is JsonArray all)
        {
            foreach (var sub in all)
            {
                Check(sub, value, path, errors, depth + 1);
            }
        }

        if (s["anyOf"] is JsonArray any)
        {
            var causes = new List<Failure>();
            var ok = false;
            foreach (var sub in any)
            {
                var sube = new List<Failure>();
                Check(sub, value, path, sube, depth + 1);
                if (sube.Count == 0)
                {
                    ok = true;
                    break;
                }

                causes.AddRange(sube);
            }

            if (!ok)
            {
                errors.Add(new Failure(path, "anyOf failed", causes));
            }
        }

        if (s["oneOf"] is JsonArray one)
        {
            var causes = new List<Failure>();
            var matched = new List<int>();
            for (var i = 0; i < one.Count; i++)
            {
                var sube = new List<Failure>();
                Check(one[i], value, path, sube, depth + 1);
                if (sube.Count == 0)
                {
                    matched.Add(i);
                }
                else
                {
                    causes.AddRange(sube);
                }
            }

            if (matched.Count == 0)
            {
                errors.Add(new Failure(path, "oneOf failed, none matched", causes));
            }
            else if (matched.Count > 1)
            {
                errors.Add(new Failure(path, $"oneOf failed, subschemas {matched[0]}, {matched[1]} matched"));
            }
        }

        if (s["not"] is { } not)
        {
            var sube = new List<Failure>();
            Check(not, value, path, sube, depth + 1);
            if (sube.Count == 0)
            {
                errors.Add(new Failure(path, "not failed"));
            }
        }

        if (_draft >= 7 && s["if"] is { } cond)
        {
            var sube = new List<Failure>();
            Check(cond, value, path, sube, depth + 1);
            if (sube.Count == 0)
            {
                Check(s["then"], value, path, errors, depth + 1);
            }
            else
            {
                Check(s["else"], value, path, errors, depth + 1);
            }
        }

        if (s["format"] is JsonValue fmt && fmt.GetValueKind() == JsonValueKind.String && _draft <= 7 && !FormatOk(fmt.GetValue<string>(), value))
        {
            errors.Add(new Failure(path, $"'{GoFmt.Format(value)}' is not valid {fmt.GetValue<string>()}"));
        }
    }

    private void CheckNumber(JsonObject s, decimal? n, string path, List<Failure> errors)
    {
        if (n is not { } x)
        {
            return;
        }

        if (Num(s["multipleOf"]) is { } m && m != 0 && x % m != 0)
        {
            errors.Add(new Failure(path, $"{Fmt(x)} not multipleOf {Fmt(m)}"));
        }

        var exclusiveMax = _draft == 4 && s["exclusiveMaximum"]?.GetValueKind() == JsonValueKind.True;
        var exclusiveMin = _draft == 4 && s["exclusiveMinimum"]?.GetValueKind() == JsonValueKind.True;
        if (Num(s["maximum"]) is { } max && (exclusiveMax ? x >= max : x > max))
        {
            errors.Add(new Failure(path, exclusiveMax ? $"exclusiveMaximum: got {Fmt(x)}, want {Fmt(max)}" : $"maximum: got {Fmt(x)}, want {Fmt(max)}"));
        }

        if (Num(s["minimum"]) is { } min && (exclusiveMin ? x <= min : x < min))
        {
            errors.Add(new Failure(path, exclusiveMin ? $"exclusiveMinimum: got {Fmt(x)}, want {Fmt(min)}" : $"minimum: got {Fmt(x)}, want {Fmt(min)}"));
        }

        if (_draft >= 6 && Num(s["exclusiveMaximum"]) is { } emax && x >= emax)
        {
            errors.Add(new Failure(path, $"exclusiveMaximum: got {Fmt(x)}, want {Fmt(emax)}"));
        }

        if (_draft >= 6 && Num(s["exclusiveMinimum"]) is { } emin && x <= emin)
        {
            errors.Add(new Failure(path, $"exclusiveMinimum: got {Fmt(x)}, want {Fmt(emin)}"));
        }
    }

    private void CheckString(JsonObject s, string str, string path, List<Failure> errors)
    {
        var length = str.EnumerateRunes().Count();
        if (Int(s["maxLength"]) is { } maxLen && length > maxLen)
        {
            errors.Add(new Failure(path, $"maxLength: got {length}, want {maxLen}"));
        }

        if (Int(s["minLength"]) is { } minLen && length < minLen)
        {
            errors.Add(new Failure(path, $"minLength: got {length}, want {minLen}"));
        }

        if (s["pattern"] is JsonValue p && p.GetValueKind() == JsonValueKind.String && !Pattern(p.GetValue<string>()).IsMatch(str))
        {
            errors.Add(new Failure(path, $"'{str}' does not match pattern '{p.GetValue<string>()}'"));
        }
    }

    private GoPattern Pattern(string pattern)
    {
        if (!_regexes.TryGetValue(pattern, out var regex))
        {
            // Helm's schema validator compiles patterns with Go's regexp (RE2), not ECMA-262.
            if (!GoPattern.TryCompile(pattern, out regex, out var error))
            {
                throw new HelmException($"jsonschema: invalid regular expression '{pattern}': {error}");
            }

            _regexes[pattern] = regex;
        }

        return regex;
    }

    private void CheckArray(JsonObject s, List<object?> items, string path, List<Failure> errors, int depth)
    {
        if (Int(s["maxItems"]) is { } max && items.Count > max)
        {
            errors.Add(new Failure(path, $"maxItems: got {items.Count}, want {max}"));
        }

        if (Int(s["minItems"]) is { } min && items.Count < min)
        {
            errors.Add(new Failure(path, $"minItems: got {items.Count}, want {min}"));
        }

        if (s["uniqueItems"]?.GetValueKind() == JsonValueKind.True)
        {
            for (var i = 0; i < items.Count; i++)
            {
                for (var j = i + 1; j < items.Count; j++)
                {
                    if (ValuesEqual(items[i], items[j]))
                    {
                        errors.Add(new Failure(path, $"items at {i} and {j} are equal"));
                        i = items.Count;
                        break;
                    }
                }
            }
        }

        var prefixCount = 0;
        var prefix = _draft >= 2020 ? s["prefixItems"] as JsonArray : s["items"] as JsonArray;
        if (prefix is not null)
        {
            prefixCount = Math.Min(prefix.Count, items.Count);
            for (var i = 0; i < prefixCount; i++)
            {
                Check(prefix[i], items[i], path + "/" + i, errors, depth + 1);
            }
        }

        var rest = _draft >= 2020 ? s["items"] : prefix is not null ? s["additionalItems"] : s["items"];
        if (rest is not null and not JsonArray)
        {
            for (var i = prefix is null ? 0 : prefixCount; i < items.Count; i++)
            {
                Check(rest, items[i], path + "/" + i, errors, depth + 1);
            }
        }

        if (_draft >= 6 && s["contains"] is { } contains)
        {
            var matches = items.Count(item =>
            {
                var sube = new List<Failure>();
                Check(contains, item, path, sube, depth + 1);
                return sube.Count == 0;
            });
            var minContains = _draft >= 2019 ? Int(s["minContains"]) ?? 1 : 1;
            var maxContains = _draft >= 2019 ? Int(s["maxContains"]) : null;
            if (matches < minContains)
            {
                errors.Add(new Failure(path, minContains == 1 ? "no items match contains schema" : $"min {minContains} items required to match contains schema, but matched {matches} items"));
            }

            if (maxContains is { } mc && matches > mc)
            {
                errors.Add(new Failure(path, $"max {mc} items required to match contains schema, but matched {matches} items"));
            }
        }
    }

    private void CheckObject(JsonObject s, IDictionary<string, object?> obj, string path, List<Failure> errors, int depth)
    {
        if (Int(s["maxProperties"]) is { } max && obj.Count > max)
        {
            errors.Add(new Failure(path, $"maxProperties: got {obj.Count}, want {max}"));
        }

        if (Int(s["minProperties"]) is { } min && obj.Count < min)
        {
            errors.Add(new Failure(path, $"minProperties: got {obj.Count}, want {min}"));
        }

        if (s["required"] is JsonArray req)
        {
            var missing = req.Select(r => r!.GetValue<string>()).Where(r => !obj.ContainsKey(r)).ToList();
            if (missing.Count == 1)
            {
                errors.Add(new Failure(path, $"missing property '{missing[0]}'"));
            }
            else if (missing.Count > 1)
            {
                errors.Add(new Failure(path, "missing properties " + string.Join(", ", missing.Select(m => "'" + m + "'"))));
            }
        }

        var props = s["properties"] as JsonObject;
        var patterns = s["patternProperties"] as JsonObject;
        var additional = new List<string>();
        foreach (var key in obj.Keys.Order(StringComparer.Ordinal))
        {
            var value = obj[key];
            var childPath = path + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            var matched = false;
            if (props is not null && props.TryGetPropertyValue(key, out var ps))
            {
                matched = true;
                Check(ps, value, childPath, errors, depth + 1);
            }

            if (patterns is not null)
            {
                foreach (var (pattern, psub) in patterns)
                {
                    if (Pattern(pattern).IsMatch(key))
                    {
                        matched = true;
                        Check(psub, value, childPath, errors, depth + 1);
                    }
                }
            }

            if (!matched)
            {
                additional.Add(key);
                if (s["additionalProperties"] is JsonObject addSchema)
                {
                    Check(addSchema, value, childPath, errors, depth + 1);
                }
            }

            if (_draft >= 6 && s["propertyNames"] is { } names)
            {
                var sube = new List<Failure>();
                Check(names, key, childPath, sube, depth + 1);
                if (sube.Count > 0)
                {
                    errors.Add(new Failure(path, $"invalid propertyName '{key}'", sube));
                }
            }
        }

        if (s["additionalProperties"] is JsonValue ap && ap.GetValueKind() == JsonValueKind.False && additional.Count > 0)
        {
            errors.Add(new Failure(path, $"additional properties {string.Join(", ", additional.Select(a => "'" + a + "'"))} not allowed"));
        }

        var dependentRequired = _draft >= 2019 ? s["dependentRequired"] as JsonObject : null;
        var dependentSchemas = _draft >= 2019 ? s["dependentSchemas"] as JsonObject : null;
        if (_draft < 2019 && s["dependencies"] is JsonObject deps)
        {
            dependentRequired = new JsonObject();
            dependentSchemas = new JsonObject();
            foreach (var (k, v) in deps)
            {
                (v is JsonArray ? dependentRequired : dependentSchemas)[k] = v?.DeepClone();
            }
        }

        foreach (var (key, needed) in dependentRequired ?? [])
        {
            if (obj.ContainsKey(key) && needed is JsonArray arr)
            {
                var missing = arr.Select(a => a!.GetValue<string>()).Where(n => !obj.ContainsKey(n)).ToList();
                if (missing.Count > 0)
                {
                    errors.Add(new Failure(path, $"properties {string.Join(", ", missing.Select(m => "'" + m + "'"))} required, if '{key}' exists"));
                }
            }
        }

        foreach (var (key, dep) in dependentSchemas ?? [])
        {
            if (obj.ContainsKey(key))
            {
                Check(dep, obj, path, errors, depth + 1);
            }
        }
    }

    // ---- JSON data model over Go values ----

    private static string KindOf(object? value)
    {
        switch (value)
        {
            case null or GoTypedNil:
                return "null";
            case bool:
                return "boolean";
            case string:
                return "string";
            case double d:
                return double.IsFinite(d) && d == Math.Floor(d) ? "integer" : "number";
            case float f:
                return float.IsFinite(f) && f == MathF.Floor(f) ? "integer" : "number";
            case IDictionary<string, object?>:
                return "object";
            case IDictionary<string, string>:
                return "object";
            case byte[]:
                return "string";
        }

        return GoValues.KindOf(value) switch
        {
            GoKind.Int or GoKind.Int8 or GoKind.Int16 or GoKind.Int32 or GoKind.Int64
                or GoKind.Uint or GoKind.Uint8 or GoKind.Uint16 or GoKind.Uint32 or GoKind.Uint64 => "integer",
            GoKind.Slice or GoKind.Array => "array",
            GoKind.Map => "object",
            GoKind.String => "string",
            _ => "object",
        };
    }

    private bool IsType(object? value, string kind, string wanted) => wanted switch
    {
        "integer" => kind == "integer" && (_draft > 4 || !(value is double d && HasFraction(d))),
        "number" => kind is "number" or "integer",
        _ => kind == wanted,
    };

    private static bool HasFraction(double d) => d != Math.Floor(d);

    private static decimal? ToDecimal(object? value)
    {
        try
        {
            return value switch
            {
                double d => (decimal)d,
                float f => (decimal)f,
                null => null,
                _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal? Num(JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (decimal)v.GetValue<double>();
        }

        return null;
    }

    private static int? Int(JsonNode? node) => Num(node) is { } d ? (int)Math.Min(d, int.MaxValue) : null;

    private static string Fmt(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static string Display(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "'" + v.GetValue<string>() + "'",
        _ => node.ToJsonString(),
    };

    private static bool JsonEquals(JsonNode? schemaValue, object? value) => ValuesEqual(GoValues.FromJson(schemaValue), value);

    private static bool ValuesEqual(object? a, object? b)
    {
        if (a is null or GoTypedNil || b is null or GoTypedNil)
        {
            return (a is null or GoTypedNil) && (b is null or GoTypedNil);
        }

        var ka = KindOf(a);
        var kb = KindOf(b);
        if (ka is "integer" or "number" && kb is "integer" or "number")
        {
            return ToDecimal(a) == ToDecimal(b);
        }

        if (ka != kb)
        {
            return false;
        }

        switch (ka)
        {
            case "array":
            {
                var la = ((System.Collections.IEnumerable)a).Cast<object?>().ToList();
                var lb = ((System.Collections.IEnumerable)b).Cast<object?>().ToList();
                return la.Count == lb.Count && la.Zip(lb).All(p => ValuesEqual(p.First, p.Second));
            }

            case "object":
            {
                var da = (IDictionary<string, object?>)a;
                var db = (IDictionary<string, object?>)b;
                return da.Count == db.Count && da.All(kv => db.TryGetValue(kv.Key, out var other) && ValuesEqual(kv.Value, other));
            }

            default:
                return Equals(a, b);
        }
    }

    // ---- formats (asserted for draft 7 and earlier, as the library does by default) ----

    private static bool FormatOk(string format, object? value)
    {
        if (value is not string s)
        {
            return true;
        }

        switch (format)
        {
            case "date-time":
                return DateTimeOffset.TryParseExact(s.ToUpperInvariant(), ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            case "date":
                return DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            case "time":
                return DateTimeOffset.TryParseExact("2000-01-01T" + s.ToUpperInvariant(), ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            case "email":
            {
                var at = s.LastIndexOf('@');
                return at > 0 && at < s.Length - 1 && !s[..at].Contains(' ', StringComparison.Ordinal) && Hostname(s[(at + 1)..]);
            }

            case "hostname":
                return Hostname(s);
            case "ipv4":
                return IPAddress.TryParse(s, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && s.Count(c => c == '.') == 3;
            case "ipv6":
                return s.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(s, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            case "uri":
                return Uri.TryCreate(s, UriKind.Absolute, out _);
            case "uri-reference":
                return Uri.TryCreate(s, UriKind.RelativeOrAbsolute, out _);
            case "uuid":
                return Guid.TryParseExact(s, "D", out _);
            case "regex":
                return GoPattern.TryCompile(s, out _, out _);

            case "json-pointer":
                return s.Length == 0 || s.StartsWith('/');
            default:
                return true;
        }
    }

    private static bool Hostname(string s)
    {
        if (s.EndsWith('.'))
        {
            s = s[..^1];
        }

        if (s.Length == 0 || Encoding.UTF8.GetByteCount(s) > 253)
        {
            return false;
        }

        return s.Split('.').All(label => label.Length is > 0 and <= 63
            && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
    }
}
