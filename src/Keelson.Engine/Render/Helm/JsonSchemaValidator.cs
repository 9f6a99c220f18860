using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// JSON Schema validation of chart values as Helm (3.18+ and 4) does it with santhosh-tekuri/jsonschema v6 (Helm
/// before 3.18 used xeipuuv/gojsonschema, whose messages differ; those are not reproduced): drafts 4, 6, 7, 2019-09
/// and 2020-12 chosen by <c>$schema</c> (2020-12 when absent), references within the document (<c>#/definitions/x</c>,
/// <c>#/$defs/x</c>, anchors, <c>$id</c>s; <c>urn:</c> ones accept anything, as Helm's loader does), Go regular
/// expressions for <c>pattern</c>, and <c>format</c> checked for draft 7 and earlier only. Errors are the library's
/// tree in its words: <c>- at '/replicas': got string, want integer</c>, causes indented below. Schemas are not
/// fetched from the network; <c>unevaluatedProperties</c>/<c>unevaluatedItems</c> are not checked.
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

    /// <summary>
    /// The failures as the library prints them under its first line (which Helm drops): "- at '/path': message", the
    /// causes of a failure indented two spaces deeper; empty when the values are valid.
    /// </summary>
    public List<string> Validate(object? values)
    {
        var lines = new List<string>();
        if (Check(_root, values, "", 0) is { } failure)
        {
            // The root's own group is unwrapped, as the library's Schema.Validate does.
            foreach (var f in failure.IsGroup ? failure.Causes! : [failure])
            {
                f.Render(lines, 0);
            }
        }

        return lines;
    }

    /// <summary>
    /// A node of the library's error tree: a keyword's failure at an instance path, with the failures that caused it.
    /// A group collects several failures of one schema ("validation failed"); a reference ($ref and friends) with a
    /// single cause is not printed, its cause stands in its place.
    /// </summary>
    private sealed record Failure(string Path, string Message, List<Failure>? Causes = null, bool IsGroup = false, bool IsReference = false)
    {
        public void Render(List<string> lines, int depth)
        {
            if (IsReference && Causes is [var only])
            {
                only.Render(lines, depth);
                return;
            }

            lines.Add(new string(' ', depth * 2) + "- at " + Quote(Path) + ": " + Message);
            foreach (var c in Causes ?? [])
            {
                c.Render(lines, depth + 1);
            }
        }
    }

    /// <summary>What one schema says of one value: nothing, its only failure, or a group of them.</summary>
    private static Failure? Result(string path, List<Failure> errors) => errors.Count switch
    {
        0 => null,
        1 => errors[0],
        _ => new Failure(path, "validation failed", errors, IsGroup: true),
    };

    /// <summary>The causes a failure contributes to an enclosing one: a group's members, or itself.</summary>
    private static List<Failure> Unwrap(Failure f) => f.IsGroup ? f.Causes! : [f];

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

        // Helm (3.18.4 on) loads urn: references it cannot resolve as the schema true, with a warning.
        if (reference.StartsWith("urn:", StringComparison.Ordinal))
        {
            return JsonValue.Create(true);
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

    // The order of the checks and the shape of the error tree follow the library's validator: type, const, enum and
    // format end the checks of a value when they fail; a draft-7 (or older) $ref replaces its siblings; then the
    // checks of the value's kind, then the applicators.
    private Failure? Check(JsonNode? schema, object? value, string path, int depth)
    {
        if (depth > 200)
        {
            throw new HelmException($"jsonschema: $ref recursion is too deep at '{path}'");
        }

        switch (schema)
        {
            case null:
                return null;
            case JsonValue b when b.GetValueKind() == JsonValueKind.True:
                return null;
            case JsonValue b when b.GetValueKind() == JsonValueKind.False:
                return new Failure(path, "false schema");
            case not JsonObject:
                return null;
        }

        var s = (JsonObject)schema;
        if (_draft <= 7 && s["$ref"] is JsonValue oldRef && oldRef.GetValueKind() == JsonValueKind.String)
        {
            // Before 2019-09 "all other properties in a $ref object MUST be ignored".
            return Ref(oldRef.GetValue<string>(), value, path, depth);
        }

        var kind = KindOf(value);
        if (Types(s["type"]) is { Count: > 0 } wanted && !wanted.Contains(kind) && !(kind == "number" && wanted.Contains("integer") && IsInteger(value)))
        {
            return new Failure(path, $"got {kind}, want {string.Join(" or ", TypeOrder.Where(wanted.Contains))}");
        }

        if (_draft >= 6 && s.TryGetPropertyValue("const", out var constant) && !JsonEquals(constant, value))
        {
            return new Failure(path, constant is JsonObject or JsonArray ? "'const' failed" : $"value must be {Display(constant)}");
        }

        if (s["enum"] is JsonArray en && !en.Any(e => JsonEquals(e, value)))
        {
            return new Failure(path, en.Any(e => e is JsonObject or JsonArray) ? "'enum' failed"
                : en.Count == 1 ? $"value must be {Display(en[0])}" : $"value must be one of {string.Join(", ", en.Select(Display))}");
        }

        if (_draft <= 7 && s["format"] is JsonValue fmt && fmt.GetValueKind() == JsonValueKind.String && !FormatOk(fmt.GetValue<string>(), value))
        {
            // The library adds ": <reason>" from its format checker; the reasons are not reproduced here.
            return new Failure(path, $"{DisplayValue(value)} is not valid {fmt.GetValue<string>()}");
        }

        var errors = new List<Failure>();
        if (s["$ref"] is JsonValue r && r.GetValueKind() == JsonValueKind.String && Ref(r.GetValue<string>(), value, path, depth) is { } refFailure)
        {
            errors.Add(refFailure);
        }

        switch (kind)
        {
            case "object":
                CheckObject(s, AsObject(value!), path, errors, depth);
                break;
            case "array":
                CheckArray(s, ((System.Collections.IEnumerable)value!).Cast<object?>().ToList(), path, errors, depth);
                break;
            case "string":
                CheckString(s, value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : (string)value!, path, errors);
                break;
            case "number":
                CheckNumber(s, value, path, errors);
                break;
        }

        if (_draft >= 2019)
        {
            foreach (var keyword in DynamicRefs)
            {
                if (s[keyword] is JsonValue dr && dr.GetValueKind() == JsonValueKind.String && Ref(dr.GetValue<string>(), value, path, depth) is { } f)
                {
                    errors.Add(f);
                }
            }
        }

        CheckApplicators(s, value, path, errors, depth);
        return Result(path, errors);
    }

    /// <summary>A reference's failure: "validation failed" over what the target says (printed as its cause alone when there is one).</summary>
    private Failure? Ref(string reference, object? value, string path, int depth) =>
        Check(Resolve(reference), value, path, depth + 1) is { } f ? new Failure(path, "validation failed", Unwrap(f), IsReference: true) : null;

    private void CheckApplicators(JsonObject s, object? value, string path, List<Failure> errors, int depth)
    {
        if (s.TryGetPropertyValue("not", out var not) && not is not null && Check(not, value, path, depth + 1) is null)
        {
            errors.Add(new Failure(path, "'not' failed"));
        }

        if (s["allOf"] is JsonArray all)
        {
            var causes = all.Select(sub => Check(sub, value, path, depth + 1)).OfType<Failure>().ToList();
            if (causes.Count > 0)
            {
                errors.Add(new Failure(path, "'allOf' failed", causes));
            }
        }

        if (s["anyOf"] is JsonArray any)
        {
            var causes = new List<Failure>();
            foreach (var sub in any)
            {
                if (Check(sub, value, path, depth + 1) is not { } f)
                {
                    causes = null;
                    break;
                }

                causes.Add(f);
            }

            if (causes is not null)
            {
                errors.Add(new Failure(path, "'anyOf' failed", causes));
            }
        }

        if (s["oneOf"] is JsonArray one)
        {
            var causes = new List<Failure>();
            var matched = -1;
            for (var i = 0; i < one.Count; i++)
            {
                if (Check(one[i], value, path, depth + 1) is { } f)
                {
                    if (matched == -1)
                    {
                        causes.Add(f);
                    }
                }
                else if (matched == -1)
                {
                    matched = i;
                }
                else
                {
                    errors.Add(new Failure(path, $"'oneOf' failed, subschemas {matched}, {i} matched"));
                    break;
                }
            }

            if (matched == -1)
            {
                errors.Add(new Failure(path, "'oneOf' failed, none matched", causes));
            }
        }

        // "if": true compiles only "then", "if": false only "else".
        if (_draft >= 7 && s.TryGetPropertyValue("if", out var cond) && cond is not null)
        {
            var branch = Check(cond, value, path, depth + 1) is null ? "then" : "else";
            if (Check(s[branch], value, path, depth + 1) is { } f)
            {
                errors.Add(f);
            }
        }
    }

    private static void CheckNumber(JsonObject s, object? value, string path, List<Failure> errors)
    {
        if (ToDecimal(value) is not { } x)
        {
            return;
        }

        // A boolean exclusiveMaximum (draft 4's form) turns maximum into an exclusive bound, in any draft.
        var max = Num(s["maximum"]);
        var exclusiveMax = Num(s["exclusiveMaximum"]);
        if (s["exclusiveMaximum"]?.GetValueKind() == JsonValueKind.True)
        {
            (exclusiveMax, max) = (max, null);
        }

        var min = Num(s["minimum"]);
        var exclusiveMin = Num(s["exclusiveMinimum"]);
        if (s["exclusiveMinimum"]?.GetValueKind() == JsonValueKind.True)
        {
            (exclusiveMin, min) = (min, null);
        }

        if (min is { } lo && x < lo)
        {
            errors.Add(new Failure(path, $"minimum: got {Number(x)}, want {Number(lo)}"));
        }

        if (max is { } hi && x > hi)
        {
            errors.Add(new Failure(path, $"maximum: got {Number(x)}, want {Number(hi)}"));
        }

        if (exclusiveMin is { } elo && x <= elo)
        {
            errors.Add(new Failure(path, $"exclusiveMinimum: got {Number(x)}, want {Number(elo)}"));
        }

        if (exclusiveMax is { } ehi && x >= ehi)
        {
            errors.Add(new Failure(path, $"exclusiveMaximum: got {Number(x)}, want {Number(ehi)}"));
        }

        if (Num(s["multipleOf"]) is { } m && m != 0 && x % m != 0)
        {
            errors.Add(new Failure(path, $"multipleOf: got {Number(x)}, want {Number(m)}"));
        }
    }

    private void CheckString(JsonObject s, string str, string path, List<Failure> errors)
    {
        var length = str.EnumerateRunes().Count();
        if (Int(s["minLength"]) is { } minLen && length < minLen)
        {
            errors.Add(new Failure(path, $"minLength: got {Integer(length)}, want {Integer(minLen)}"));
        }

        if (Int(s["maxLength"]) is { } maxLen && length > maxLen)
        {
            errors.Add(new Failure(path, $"maxLength: got {Integer(length)}, want {Integer(maxLen)}"));
        }

        if (s["pattern"] is JsonValue p && p.GetValueKind() == JsonValueKind.String && !Pattern(p.GetValue<string>()).IsMatch(str))
        {
            errors.Add(new Failure(path, $"{Quote(str)} does not match pattern {Quote(p.GetValue<string>())}"));
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
        if (Int(s["minItems"]) is { } min && items.Count < min)
        {
            errors.Add(new Failure(path, $"minItems: got {Integer(items.Count)}, want {Integer(min)}"));
        }

        if (Int(s["maxItems"]) is { } max && items.Count > max)
        {
            errors.Add(new Failure(path, $"maxItems: got {Integer(items.Count)}, want {Integer(max)}"));
        }

        if (s["uniqueItems"]?.GetValueKind() == JsonValueKind.True && Duplicate(items) is var (first, second))
        {
            errors.Add(new Failure(path, $"items at {Integer(first)} and {Integer(second)} are equal"));
        }

        // Items after the positional ones are named by their index among those items, as the library names them.
        if (_draft < 2020)
        {
            switch (s["items"])
            {
                case JsonArray positional:
                {
                    var evaluated = Math.Min(positional.Count, items.Count);
                    for (var i = 0; i < evaluated; i++)
                    {
                        Add(errors, Check(positional[i], items[i], path + "/" + i, depth + 1));
                    }

                    switch (s["additionalItems"])
                    {
                        case JsonValue b when b.GetValueKind() == JsonValueKind.False:
                            if (evaluated != items.Count)
                            {
                                errors.Add(new Failure(path, $"last {Integer(items.Count - evaluated)} additionalItem(s) not allowed"));
                            }

                            break;
                        case JsonObject additional:
                            for (var i = evaluated; i < items.Count; i++)
                            {
                                Add(errors, Check(additional, items[i], path + "/" + (i - evaluated), depth + 1));
                            }

                            break;
                    }

                    break;
                }

                case { } every:
                    for (var i = 0; i < items.Count; i++)
                    {
                        Add(errors, Check(every, items[i], path + "/" + i, depth + 1));
                    }

                    break;
            }
        }
        else
        {
            var prefix = s["prefixItems"] as JsonArray;
            var evaluated = Math.Min(prefix?.Count ?? 0, items.Count);
            for (var i = 0; i < evaluated; i++)
            {
                Add(errors, Check(prefix![i], items[i], path + "/" + i, depth + 1));
            }

            if (s.TryGetPropertyValue("items", out var rest) && rest is not null)
            {
                for (var i = evaluated; i < items.Count; i++)
                {
                    Add(errors, Check(rest, items[i], path + "/" + (i - evaluated), depth + 1));
                }
            }
        }

        if (_draft >= 6 && s.TryGetPropertyValue("contains", out var contains) && contains is not null)
        {
            var causes = new List<Failure>();
            var matched = new List<int>();
            for (var i = 0; i < items.Count; i++)
            {
                if (Check(contains, items[i], path + "/" + i, depth + 1) is { } f)
                {
                    causes.Add(f);
                }
                else
                {
                    matched.Add(i);
                }
            }

            var minContains = _draft >= 2019 ? Int(s["minContains"]) : null;
            var maxContains = _draft >= 2019 ? Int(s["maxContains"]) : null;
            if (minContains is { } mc)
            {
                if (matched.Count < mc)
                {
                    errors.Add(new Failure(path, matched.Count == 0
                        ? $"min {Integer(mc)} items required to match contains schema, but none matched"
                        : $"min {Integer(mc)} items required to match contains schema, but matched {Integer(matched.Count)} items at {string.Join(' ', matched)}", causes));
                }
            }
            else if (matched.Count == 0)
            {
                errors.Add(new Failure(path, "no items match contains schema", causes));
            }

            if (maxContains is { } xc && matched.Count > xc)
            {
                errors.Add(new Failure(path, $"max {Integer(xc)} items required to match contains schema, but matched {Integer(matched.Count)} items at {string.Join(' ', matched)}"));
            }
        }
    }

    /// <summary>The library's first repeated pair: the earliest item equal to an item before it, and that item.</summary>
    private static (int First, int Second)? Duplicate(List<object?> items)
    {
        for (var i = 1; i < items.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (ValuesEqual(items[i], items[j]))
                {
                    return (j, i);
                }
            }
        }

        return null;
    }

    private static void Add(List<Failure> errors, Failure? failure)
    {
        if (failure is not null)
        {
            errors.Add(failure);
        }
    }

    private void CheckObject(JsonObject s, IDictionary<string, object?> obj, string path, List<Failure> errors, int depth)
    {
        if (Int(s["minProperties"]) is { } min && obj.Count < min)
        {
            errors.Add(new Failure(path, $"minProperties: got {Integer(obj.Count)}, want {Integer(min)}"));
        }

        if (Int(s["maxProperties"]) is { } max && obj.Count > max)
        {
            errors.Add(new Failure(path, $"maxProperties: got {Integer(obj.Count)}, want {Integer(max)}"));
        }

        if (s["required"] is JsonArray req && Missing(obj, req) is { Count: > 0 } missing)
        {
            errors.Add(new Failure(path, missing.Count == 1 ? $"missing property {Quote(missing[0])}" : "missing properties " + string.Join(", ", missing.Select(Quote))));
        }

        // "dependencies" (draft 7 and before, still read by the library in later drafts): names or a schema.
        foreach (var (key, dep) in s["dependencies"] as JsonObject ?? [])
        {
            if (!obj.ContainsKey(key))
            {
                continue;
            }

            if (dep is JsonArray names)
            {
                if (Missing(obj, names) is { Count: > 0 } absent)
                {
                    errors.Add(new Failure(path, $"properties {string.Join(", ", absent.Select(Quote))} required, if {Quote(key)} exists"));
                }
            }
            else
            {
                Add(errors, Check(dep, obj, path, depth + 1));
            }
        }

        // Go ranges over a map in random order; the keys are taken in sorted order so the message is stable.
        var props = s["properties"] as JsonObject;
        var patterns = s["patternProperties"] as JsonObject;
        var additional = new List<string>();
        var keys = obj.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var key in keys)
        {
            var value = obj[key];
            var childPath = path + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            var evaluated = false;
            if (props is not null && props.TryGetPropertyValue(key, out var ps))
            {
                evaluated = true;
                Add(errors, Check(ps, value, childPath, depth + 1));
            }

            foreach (var (pattern, psub) in patterns ?? [])
            {
                if (Pattern(pattern).IsMatch(key))
                {
                    evaluated = true;
                    Add(errors, Check(psub, value, childPath, depth + 1));
                }
            }

            if (!evaluated)
            {
                switch (s["additionalProperties"])
                {
                    case JsonValue b when b.GetValueKind() == JsonValueKind.False:
                        additional.Add(key);
                        break;
                    case JsonObject addSchema:
                        Add(errors, Check(addSchema, value, childPath, depth + 1));
                        break;
                }
            }
        }

        if (additional.Count > 0)
        {
            errors.Add(new Failure(path, $"additional properties {string.Join(", ", additional.Select(Quote))} not allowed"));
        }

        if (_draft >= 6 && s.TryGetPropertyValue("propertyNames", out var names2) && names2 is not null)
        {
            foreach (var key in keys)
            {
                // The library checks each name as a document of its own and relabels the result: the failure and
                // its causes are at '' whatever the object's path.
                if (Check(names2, key, "", depth + 1) is { } f)
                {
                    errors.Add(new Failure("", $"invalid propertyName {Quote(key)}", Unwrap(f)));
                }
            }
        }

        if (_draft >= 2019)
        {
            foreach (var (key, dep) in s["dependentSchemas"] as JsonObject ?? [])
            {
                if (obj.ContainsKey(key))
                {
                    Add(errors, Check(dep, obj, path, depth + 1));
                }
            }

            foreach (var (key, needed) in s["dependentRequired"] as JsonObject ?? [])
            {
                if (obj.ContainsKey(key) && needed is JsonArray arr && Missing(obj, arr) is { Count: > 0 } absent)
                {
                    errors.Add(new Failure(path, $"properties {string.Join(", ", absent.Select(Quote))} required, if {Quote(key)} exists"));
                }
            }
        }
    }

    /// <summary>The names in <paramref name="names"/> (strings only, as the library reads them) that the object lacks.</summary>
    private static List<string> Missing(IDictionary<string, object?> obj, JsonArray names) =>
        names.OfType<JsonValue>().Where(n => n.GetValueKind() == JsonValueKind.String).Select(n => n.GetValue<string>()).Where(n => !obj.ContainsKey(n)).ToList();

    // ---- JSON data model over Go values ----

    /// <summary>The library's typeOf: every number is a "number" ("integer" is only ever wanted, never got).</summary>
    private static string KindOf(object? value)
    {
        switch (value)
        {
            case null or GoTypedNil:
                return "null";
            case bool:
                return "boolean";
            case string or byte[]:
                return "string";
            case double or float or decimal:
                return "number";
            case IDictionary<string, object?> or IDictionary<string, string>:
                return "object";
        }

        return GoValues.KindOf(value) switch
        {
            GoKind.Int or GoKind.Int8 or GoKind.Int16 or GoKind.Int32 or GoKind.Int64
                or GoKind.Uint or GoKind.Uint8 or GoKind.Uint16 or GoKind.Uint32 or GoKind.Uint64
                or GoKind.Float32 or GoKind.Float64 => "number",
            GoKind.Slice or GoKind.Array => "array",
            GoKind.String => "string",
            _ => "object",
        };
    }

    private static readonly string[] DynamicRefs = ["$recursiveRef", "$dynamicRef"];

    // The order in which the library lists wanted types, whatever the schema's order.
    private static readonly string[] TypeOrder = ["null", "boolean", "number", "integer", "string", "array", "object"];

    /// <summary>The known type names of a "type" keyword (a name or a list of names; others are ignored, as the library does).</summary>
    private static HashSet<string>? Types(JsonNode? type)
    {
        var names = type switch
        {
            JsonArray list => list.ToArray(),
            JsonValue v => new JsonNode?[] { v },
            _ => [],
        };
        var set = names.OfType<JsonValue>().Where(n => n.GetValueKind() == JsonValueKind.String).Select(n => n.GetValue<string>()).Where(TypeOrder.Contains).ToHashSet(StringComparer.Ordinal);
        return set.Count == 0 ? null : set;
    }

    private static bool IsInteger(object? value) => value switch
    {
        double d => double.IsFinite(d) && d == Math.Floor(d),
        float f => float.IsFinite(f) && f == MathF.Floor(f),
        decimal m => m == decimal.Floor(m),
        _ => KindOf(value) == "number",
    };

    private static IDictionary<string, object?> AsObject(object value) => value switch
    {
        IDictionary<string, object?> map => map,
        IDictionary<string, string> strings => strings.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
        _ => new Dictionary<string, object?>(StringComparer.Ordinal),
    };

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
        catch (Exception e) when (e is OverflowException or InvalidCastException or FormatException)
        {
            return null;
        }
    }

    private static decimal? Num(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        if (decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        // Beyond decimal's range a bound is as good as infinite for values that fit in a decimal.
        return v.GetValue<double>() > 0 ? decimal.MaxValue : decimal.MinValue;
    }

    /// <summary>The library's intVal: only a whole number counts.</summary>
    private static int? Int(JsonNode? node) => Num(node) is { } d && d == decimal.Floor(d) ? (int)Math.Clamp(d, int.MinValue, int.MaxValue) : null;

    /// <summary>
    /// A count as golang.org/x/text/message prints %d for English, which the library's messages go through:
    /// 1,000. (Observed with message.NewPrinter(language.English).)
    /// </summary>
    private static string Integer(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A bound or value as the library prints it: big.Rat → float64 → golang.org/x/text's English %v, which groups
    /// digits (65,535) and writes exponents as "1.5 × 10⁰⁶" (with narrow no-break spaces) where Go writes 1.5e+06.
    /// </summary>
    private static string Number(decimal value)
    {
        var go = GoFmt.Sprintf("%v", (double)value);
        var e = go.IndexOf('e', StringComparison.Ordinal);
        if (e < 0)
        {
            var negative = go.StartsWith('-');
            var digits = negative ? go[1..] : go;
            var dot = digits.IndexOf('.', StringComparison.Ordinal);
            var whole = dot < 0 ? digits : digits[..dot];
            var grouped = new StringBuilder();
            for (var i = 0; i < whole.Length; i++)
            {
                if (i > 0 && (whole.Length - i) % 3 == 0)
                {
                    grouped.Append(',');
                }

                grouped.Append(whole[i]);
            }

            return (negative ? "-" : "") + grouped + (dot < 0 ? "" : digits[dot..]);
        }

        var exponent = new StringBuilder(go[..e]).Append("\u202f×\u202f10");
        foreach (var c in go[(e + 1)..])
        {
            exponent.Append(c switch
            {
                '-' => "⁻",
                '+' => "",
                _ => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0'].ToString(),
            });
        }

        return exponent.ToString();
    }

    /// <summary>The library's quote: Go's %q, then single quotes around it (a ' inside escaped, a " not).</summary>
    private static string Quote(string s)
    {
        var q = GoFmt.Sprintf("%q", s);
        return "'" + q[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }

    /// <summary>The library's display of a schema's primitive: a quoted string, Go's %v otherwise (null is &lt;nil&gt;, numbers as written).</summary>
    private static string Display(JsonNode? node) => node switch
    {
        null => "<nil>",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        _ => node.ToJsonString(),
    };

    private static string DisplayValue(object? value) => value is string s ? Quote(s) : GoFmt.Format(value);

    private static bool JsonEquals(JsonNode? schemaValue, object? value) => ValuesEqual(GoValues.FromJson(schemaValue), value);

    private static bool ValuesEqual(object? a, object? b)
    {
        if (a is null or GoTypedNil || b is null or GoTypedNil)
        {
            return (a is null or GoTypedNil) && (b is null or GoTypedNil);
        }

        var ka = KindOf(a);
        if (ka != KindOf(b))
        {
            return false;
        }

        switch (ka)
        {
            case "number":
                return ToDecimal(a) == ToDecimal(b);
            case "array":
            {
                var la = ((System.Collections.IEnumerable)a).Cast<object?>().ToList();
                var lb = ((System.Collections.IEnumerable)b).Cast<object?>().ToList();
                return la.Count == lb.Count && la.Zip(lb).All(p => ValuesEqual(p.First, p.Second));
            }

            case "object":
            {
                var da = AsObject(a);
                var db = AsObject(b);
                return da.Count == db.Count && da.All(kv => db.TryGetValue(kv.Key, out var other) && ValuesEqual(kv.Value, other));
            }

            case "string":
                return (a is byte[] ba ? Encoding.UTF8.GetString(ba) : a as string) == (b is byte[] bb ? Encoding.UTF8.GetString(bb) : b as string);
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
