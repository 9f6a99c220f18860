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

    [Fact]
    public async Task Ingress_nginx_with_default_values_renders_a_controller_the_cluster_accepts()
    {
        // The chart writes the release namespace into its objects, so the release goes to a namespace that exists.
        var ns = await NamespaceAsync();
        var result = await RenderAsync("ingress-nginx", new HelmSourceOptions { ReleaseName = "edge", Namespace = ns });

        Assert.Equal(
            [
                "ServiceAccount edge-ingress-nginx", "ConfigMap edge-ingress-nginx-controller", "ClusterRole edge-ingress-nginx",
                "ClusterRoleBinding edge-ingress-nginx", "Service edge-ingress-nginx-controller",
                "DaemonSet edge-ingress-nginx-controller", "IngressClass nginx",
            ],
            result.Objects.Select(Describe));
        var daemonSet = result.Objects.Single(o => (string?)o.Object["kind"] == "DaemonSet").Object;
        var pod = daemonSet["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("registry.k8s.io/ingress-nginx/controller:v1.10.1", (string?)container["image"]);
        Assert.Equal(ns, (string?)daemonSet["metadata"]!["namespace"]);
        Assert.Equal(ns, (string?)result.Objects[3].Object["subjects"]![0]!["namespace"]);
        var args = container["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Contains("--publish-service=$(POD_NAMESPACE)/edge-ingress-nginx-controller", args);
        Assert.Contains("--validating-webhook=:8443", args);
        Assert.Equal("edge-ingress-nginx-admission", (string?)pod["volumes"]![0]!["secret"]!["secretName"]);
        Assert.Equal("edge-ingress-nginx", (string?)pod["serviceAccountName"]);
        Assert.Equal("SingleStack", (string?)result.Objects[4].Object["spec"]!["ipFamilyPolicy"]);
        Assert.Equal("k8s.io/ingress-nginx", (string?)result.Objects[6].Object["spec"]!["controller"]);
        Assert.Equal("false", (string?)result.Objects[1].Object["data"]!["allow-snippet-annotations"]);

        var answers = await ApplyAsync(result.Objects, ns);

        Assert.Equal("LoadBalancer", (string?)answers[4]["spec"]!["type"]);
        Assert.Equal(300, (int?)answers[5]["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]);
        Assert.Equal("edge-ingress-nginx", (string?)answers[3]["subjects"]![0]!["name"]);
    }

    [Fact]
    public async Task Ingress_nginx_with_its_optional_parts_on_renders_objects_the_cluster_accepts()
    {
        var values = """
            controller:
              config:
                use-gzip: "true"
                proxy-body-size: 8m
              extraArgs:
                enable-ssl-passthrough: ""
                default-ssl-certificate: edge/wildcard
              opentelemetry:
                enabled: true
              admissionWebhooks:
                enabled: false
              podAnnotations:
                team: edge
              hostPort:
                enabled: true
              service:
                type: NodePort
                nodePorts:
                  http: 30080
                  tcp:
                    "5432": 30432
              ingressClassResource:
                default: true
            tcp:
              "5432": db/postgres:5432
            """;
        var ns = await NamespaceAsync();
        var result = await RenderAsync("ingress-nginx", new HelmSourceOptions
        {
            ReleaseName = "edge",
            Namespace = ns,
            Values = values,
            Parameters = [new HelmParameter("controller.image.tag", "v1.10.2")],
        });

        var daemonSet = result.Objects.Single(o => (string?)o.Object["kind"] == "DaemonSet").Object;
        var pod = daemonSet["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("registry.k8s.io/ingress-nginx/controller:v1.10.2", (string?)container["image"]);
        var args = container["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Contains("--enable-ssl-passthrough", args);
        Assert.Contains("--default-ssl-certificate=edge/wildcard", args);
        Assert.Contains("--tcp-services-configmap=$(POD_NAMESPACE)/edge-ingress-nginx-tcp", args);
        Assert.DoesNotContain(args, a => a!.StartsWith("--validating-webhook", StringComparison.Ordinal));
        var init = pod["initContainers"]![0]!;
        Assert.Equal("registry.k8s.io/ingress-nginx/opentelemetry:v20230721-3e2062ee5", (string?)init["image"]);
        Assert.Equal("/init_module", (string?)init["command"]![0]);
        var postgres = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "5432-tcp")!;
        Assert.Equal(5432, (int?)postgres["hostPort"]);

        var service = result.Objects.Single(o => (string?)o.Object["kind"] == "Service").Object;
        var ports = service["spec"]!["ports"]!.AsArray();
        Assert.Equal(30080, (int?)ports.Single(p => (string?)p!["name"] == "http")!["nodePort"]);
        Assert.Equal(30432, (int?)ports.Single(p => (string?)p!["name"] == "5432-tcp")!["nodePort"]);
        var config = result.Objects.Single(o => (string?)o.Object["kind"] == "ConfigMap").Object;
        Assert.Equal("8m", (string?)config["data"]!["proxy-body-size"]);
        var ingressClass = result.Objects.Single(o => (string?)o.Object["kind"] == "IngressClass").Object;
        Assert.Equal("true", (string?)ingressClass["metadata"]!["annotations"]!["ingressclass.kubernetes.io/is-default-class"]);

        var answers = await ApplyAsync(result.Objects, ns);

        var applied = answers.Single(a => (string?)a["kind"] == "DaemonSet");
        Assert.Equal("edge", (string?)applied["spec"]!["template"]!["metadata"]!["annotations"]!["team"]);
    }
}
