using System.Text.Json.Nodes;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Tests.Schema;

public sealed class SchemaValidatorTests
{
    private static List<string> Errors(string schema, string value) =>
        SchemaValidator.Validate(JsonSchemaNode.Parse(JsonNode.Parse(schema)!.AsObject()), JsonNode.Parse(value)).Select(e => e.ToString()).ToList();

    [Fact]
    public void Reports_type_errors_with_the_value_type_like_kube_apiserver()
    {
        var errors = Errors("""{"type":"object","properties":{"n":{"type":"integer"},"f":{"type":"number"},"b":{"type":"boolean"}}}""",
            """{"n":1.5,"f":"x","b":1}""");
        Assert.Equal(
        [
            "n: Invalid value: \"number\": n in body must be of type integer: \"number\"",
            "f: Invalid value: \"string\": f in body must be of type number: \"string\"",
            "b: Invalid value: \"integer\": b in body must be of type boolean: \"integer\"",
        ], errors);
        Assert.Empty(Errors("""{"type":"integer"}""", "3.0"));
    }

    [Fact]
    public void Checks_bounds_lengths_patterns_and_formats()
    {
        var schema = """
            {"type":"object","properties":{
              "min":{"type":"integer","minimum":2,"exclusiveMinimum":true},
              "short":{"type":"string","minLength":3},
              "items":{"type":"array","minItems":1,"uniqueItems":true},
              "id":{"type":"integer","format":"int32"},
              "when":{"type":"string","format":"date-time"},
              "step":{"type":"number","multipleOf":0.5}
            }}
            """;
        var errors = Errors(schema, """{"min":2,"short":"ab","items":[],"id":3000000000,"when":"yesterday","step":0.3}""");
        Assert.Contains("min: Invalid value: 2: min in body should be greater than 2", errors);
        Assert.Contains("short: Invalid value: \"ab\": short in body should be at least 3 chars long", errors);
        Assert.Contains("items: Invalid value: []: items in body should have at least 1 items", errors);
        Assert.Contains(errors, e => e.StartsWith("id: Invalid value: 3000000000: id in body must be of type int32", StringComparison.Ordinal));
        Assert.Contains("when: Invalid value: \"yesterday\": when in body must be of type date-time: \"yesterday\"", errors);
        Assert.Contains("step: Invalid value: 0.3: step in body should be a multiple of 0.5", errors);
        Assert.Contains("items[1]: Duplicate value: \"a\"", Errors(schema, """{"items":["a","a"]}"""));
    }

    [Fact]
    public void Handles_nullable_int_or_string_and_combinators()
    {
        var schema = """
            {"type":"object","properties":{
              "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
              "maybe":{"type":"string","nullable":true},
              "one":{"oneOf":[{"type":"string","maxLength":3},{"type":"string","minLength":2}]},
              "never":{"not":{"type":"string"}}
            }}
            """;
        Assert.Empty(Errors(schema, """{"port":80,"maybe":null}"""));
        Assert.Empty(Errors(schema, """{"port":"http"}"""));
        var errors = Errors(schema, """{"port":[1],"one":"abc","never":"x"}""");
        Assert.Contains("port: Invalid value: \"array\": port in body must be of type integer,string: \"array\"", errors);
        Assert.Contains(errors, e => e.Contains("must validate one and only one schema (oneOf)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must not validate the schema (not)", StringComparison.Ordinal));
    }

    [Fact]
    public void Supports_the_json_schema_pieces_values_schemas_use()
    {
        var schema = """
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["image"],
             "definitions":{"port":{"type":"integer","minimum":1,"maximum":65535}},
             "properties":{
               "image":{"type":"object","properties":{"tag":{"type":["string","null"]},"pullPolicy":{"const":"Always"}},"additionalProperties":false},
               "port":{"$ref":"#/definitions/port"},
               "labels":{"type":"object","additionalProperties":{"type":"string"}},
               "limit":{"type":"number","exclusiveMaximum":10}
             }}
            """;
        Assert.Empty(Errors(schema, """{"image":{"tag":null,"pullPolicy":"Always"},"port":80,"labels":{"a":"b"},"limit":9.5}"""));
        var errors = Errors(schema, """{"image":{"tag":1,"pullPolicy":"Never","extra":1},"port":0,"labels":{"a":1},"limit":10}""");
        Assert.Contains("image.tag: Invalid value: \"integer\": image.tag in body must be of type string,null: \"integer\"", errors);
        Assert.Contains(errors, e => e.StartsWith("image.pullPolicy: Invalid value: \"Never\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("image.extra: Forbidden", StringComparison.Ordinal));
        Assert.Contains("port: Invalid value: 0: port in body should be greater than or equal to 1", errors);
        Assert.Contains("labels.a: Invalid value: \"integer\": labels.a in body must be of type string: \"integer\"", errors);
        Assert.Contains("limit: Invalid value: 10: limit in body should be less than 10", errors);
        Assert.Equal(["image: Required value"], Errors(schema, "{}"));
    }

    [Fact]
    public void Malformed_schemas_are_rejected_with_the_location()
    {
        var ex = Assert.Throws<SchemaException>(() => JsonSchemaNode.Parse(JsonNode.Parse("""{"properties":{"a":{"type":"strnig"}}}""")!.AsObject()));
        Assert.StartsWith("properties[a].type: Unsupported value: \"strnig\"", ex.Message);
        var regex = Assert.Throws<SchemaException>(() => JsonSchemaNode.Parse(JsonNode.Parse("""{"pattern":"(unclosed"}""")!.AsObject()));
        Assert.StartsWith("pattern: Invalid value: \"(unclosed\"", regex.Message);
    }

    [Fact]
    public void Pruning_drops_undeclared_fields_and_defaulting_fills_absent_ones()
    {
        var schema = JsonSchemaNode.Parse(JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "a":{"type":"string","default":"x"},
              "b":{"type":"object","properties":{"c":{"type":"integer","default":1}}},
              "list":{"type":"array","items":{"type":"object","properties":{"k":{"type":"string","default":"v"}}}},
              "keep":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
              "nothing":{"type":"string"}
            }}}}
            """)!.AsObject());
        var obj = JsonNode.Parse("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","bogus":1},"spec":{"b":{},"list":[{},{"k":"w","z":1}],"keep":{"q":1},"extra":2,"nothing":null},"other":1}""")!.AsObject();
        var pruned = StructuralSchema.Prune(schema, obj);
        Assert.Equal(["metadata.bogus", "spec.list[1].z", "spec.extra", "other"], pruned);
        StructuralSchema.ApplyDefaults(schema, obj);
        Assert.Equal("""{"apiVersion":"x/v1","kind":"X","metadata":{"name":"n"},"spec":{"b":{"c":1},"list":[{"k":"v"},{"k":"w"}],"keep":{"q":1},"a":"x"}}""", obj.ToJsonString());
    }
}
