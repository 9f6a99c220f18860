using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Discovery;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// Public charts committed under testdata/charts (see each chart's ATTRIBUTION.md) rendered through the pipeline and
/// sent to the API server simulator with a server-side apply dry run, as a sync would send them. Go's helm output for
/// these charts is not available here, so these tests check that the render succeeds and the cluster accepts the
/// objects, not byte identity.
/// </summary>
public sealed class PublicChartTests : IAsyncLifetime
{
    private static readonly string ChartsRoot = Path.Combine(AppContext.BaseDirectory, "testdata", "charts");

    private ApiServerHost? _host;
    private KubeClient? _client;

    private KubeClient Client => _client ?? throw new InvalidOperationException("the simulator has not started");

    public async ValueTask InitializeAsync()
    {
        _host = await ApiServerHost.StartAsync(
            new ApiServerOptions { EnableControllers = false, PublishNamespaceDefaults = false }, TestContext.Current.CancellationToken);
        _client = new KubeClient(KubeClientConfig.ForToken(_host.Url, _host.Token, _host.CaCertificatePem), new KubeClientOptions { Qps = 0 });
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static Task<RenderResult> RenderAsync(string chart, HelmSourceOptions helm) =>
        new ManifestRenderer().RenderAsync(new RenderRequest { RepoRoot = ChartsRoot, Path = chart, Helm = helm }, TestContext.Current.CancellationToken);

    private static string Describe(RenderedObject o) => $"{o.Object["kind"]} {o.Object["metadata"]!["name"]}";

    private async Task<string> NamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
        await Client.CreateAsync(ApiResource.Namespaces, ns, cancellationToken: TestContext.Current.CancellationToken);
        return name;
    }

    /// <summary>
    /// Applies CRDs for real (so the chart's custom objects can be checked) and everything else as a dry run, the
    /// namespace filled in for namespaced kinds as the apply stage does. Returns what the server answered.
    /// </summary>
    private async Task<List<JsonObject>> ApplyAsync(IEnumerable<RenderedObject> objects, string ns)
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new List<JsonObject>();
        foreach (var rendered in objects.OrderBy(o => (string?)o.Object["kind"] == "CustomResourceDefinition" ? 0 : 1))
        {
            var obj = rendered.Object.DeepClone().AsObject();
            var resource = await Client.Mapper.ResolveAsync(GroupVersionKind.Of(obj), ct);
            if (resource.Namespaced && obj["metadata"]!["namespace"] is null)
            {
                obj["metadata"]!["namespace"] = ns;
            }

            var crd = resource.Kind == "CustomResourceDefinition";
            answers.Add(await Client.ApplyAsync(resource, obj, new ApplyOptions { FieldManager = "keelson", DryRun = !crd }, ct));
            if (crd)
            {
                Client.Mapper.Invalidate();
            }
        }

