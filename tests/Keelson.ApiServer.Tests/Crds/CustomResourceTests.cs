using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Crds;

public sealed class CustomResourceTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    private static JsonObject Crd(string plural, string kind, string group = "test.keelson.dev", bool statusSubresource = true) => JsonNode.Parse($$$$"""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": {"name": "{{{{plural}}}}.{{{{group}}}}"},
          "spec": {
            "group": "{{{{group}}}}",
            "scope": "Namespaced",
            "names": {"plural": "{{{{plural}}}}", "kind": "{{{{kind}}}}", "shortNames": ["{{{{plural[..3]}}}}"], "categories": ["all"]},
            "versions": [{
              "name": "v1",
              "served": true,
              "storage": true,
              {{{{Subresources(statusSubresource)}}}}
              "additionalPrinterColumns": [
                {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
              ],
              "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                  "spec": {
                    "type": "object",
                    "required": ["replicas"],
                    "properties": {
                      "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
                      "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
                      "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
                      "port": {"x-kubernetes-int-or-string": true},
                      "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                      "nested": {"type": "object", "default": {}, "properties": {"level": {"type": "integer", "default": 3}}},
                      "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                      "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}
                    }
                  },
                  "status": {"type": "object", "properties": {
                    "replicas": {"type": "integer"},
                    "conditions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                  }}
                }
              }}
            }]
          }
        }
        """)!.AsObject();

    private static string Subresources(bool enabled) => enabled
        ? "\"subresources\": {\"status\": {}, \"scale\": {\"specReplicasPath\": \".spec.replicas\", \"statusReplicasPath\": \".status.replicas\"}},"
        : "";

    private async Task<(string Plural, string Path)> CreateCrdAsync(string ns, bool statusSubresource = true)
    {
        var plural = "robots" + Guid.NewGuid().ToString("N")[..6];
        var created = (await Client.PostJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(plural, "Robot" + plural[6..], statusSubresource: statusSubresource)))
            .EnsureStatus(HttpStatusCode.Created);
        Assert.Equal("None", created.Object.Field("spec.conversion.strategy"));
        return (plural, $"/apis/test.keelson.dev/v1/namespaces/{ns}/{plural}");
    }

    private static JsonObject Robot(string plural, string name, string spec) =>
        JsonNode.Parse($$"""{"apiVersion":"test.keelson.dev/v1","kind":"Robot{{plural[6..]}}","metadata":{"name":"{{name}}"},"spec":""" + spec + "}")!.AsObject();

    [Fact]
    public async Task Creating_a_crd_establishes_it_and_serves_the_resource()
    {
        var ns = await sim.NewNamespaceAsync();
        var (plural, path) = await CreateCrdAsync(ns);
        var crd = (await Client.GetJsonAsync($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{plural}.test.keelson.dev")).Object;
        var conditions = crd["status"]!["conditions"]!.AsArray();
        Assert.Contains(conditions, c => c.Field("type") == "Established" && c.Field("status") == "True");
        Assert.Contains(conditions, c => c.Field("type") == "NamesAccepted" && c.Field("status") == "True");
        Assert.Equal(plural, crd.Field("status.acceptedNames.plural"));
        Assert.Equal("[\"v1\"]", crd.Field("status.storedVersions"));

        var discovery = (await Client.GetJsonAsync("/apis/test.keelson.dev/v1")).EnsureStatus(HttpStatusCode.OK).Object;
        var resource = discovery["resources"]!.AsArray().First(r => r.Field("name") == plural)!;
        Assert.Equal("true", resource.Field("namespaced"));
        Assert.Equal($"[\"{plural[..3]}\"]", resource.Field("shortNames"));
        Assert.Contains(discovery["resources"]!.AsArray(), r => r.Field("name") == $"{plural}/status");
        Assert.Contains(discovery["resources"]!.AsArray(), r => r.Field("name") == $"{plural}/scale");

        (await Client.PostJsonAsync(path, Robot(plural, "r1", """{"replicas":2}"""))).EnsureStatus(HttpStatusCode.Created);
        var list = (await Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal($"Robot{plural[6..]}List", list.Field("kind"));
    }

    [Fact]
    public async Task Invalid_custom_objects_are_rejected_with_field_causes()
    {
        var ns = await sim.NewNamespaceAsync();
        var (plural, path) = await CreateCrdAsync(ns);
        var wrongType = (await Client.PostJsonAsync(path, Robot(plural, "bad", """{"replicas":"string"}"""))).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Equal($"Robot{plural[6..]}.test.keelson.dev \"bad\" is invalid: spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"", wrongType.Message);
        var cause = wrongType.Object["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueTypeInvalid", cause.Field("reason"));
        Assert.Equal("spec.replicas", cause.Field("field"));

        var many = (await Client.PostJsonAsync(path, Robot(plural, "bad", """{"replicas":11,"mode":"slow","name":"UPPERCASE","tags":["a","b","c"],"port":true}"""))).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        var messages = many.Object["details"]!["causes"]!.AsArray().Select(c => $"{c.Field("field")}: {c.Field("message")}").ToList();
        Assert.Contains("spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10", messages);
        Assert.Contains("spec.mode: Unsupported value: \"slow\": supported values: \"fast\", \"safe\"", messages);
        Assert.Contains("spec.name: Invalid value: \"UPPERCASE\": spec.name in body should match '^[a-z]+$'", messages);
        Assert.Contains("spec.name: Too long: may not be longer than 8", messages);
        Assert.Contains("spec.tags: Too many: 3: must have at most 2 items", messages);
        Assert.Contains(messages, m => m.StartsWith("spec.port: Invalid value: \"boolean\"", StringComparison.Ordinal));

        var missing = (await Client.PostJsonAsync(path, Robot(plural, "bad", "{}"))).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.EndsWith("spec.replicas: Required value", missing.Message);
    }

    [Fact]
    public async Task Defaults_are_applied_and_unknown_fields_pruned()
    {
        var ns = await sim.NewNamespaceAsync();
        var (plural, path) = await CreateCrdAsync(ns);
        var robot = Robot(plural, "r", """{"replicas":1,"port":"http","unknown":true,"free":{"anything":{"goes":1}},"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"x":1}}}""");
        robot["topLevel"] = "dropped";
        var created = (await Client.PostJsonAsync($"{path}?fieldValidation=Warn", robot)).EnsureStatus(HttpStatusCode.Created);
        var obj = created.Object;
        Assert.Equal("safe", obj.Field("spec.mode"));
        Assert.Equal("3", obj.Field("spec.nested.level"));
        Assert.Equal("http", obj.Field("spec.port"));
        Assert.Null(obj["spec"]!["unknown"]);
        Assert.Null(obj["topLevel"]);
        Assert.Equal("1", obj.Field("spec.free.anything.goes"));
        Assert.Equal("x", obj.Field("spec.template.metadata.name"));
        Assert.Contains("299 - \"unknown field \\\"spec.unknown\\\"\"", created.Warnings);
        Assert.Contains("299 - \"unknown field \\\"topLevel\\\"\"", created.Warnings);

        var strict = (await Client.PostJsonAsync($"{path}?fieldValidation=Strict", Robot(plural, "s", """{"replicas":1,"unknown":true}"""))).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.Contains("strict decoding error: unknown field \"spec.unknown\"", strict.Message);

        var applied = (await Client.ApplyAsync($"{path}/r?fieldValidation=Warn", Robot(plural, "r", """{"replicas":2,"alsoUnknown":1}"""), "applier", force: true)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal("2", applied.Object.Field("spec.replicas"));
        Assert.Null(applied.Object["spec"]!["alsoUnknown"]);
        Assert.Contains("299 - \"unknown field \\\"spec.alsoUnknown\\\"\"", applied.Warnings);
        var strictApply = (await Client.ApplyAsync($"{path}/r?fieldValidation=Strict", Robot(plural, "r", """{"replicas":2,"alsoUnknown":1}"""), "applier", force: true)).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.Contains(".spec.alsoUnknown: field not declared in schema", strictApply.Message);
    }

    [Fact]
    public async Task Status_and_scale_subresources_and_printer_columns_work()
    {
        var ns = await sim.NewNamespaceAsync();
        var (plural, path) = await CreateCrdAsync(ns);
        var created = (await Client.PostJsonAsync(path, Robot(plural, "r", """{"replicas":1}"""))).Object;
        Assert.Equal("1", created.Field("metadata.generation"));

        var statusPatch = JsonNode.Parse("""{"status":{"replicas":1,"conditions":[{"type":"Ready","status":"True"}]}}""")!;
        (await Client.PatchJsonAsync($"{path}/r/status", statusPatch)).EnsureStatus(HttpStatusCode.OK);
        var ignored = (await Client.PatchJsonAsync($"{path}/r", JsonNode.Parse("""{"status":{"replicas":9}}""")!)).Object;
        Assert.Equal("1", ignored.Field("status.replicas"));
        Assert.Equal("1", ignored.Field("metadata.generation"));

        (await Client.PatchJsonAsync($"{path}/r/scale", JsonNode.Parse("""{"spec":{"replicas":4}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var scaled = (await Client.GetJsonAsync($"{path}/r")).Object;
        Assert.Equal("4", scaled.Field("spec.replicas"));
        Assert.Equal("2", scaled.Field("metadata.generation"));

        var table = (await Client.GetJsonAsync(path, "application/json;as=Table;v=v1;g=meta.k8s.io")).Object;
        Assert.Equal(["Name", "Replicas", "Ready", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c.Field("name")!).ToList());
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("r", cells[0]!.GetValue<string>());
        Assert.Equal(4, cells[1]!.GetValue<long>());
        Assert.Equal("True", cells[2]!.GetValue<string>());
        Assert.Matches("^[0-9]+s$", cells[3]!.GetValue<string>());

        var strategic = (await Client.PatchJsonAsync($"{path}/r", JsonNode.Parse("{}")!, "application/strategic-merge-patch+json")).EnsureStatus(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/merge-patch+json", strategic.Message);
    }

    [Fact]
    public async Task Deleting_a_crd_removes_its_objects_and_the_resource()
    {
        var ns = await sim.NewNamespaceAsync();
        var (plural, path) = await CreateCrdAsync(ns);
        for (var i = 0; i < 3; i++)
        {
            (await Client.PostJsonAsync(path, Robot(plural, $"r{i}", """{"replicas":1}"""))).EnsureStatus(HttpStatusCode.Created);
        }

        var crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
        var crdPath = $"{crds}/{plural}.test.keelson.dev";
        var rv = (await Client.GetJsonAsync(crdPath)).Object.Field("metadata.resourceVersion");
        await using var watch = await WatchStream.OpenAsync(Client, $"{crds}?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%3D{plural}.test.keelson.dev");
        (await Client.DeleteJsonAsync(crdPath)).EnsureStatus(HttpStatusCode.OK);
        while ((await watch.NextAsync("the CRD to be finalized")).Field("type") != "DELETED")
        {
        }

        // As kubectl delete does, a client that saw the CRD's DELETED event finds its resource already unserved.
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync(path)).Status);
        var discovery = await Client.GetJsonAsync("/apis/test.keelson.dev/v1");
        Assert.True(discovery.Status == HttpStatusCode.NotFound || !discovery.Object["resources"]!.AsArray().Any(r => r.Field("name") == plural), discovery.Text);

        // Recreating the CRD starts empty.
        (await Client.PostJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(plural, "Robot" + plural[6..]))).EnsureStatus(HttpStatusCode.Created);
        var list = (await Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Invalid_crds_are_rejected()
    {
        var crd = Crd("things", "Thing");
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["bad"] = new JsonObject { ["description"] = "no type" };
        crd["metadata"]!["name"] = "wrong.test.keelson.dev";
        var response = (await Client.PostJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        var fields = response.Object["details"]!["causes"]!.AsArray().Select(c => c.Field("field")).ToList();
        Assert.Contains("metadata.name", fields);
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[bad].type", fields);
    }
}
