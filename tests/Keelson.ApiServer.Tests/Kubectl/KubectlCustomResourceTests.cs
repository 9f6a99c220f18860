namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// A CustomResourceDefinition created with kubectl: its resource is served with printer columns and short names, and
/// objects that break its schema are refused with 422 and the apiserver's field messages.
/// </summary>
public sealed class KubectlCustomResourceTests(KubectlCluster cluster) : IClassFixture<KubectlCluster>
{
    private const string Group = "conformance.keelson.dev";

    private KubectlRunner Kubectl => cluster.Kubectl;

    private sealed record Crd(string Suffix)
    {
        public string Plural => $"gadgets{Suffix}";

        public string Kind => $"Gadget{Suffix}";

        public string ShortName => $"gd{Suffix}";

        public string Name => $"{Plural}.{Group}";

        public string Object(string ns, string name, string spec) => $$"""
            apiVersion: {{Group}}/v1
            kind: {{Kind}}
            metadata:
              name: {{name}}
              namespace: {{ns}}
            spec: {{spec}}
            """;
    }

    private async Task<Crd> CreateCrdAsync()
    {
        var crd = new Crd(Guid.NewGuid().ToString("N")[..8]);
        var manifest = $$$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: {{{crd.Name}}}
            spec:
              group: {{{Group}}}
              scope: Namespaced
              names:
                plural: {{{crd.Plural}}}
                singular: gadget{{{crd.Suffix}}}
                kind: {{{crd.Kind}}}
                shortNames: [{{{crd.ShortName}}}]
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                additionalPrinterColumns:
                - {name: Size, type: integer, jsonPath: .spec.size}
                - {name: Color, type: string, jsonPath: .spec.color}
                - {name: Phase, type: string, jsonPath: .status.phase, priority: 1}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [size]
                        properties:
                          size: {type: integer, minimum: 1}
                          color: {type: string, default: red, enum: [red, green, blue]}
                          code: {type: string, pattern: '^[a-z]+$'}
                      status:
                        type: object
                        properties:
                          phase: {type: string}
            """;
        cluster.CleanUpLater($"customresourcedefinition/{crd.Name}");
        (await Kubectl.RunAsync(["apply", "-f", "-"], manifest)).EnsureSuccess();
        (await Kubectl.RunAsync("wait", "--for=condition=Established", $"crd/{crd.Name}", "--timeout=60s")).EnsureSuccess();
        return crd;
    }

    [Fact]
    public async Task Custom_resource_definition_serves_printer_columns_and_short_names()
    {
        var ns = await cluster.NewNamespaceAsync();
        var crd = await CreateCrdAsync();
        (await Kubectl.RunAsync(["apply", "-f", "-"], crd.Object(ns, "g1", "{size: 3}"))).EnsureSuccess();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], crd.Object(ns, "g2", "{size: 5, color: blue}"))).EnsureSuccess();

        var table = (await Kubectl.RunAsync("get", crd.Plural, "-n", ns)).EnsureSuccess().Stdout;
        // Declared printer columns replace the default Age column.
        Assert.Matches(@"^NAME\s+SIZE\s+COLOR\s*$", table.Split('\n')[0]);
        Assert.Matches(@"(?m)^g1\s+3\s+red\s*$", table);
        Assert.Matches(@"(?m)^g2\s+5\s+blue\s*$", table);

        var byShortName = (await Kubectl.RunAsync("get", crd.ShortName, "g1", "-n", ns, "-o", "wide")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+SIZE\s+COLOR\s+PHASE", byShortName);
        // A column whose path finds nothing is left blank.
        Assert.Matches(@"(?m)^g1\s+3\s+red\s*$", byShortName);

        // The status subresource is written separately and shows in the priority-1 column.
        (await Kubectl.RunAsync("patch", crd.ShortName, "g1", "-n", ns, "--subresource=status", "--type", "merge", "-p", """{"status":{"phase":"Ready"}}""")).EnsureSuccess();
        var withStatus = (await Kubectl.RunAsync("get", $"{crd.Plural}.{Group}", "g1", "-n", ns, "-o", "wide")).EnsureSuccess().Stdout;
        Assert.Matches(@"(?m)^g1\s+3\s+red\s+Ready$", withStatus);

        var resources = (await Kubectl.RunAsync("api-resources", $"--api-group={Group}")).EnsureSuccess().Stdout;
        Assert.Matches($@"(?m)^{crd.Plural}\s+{crd.ShortName}\s+{Group.Replace(".", "\\.", StringComparison.Ordinal)}/v1\s+true\s+{crd.Kind}$", resources);

        // Deleting the definition removes the resource and its objects.
        (await Kubectl.RunAsync("delete", "crd", crd.Name, "--timeout=60s")).EnsureSuccess();
        (await Kubectl.RunAsync("get", crd.Plural, "-n", ns)).EnsureFailure();
        var after = (await Kubectl.RunAsync("api-resources", $"--api-group={Group}", "-o", "name")).EnsureSuccess().Stdout;
        Assert.DoesNotContain(crd.Plural, after);
    }

    [Fact]
    public async Task Invalid_custom_objects_are_rejected_with_422_and_field_messages()
    {
        var ns = await cluster.NewNamespaceAsync();
        var crd = await CreateCrdAsync();

        async Task<string> RejectedAsync(string name, string spec)
        {
            // -v=6 makes kubectl log each response's status, which shows the code.
            var result = (await Kubectl.RunAsync(["create", "-v=6", "-f", "-"], crd.Object(ns, name, spec))).EnsureFailure();
            Assert.Contains("422 Unprocessable Entity", result.Stderr);
            Assert.Contains($"The {crd.Kind} \"{name}\" is invalid: ", result.Stderr);
            return result.Stderr;
        }

        Assert.Contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"", await RejectedAsync("bad-type", "{size: three}"));
        Assert.Contains("spec.size: Required value", await RejectedAsync("bad-required", "{color: red}"));
        Assert.Contains("spec.color: Unsupported value: \"purple\": supported values: \"red\", \"green\", \"blue\"", await RejectedAsync("bad-enum", "{size: 1, color: purple}"));
        Assert.Contains("spec.code: Invalid value: \"ABC\": spec.code in body should match '^[a-z]+$'", await RejectedAsync("bad-pattern", "{size: 1, code: ABC}"));
        Assert.Contains("spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1", await RejectedAsync("bad-minimum", "{size: 0}"));

        // Nothing was stored, and an update that breaks the schema is refused too.
        var none = (await Kubectl.RunAsync("get", crd.Plural, "-n", ns, "-o", "name")).EnsureSuccess();
        Assert.Equal("", none.Stdout.Trim());
        (await Kubectl.RunAsync(["apply", "-f", "-"], crd.Object(ns, "good", "{size: 2}"))).EnsureSuccess();
        var patch = (await Kubectl.RunAsync("patch", crd.Plural, "good", "-n", ns, "--type", "merge", "-p", """{"spec":{"size":-1}}""")).EnsureFailure();
        Assert.Contains("spec.size: Invalid value: -1: spec.size in body should be greater than or equal to 1", patch.Stderr);
        Assert.Equal("2", (await Kubectl.RunAsync("get", crd.Plural, "good", "-n", ns, "-o", "jsonpath={.spec.size}")).EnsureSuccess().Stdout);
    }
}