        return answers;
    }

    [Fact]
    public async Task Podinfo_with_default_values_renders_a_service_and_a_deployment_the_cluster_accepts()
    {
        var result = await RenderAsync("podinfo", new HelmSourceOptions { ReleaseName = "demo" });

        Assert.Equal(["Service demo-podinfo", "Deployment demo-podinfo"], result.Objects.Select(Describe));
        var deployment = result.Objects[1].Object;
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("Supesharisuto/podinfo:4.0.6", (string?)container["image"]);
        Assert.Equal(1, (int?)deployment["spec"]!["replicas"]);
        Assert.Equal("16Mi", (string?)container["resources"]!["requests"]!["memory"]);

        var ns = await NamespaceAsync();
        var answers = await ApplyAsync(result.Objects, ns);

        Assert.All(answers, a => Assert.Equal(ns, (string?)a["metadata"]!["namespace"]));
        Assert.Equal("demo-podinfo", (string?)answers[1]["spec"]!["selector"]!["matchLabels"]!["app"]);
        // A dry run stores nothing.
        Assert.Null(await Client.TryGetAsync(ApiResource.Deployments, ns, "demo-podinfo", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Podinfo_with_its_optional_parts_on_renders_objects_the_cluster_accepts()
    {
        var values = """
            replicaCount: 3
            serviceAccount:
              enabled: true
            service:
              type: NodePort
            ui:
              message: hello from keelson
            backends: [http://a:9898, http://b:9898]
            podAnnotations:
              team: web
            nodeSelector:
              kubernetes.io/os: linux
            tolerations:
              - key: dedicated
                operator: Equal
                value: web
                effect: NoSchedule
            """;
        var result = await RenderAsync("podinfo", new HelmSourceOptions
        {
            ReleaseName = "shop",
            Values = values,
            Parameters = [new HelmParameter("image.tag", "4.0.7")],
        });

        Assert.Equal(["ServiceAccount shop-podinfo", "Service shop-podinfo", "Deployment shop-podinfo"], result.Objects.Select(Describe));
        var pod = result.Objects[2].Object["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("Supesharisuto/podinfo:4.0.7", (string?)container["image"]);
        Assert.Equal("shop-podinfo", (string?)pod["serviceAccountName"]);
        Assert.Contains("--backend-url=http://b:9898", container["command"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("hello from keelson", (string?)container["env"]![0]!["value"]);
        Assert.Equal("NoSchedule", (string?)pod["tolerations"]![0]!["effect"]);
        Assert.Equal(31198, (int?)result.Objects[1].Object["spec"]!["ports"]![0]!["nodePort"]);

        var ns = await NamespaceAsync();
        var answers = await ApplyAsync(result.Objects, ns);

        Assert.Equal(3, (int?)answers[2]["spec"]!["replicas"]);
        Assert.Equal("web", (string?)answers[2]["spec"]!["template"]!["metadata"]!["annotations"]!["team"]);
    }

    [Fact]
    public async Task Podinfo_parts_that_use_removed_apis_render_but_a_current_cluster_has_no_such_kind()
    {
        // This chart version predates autoscaling/v2 and networking.k8s.io/v1 Ingress: the render works, a cluster
        // of today (the simulator serves v1.35's APIs) does not know these versions, as a real one would not.
        var result = await RenderAsync("podinfo", new HelmSourceOptions
        {
            ReleaseName = "shop",
            Values = "hpa:\n  enabled: true\n  cpu: 80\ningress:\n  enabled: true\n  hosts: [podinfo.local]\n",
        });

        var hpa = Assert.Single(result.Objects, o => (string?)o.Object["kind"] == "HorizontalPodAutoscaler").Object;
        Assert.Equal("autoscaling/v2beta1", (string?)hpa["apiVersion"]);
        Assert.Equal(80, (int?)hpa["spec"]!["metrics"]![0]!["resource"]!["targetAverageUtilization"]);
        var ingress = Assert.Single(result.Objects, o => (string?)o.Object["kind"] == "Ingress").Object;
        Assert.Equal("podinfo.local", (string?)ingress["spec"]!["rules"]![0]!["host"]);
        Assert.Null(result.Objects.Single(o => (string?)o.Object["kind"] == "Deployment").Object["spec"]!["replicas"]);

        var ct = TestContext.Current.CancellationToken;
        await Assert.ThrowsAsync<UnknownKindException>(async () => await Client.Mapper.ResolveAsync(GroupVersionKind.Of(hpa), ct));
        await Assert.ThrowsAsync<UnknownKindException>(async () => await Client.Mapper.ResolveAsync(GroupVersionKind.Of(ingress), ct));
    }

    [Fact]
    public async Task Cert_manager_crd_is_off_by_default_and_when_on_installs_a_kind_whose_objects_the_cluster_checks()
    {
        var off = await RenderAsync("cert-manager-crds", new HelmSourceOptions { ReleaseName = "cert-manager" });
        Assert.Empty(off.Objects);

        var result = await RenderAsync("cert-manager-crds", new HelmSourceOptions
        {
            ReleaseName = "cert-manager",
            Namespace = "cert-manager",
            Parameters = [new HelmParameter("crds.enabled", "true")],
        });

        var crd = Assert.Single(result.Objects).Object;
        Assert.Equal("certificaterequests.cert-manager.io", (string?)crd["metadata"]!["name"]);
        Assert.Equal("keep", (string?)crd["metadata"]!["annotations"]!["helm.sh/resource-policy"]);
        Assert.Equal("crds", (string?)crd["metadata"]!["labels"]!["app.kubernetes.io/component"]);

        var ns = await NamespaceAsync();
        await ApplyAsync(result.Objects, ns);

        var ct = TestContext.Current.CancellationToken;
        var request = new JsonObject
        {
            ["apiVersion"] = "cert-manager.io/v1",
            ["kind"] = "CertificateRequest",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["request"] = Convert.ToBase64String("-----BEGIN CERTIFICATE REQUEST-----"u8.ToArray()),
                ["issuerRef"] = new JsonObject { ["name"] = "letsencrypt", ["kind"] = "ClusterIssuer" },
                ["usages"] = new JsonArray("digital signature", "key encipherment"),
            },
        };
        var resource = await Client.Mapper.ResolveAsync(GroupVersionKind.Of(request), ct);
        var dryRun = new ApplyOptions { FieldManager = "keelson", DryRun = true };

        var accepted = await Client.ApplyAsync(resource, request, dryRun, ct);
        Assert.Equal("letsencrypt", (string?)accepted["spec"]!["issuerRef"]!["name"]);

        // The CRD's schema is enforced: a usage outside its enum is refused.
        request["spec"]!["usages"] = new JsonArray("make coffee");
        var refused = await Assert.ThrowsAsync<KubeApiException>(() => Client.ApplyAsync(resource, request, dryRun, ct));
        Assert.Equal(422, refused.Code);
    }
}
