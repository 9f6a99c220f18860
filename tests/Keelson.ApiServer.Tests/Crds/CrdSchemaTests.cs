using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Crds;

/// <summary>The JSON-schema features kube-apiserver refuses in a CRD's structural schema, with its messages.</summary>
public sealed class CrdSchemaTests(Simulator sim) : IClassFixture<Simulator>
{
    private const string Root = "spec.versions[0].schema.openAPIV3Schema";

    private HttpClient Client => sim.Client;

    /// <summary>A CRD whose root schema has a <c>spec</c> property with the given schema, plus extra root keywords.</summary>
    private static JsonObject Crd(string plural, string specSchema, string rootExtra = "") => JsonNode.Parse("""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": {"name": "PLURAL.schema.keelson.dev"},
          "spec": {
            "group": "schema.keelson.dev",
            "scope": "Namespaced",
            "names": {"plural": "PLURAL", "kind": "KPLURAL"},
            "versions": [{"name": "v1", "served": true, "storage": true,
              "schema": {"openAPIV3Schema": {"type": "object", ROOT_EXTRA "properties": {"spec": SPEC}}}}]
          }
        }
        """.Replace("PLURAL", plural, StringComparison.Ordinal).Replace("ROOT_EXTRA", rootExtra, StringComparison.Ordinal).Replace("SPEC", specSchema, StringComparison.Ordinal))!.AsObject();

    private static string Plural() => "things" + Guid.NewGuid().ToString("N")[..8];

    public static TheoryData<string, string, string, string> Refused => new()
    {
        { """{"type":"object","properties":{"a":{"$ref":"#/definitions/a"}}}""", "", $"{Root}.properties[spec].properties[a].$ref", "Forbidden: $ref is not supported" },
        { """{"type":"object","definitions":{"a":{"type":"string"}}}""", "", $"{Root}.properties[spec].definitions", "Forbidden: definitions is not supported" },
        { """{"type":"object","dependencies":{"a":["b"]}}""", "", $"{Root}.properties[spec].dependencies", "Forbidden: dependencies is not supported" },
        { """{"type":"object","patternProperties":{"^x-":{"type":"string"}}}""", "", $"{Root}.properties[spec].patternProperties", "Forbidden: patternProperties is not supported" },
        { """{"type":"array","items":{"type":"string"},"additionalItems":false}""", "", $"{Root}.properties[spec].additionalItems", "Forbidden: additionalItems is not supported" },
        { """{"type":"object","id":"urn:thing"}""", "", $"{Root}.properties[spec].id", "Forbidden: id is not supported" },
        { """{"type":"array","items":{"type":"string"},"uniqueItems":true}""", "", $"{Root}.properties[spec].uniqueItems", "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic" },
        { """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", "", $"{Root}.properties[spec].additionalProperties", "Forbidden: additionalProperties and properties are mutual exclusive" },
        { """{"type":"object","x-kubernetes-preserve-unknown-fields":false}""", "", $"{Root}.properties[spec].x-kubernetes-preserve-unknown-fields", "Invalid value: false: must be true or undefined" },
        { """{"type":"object"}""", "\"additionalProperties\": true,", $"{Root}.additionalProperties", "Forbidden: must not be used at the root" },
        { """{"type":"object"}""", "\"$schema\": \"http://json-schema.org/draft-04/schema#\",", Root, "Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_schema_using_what_structural_schemas_forbid_is_refused(string specSchema, string rootExtra, string field, string problem)
    {
        var plural = Plural();
        var refused = (await Client.PostJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(plural, specSchema, rootExtra)))
            .EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", refused.Reason);
        Assert.Equal($"CustomResourceDefinition.apiextensions.k8s.io \"{plural}.schema.keelson.dev\" is invalid: {field}: {problem}", refused.Message);
        Assert.Equal(field, refused.Object.Field("details.causes.0.field"));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{plural}.schema.keelson.dev")).Status);
    }

    [Fact]
    public async Task Maps_closed_maps_and_cel_rules_are_accepted()
    {
        // additionalProperties alone (a map, even a closed one) is structural; CEL rules are stored though not evaluated here.
        var plural = Plural();
        var spec = """
            {"type":"object","x-kubernetes-validations":[{"rule":"self.min <= self.max","message":"min must not exceed max"}],
             "properties":{"min":{"type":"integer"},"max":{"type":"integer"},
                           "labels":{"type":"object","additionalProperties":{"type":"string"}},
                           "closed":{"type":"object","additionalProperties":false}}}
            """;
        (await Client.PostJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(plural, spec))).EnsureStatus(HttpStatusCode.Created);
    }
}
