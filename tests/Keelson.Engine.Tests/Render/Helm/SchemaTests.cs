using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// values.schema.json as Helm 3.18+ and 4 check it (santhosh-tekuri/jsonschema v6, not gojsonschema as before 3.18):
/// each chart's schema against its own coalesced values, and the whole message as Helm prints it. The expected texts
/// follow Helm's pkg/chartutil/jsonschema_test.go where it has a case, otherwise the library's message catalogue
/// (kind/kind.go) and error tree (validator.go, output.go) at v6.
/// </summary>
public sealed class SchemaTests
{
    private const string Header = "values don't meet the specifications of the schema(s) in the following chart(s):\n";

    private static TestChart Chart(string schema, string values, params (string Path, string Content)[] more)
    {
        var files = new Dictionary<string, string>
        {
            ["values.schema.json"] = schema,
            ["values.yaml"] = values,
            ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        };
        foreach (var (path, content) in more)
        {
            files[path] = content;
        }

        return new TestChart("app", files);
    }

    private static async Task<string> FailureAsync(string schema, string values, params (string Path, string Content)[] more)
    {
        using var chart = Chart(schema, values, more);
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        return e.Message;
    }

    public static TheoryData<string, string, string?> Failures => new()
    {
        // schema, values.yaml, the lines Helm prints under "app:" (null: the values are valid)
        // type mismatch
        { """{"properties": {"replicas": {"type": "integer"}}}""", "replicas: three\n", "- at '/replicas': got string, want integer" },
        // every number is a 'number' when it is the wrong type
        { """{"properties": {"name": {"type": "string"}}}""", "name: 3\n", "- at '/name': got number, want string" },
        // a fraction is not an integer
        { """{"properties": {"replicas": {"type": "integer"}}}""", "replicas: 1.5\n", "- at '/replicas': got number, want integer" },
        // wanted types in the library's order, not the schema's
        { """{"properties": {"tag": {"type": ["string", "null"]}}}""", "tag: 1\n", "- at '/tag': got number, want null or string" },
        // a wrong type stops the other checks of that value
        { """{"properties": {"mode": {"type": "string", "enum": ["a", "b"], "minLength": 5}}}""", "mode: 3\n", "- at '/mode': got number, want string" },
        // required key
        { """{"required": ["image"]}""", "name: x\n", "- at '': missing property 'image'" },
        // required keys
        { """{"required": ["image", "name", "port"]}""", "name: x\n", "- at '': missing properties 'image', 'port'" },
        // enum
        { """{"properties": {"type": {"enum": ["ClusterIP", "NodePort"]}}}""", "type: LoadBalancer\n", "- at '/type': value must be one of 'ClusterIP', 'NodePort'" },
        // enum of one
        { """{"properties": {"backend": {"enum": ["postgres"]}}}""", "backend: memory\n", "- at '/backend': value must be 'postgres'" },
        // enum with null and numbers
        { """{"properties": {"x": {"enum": [null, 1.50, true]}}}""", "x: z\n", "- at '/x': value must be one of <nil>, 1.50, true" },
        // enum with an object
        { """{"properties": {"x": {"enum": [{"a": 1}, "b"]}}}""", "x: z\n", "- at '/x': 'enum' failed" },
        // const
        { """{"properties": {"x": {"const": "fixed"}}}""", "x: z\n", "- at '/x': value must be 'fixed'" },
        // pattern, quoted as Go quotes it
        { """{"properties": {"port": {"type": "string", "pattern": "^\\d+$"}}}""", "port: \"it's 8o\"\n", "- at '/port': 'it\\'s 8o' does not match pattern '^\\\\d+$'" },
        // pattern is RE2
        { """{"properties": {"host": {"pattern": "^[a-z]+\\z"}}}""", "host: Abc\n", "- at '/host': 'Abc' does not match pattern '^[a-z]+\\\\z'" },
        // the object's own failures come before its properties'
        { """{"required": ["employmentInfo"], "properties": {"age": {"type": "integer", "minimum": 0}}}""", "age: -5\n", "- at '': missing property 'employmentInfo'\n- at '/age': minimum: got -5, want 0" },
        // numbers print as golang.org/x/text prints them in English
        { """{"properties": {"port": {"maximum": 65535}, "size": {"maxLength": 3}}}""", "port: 70000\nsize: abcd\n", "- at '/port': maximum: got 70,000, want 65,535\n- at '/size': maxLength: got 4, want 3" },
        // number checks in the library's order; the only failing value's group is unwrapped like the root's
        { """{"properties": {"num": {"multipleOf": 2, "maximum": 1, "exclusiveMinimum": 5}}}""", "num: 3\n", "- at '/num': maximum: got 3, want 1\n- at '/num': exclusiveMinimum: got 3, want 5\n- at '/num': multipleOf: got 3, want 2" },
        // several failures of one value among others are grouped under it
        { """{"required": ["name"], "properties": {"num": {"multipleOf": 2, "maximum": 1}}}""", "num: 3\n", "- at '': missing property 'name'\n- at '/num': validation failed\n  - at '/num': maximum: got 3, want 1\n  - at '/num': multipleOf: got 3, want 2" },
        // $ref with one failure shows only the failure
        { """{"$defs": {"port": {"type": "integer", "minimum": 1}}, "properties": {"port": {"$ref": "#/$defs/port"}}}""", "port: 0\n", "- at '/port': minimum: got 0, want 1" },
        // $ref with several failures nests them
        { """{"definitions": {"svc": {"type": "object", "required": ["a"], "properties": {"b": {"type": "string"}}}}, "properties": {"svc": {"$ref": "#/definitions/svc"}}}""", "svc:\n  b: 1\n", "- at '/svc': validation failed\n  - at '/svc': missing property 'a'\n  - at '/svc/b': got number, want string" },
        // draft-07 $ref ignores its siblings
        { """{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"s": {"type": "string"}}, "properties": {"x": {"$ref": "#/definitions/s", "maximum": 0}}}""", "x: 1\n", "- at '/x': got number, want string" },
        // a root $ref with several failures
        { """{"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/values", "definitions": {"values": {"required": ["a", "b"], "properties": {"c": {"type": "boolean"}}}}}""", "c: 1\n", "- at '': validation failed\n  - at '': missing properties 'a', 'b'\n  - at '/c': got number, want boolean" },
        // allOf
        { """{"properties": {"v": {"allOf": [{"type": "string"}, {"minLength": 1, "pattern": "^a"}]}}}""", "v: \"\"\n", "- at '/v': 'allOf' failed\n  - at '/v': validation failed\n    - at '/v': minLength: got 0, want 1\n    - at '/v': '' does not match pattern '^a'" },
        // anyOf
        { """{"properties": {"v": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}""", "v: true\n", "- at '/v': 'anyOf' failed\n  - at '/v': got boolean, want string\n  - at '/v': got boolean, want integer" },
        // oneOf matching twice
        { """{"properties": {"v": {"oneOf": [{"type": "integer"}, {"minimum": 1}]}}}""", "v: 2\n", "- at '/v': 'oneOf' failed, subschemas 0, 1 matched" },
        // not
        { """{"properties": {"v": {"not": {"type": "string"}}}}""", "v: s\n", "- at '/v': 'not' failed" },
        // additionalProperties false
        { """{"properties": {"a": {}}, "additionalProperties": false}""", "a: 1\nz: 2\nb: 3\n", "- at '': additional properties 'b', 'z' not allowed" },
        // uniqueItems names the first repeat
        { """{"properties": {"l": {"uniqueItems": true}}}""", "l: [1, 2, 2, 1]\n", "- at '/l': items at 1 and 2 are equal" },
        // additionalItems false
        { """{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"l": {"items": [{"type": "integer"}], "additionalItems": false}}}""", "l: [1, 2, 3]\n", "- at '/l': last 2 additionalItem(s) not allowed" },
        // minContains
        { """{"properties": {"l": {"contains": {"type": "string"}, "minContains": 2}}}""", "l: [a, 1]\n", "- at '/l': min 2 items required to match contains schema, but matched 1 items at 0\n  - at '/l/1': got number, want string" },
        // if then else
        { """{"if": {"properties": {"tls": {"const": true}}}, "then": {"required": ["cert"]}, "else": {"required": ["port"]}}""", "tls: true\n", "- at '': missing property 'cert'" },
        // keys with / and ~ are escaped in the path
        { """{"properties": {"a/b~c": {"type": "string"}}}""", "a/b~c: 1\n", "- at '/a~1b~0c': got number, want string" },
        // an unresolved urn reference accepts anything
        { """{"properties": {"x": {"$ref": "urn:example:any"}}}""", "x: 1\ny: z\n", null },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Failures_read_as_helm_prints_them(string schema, string values, string? lines)
    {
        if (lines is null)
        {
            using var valid = Chart(schema, values);
            Assert.Single((await valid.RenderAsync()).Manifests);
            return;
        }

        Assert.Equal(Header + "app:\n" + lines + "\n", await FailureAsync(schema, values));
    }

    [Fact]
    public async Task Valid_values_pass_every_keyword()
    {
        const string schema = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "required": ["image", "replicas"],
              "additionalProperties": false,
              "$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
              "properties": {
                "image": {"type": "object", "properties": {"repository": {"type": "string", "pattern": "^[a-z/]+$"}, "tag": {"type": ["string", "null"]}}},
                "replicas": {"type": "integer", "minimum": 0, "multipleOf": 1},
                "ratio": {"type": "number", "exclusiveMaximum": 1},
                "mode": {"enum": ["a", "b"]},
                "ports": {"type": "array", "items": {"$ref": "#/$defs/port"}, "uniqueItems": true, "minItems": 1, "contains": {"const": 80}},
                "labels": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}, "additionalProperties": {"type": "string"}},
                "tls": {"anyOf": [{"type": "boolean"}, {"type": "object", "required": ["secret"]}]},
                "global": {"type": "object"}
              }
            }
            """;
        using var chart = Chart(schema, "image:\n  repository: nginx/nginx\n  tag: null\nreplicas: 3\nratio: 0.5\nmode: b\nports: [80, 443]\nlabels:\n  team: web\ntls:\n  secret: s\n");

        var release = await chart.RenderAsync(new HelmRenderOptions { Set = ["replicas=2"] });

        Assert.Single(release.Manifests);
    }

    [Fact]
    public async Task Values_given_at_render_time_are_checked_too()
    {
        using var chart = Chart("""{"properties": {"replicas": {"type": "integer", "minimum": 1}}}""", "replicas: 1\n");

        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync(new HelmRenderOptions { Set = ["replicas=0"] }));

        Assert.Equal(Header + "app:\n- at '/replicas': minimum: got 0, want 1\n", e.Message);
        Assert.Equal("app/values.schema.json", e.File);
    }

    [Fact]
    public async Task A_subcharts_schema_is_checked_against_its_own_values_with_globals()
    {
        // Helm's TestValidateAgainstSchemaNegative and TestValidateAgainstSchema2020Negative, in one chart: the
        // subchart sees its scope of the values (defaults, the parent's section, and global), not the parent's.
        var message = await FailureAsync(
            """{"properties": {"name": {"type": "string"}}}""",
            "name: app\nsubchart:\n  data: [12]\nglobal:\n  env: test\n",
            ("charts/subchart/Chart.yaml", "apiVersion: v2\nname: subchart\nversion: 0.1.0\n"),
            ("charts/subchart/values.yaml", "age: 3\n"),
            ("charts/subchart/values.schema.json", """
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "type": "object",
                  "properties": {
                    "data": {"type": "array", "contains": {"type": "string"}, "unevaluatedItems": {"type": "number"}},
                    "global": {"properties": {"env": {"enum": ["prod", "dev"]}}}
                  },
                  "required": ["data", "name"]
                }
                """));

        Assert.Equal(
            Header + "subchart:\n"
            + "- at '': missing property 'name'\n"
            + "- at '/data': no items match contains schema\n  - at '/data/0': got number, want string\n"
            + "- at '/global/env': value must be one of 'prod', 'dev'\n",
            message);
    }

    [Fact]
    public async Task Failures_in_the_parent_and_a_subchart_are_listed_chart_by_chart()
    {
        var message = await FailureAsync(
            """{"$schema": "http://json-schema.org/draft-07/schema#", "required": ["name"]}""",
            "sub:\n  age: -1\n",
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/sub/values.schema.json", """{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"age": {"type": "integer", "minimum": 0}}, "required": ["age"]}"""));

        Assert.Equal(Header + "app:\n- at '': missing property 'name'\nsub:\n- at '/age': minimum: got -1, want 0\n", message);
    }
}
