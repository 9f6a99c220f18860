using System.Security.Cryptography.X509Certificates;
using System.Text;
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

    private static JsonObject Find(RenderResult result, string kind, string name) =>
        result.Objects.Single(o => (string?)o.Object["kind"] == kind && (string?)o.Object["metadata"]!["name"] == name).Object;

    private static string Decode(JsonObject secret, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]![key]!));

    private static string? Env(JsonNode container, string name) =>
        (string?)container["env"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"];

    [Fact]
    public async Task Rabbitmq_with_default_values_renders_a_clustered_statefulset_the_cluster_accepts()
    {
        var ns = await NamespaceAsync();
        var result = await RenderAsync("rabbitmq", new HelmSourceOptions { ReleaseName = "mq", Namespace = ns });

        Assert.Equal(
            [
                "NetworkPolicy mq-rabbitmq", "PodDisruptionBudget mq-rabbitmq", "ServiceAccount mq-rabbitmq",
                "Secret mq-rabbitmq-config", "Secret mq-rabbitmq", "Role mq-rabbitmq-endpoint-reader",
                "RoleBinding mq-rabbitmq-endpoint-reader", "Service mq-rabbitmq-headless", "Service mq-rabbitmq",
                "StatefulSet mq-rabbitmq",
            ],
            result.Objects.Select(Describe));
        Assert.All(result.Objects, o => Assert.Equal(ns, (string?)o.Object["metadata"]!["namespace"]));

        var statefulSet = Find(result, "StatefulSet", "mq-rabbitmq");
        var labels = statefulSet["metadata"]!["labels"]!;
        Assert.Equal("rabbitmq-0.0.1", (string?)labels["helm.sh/chart"]);
        Assert.Equal("3.12", (string?)labels["app.kubernetes.io/version"]);
        Assert.Equal("mq-rabbitmq-headless", (string?)statefulSet["spec"]!["serviceName"]);
        var template = statefulSet["spec"]!["template"]!;
        Assert.Matches("^[0-9a-f]{64}$", (string?)template["metadata"]!["annotations"]!["checksum/config"]);
        var pod = template["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("docker.io/ubuntu/rabbitmq:3.12-24.04_edge", (string?)container["image"]);
        Assert.Equal("rabbit@$(MY_POD_NAME).mq-rabbitmq-headless.$(MY_POD_NAMESPACE).svc.cluster.local", Env(container, "RABBITMQ_NODE_NAME"));
        Assert.Equal("rabbitmq_management, rabbitmq_peer_discovery_k8s, rabbitmq_auth_backend_ldap", Env(container, "RABBITMQ_PLUGINS"));
        // The library chart's "micro" resources preset and soft pod anti-affinity preset.
        Assert.Equal("384Mi", (string?)container["resources"]!["limits"]!["memory"]);
        Assert.Equal("50Mi", (string?)container["resources"]!["requests"]!["ephemeral-storage"]);
        var antiAffinity = pod["affinity"]!["podAntiAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!;
        Assert.Equal("mq", (string?)antiAffinity["podAffinityTerm"]!["labelSelector"]!["matchLabels"]!["app.kubernetes.io/instance"]);
        Assert.Equal(584792, (int?)pod["securityContext"]!["fsGroup"]);
        Assert.Equal("8Gi", (string?)statefulSet["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);

        // rabbitmq.conf is a template in values.yaml, rendered through the library's tplvalues helper.
        var config = Decode(Find(result, "Secret", "mq-rabbitmq-config"), "rabbitmq.conf");
        Assert.StartsWith("## Username and password\ndefault_user = guest\n## Clustering\n", config);
        Assert.Contains($"cluster_formation.k8s.hostname_suffix = .mq-rabbitmq-headless.{ns}.svc.cluster.local\n", config);
        Assert.Contains("cluster_partition_handling = autoheal\n\n# queue leader locator\nqueue_leader_locator = balanced\n", config);
        Assert.Contains($"loopback_users.guest = false\n#default_vhost = {ns}-vhost\n", config);
        Assert.EndsWith("tcp_listen_options.keepalive = false", config);
        var secret = Find(result, "Secret", "mq-rabbitmq");
        Assert.Equal("guest", Decode(secret, "rabbitmq-password"));
        // No cookie given: the library generates one (lookup finds nothing when rendering without a cluster).
        Assert.Matches("^[A-Za-z0-9]{32}$", Decode(secret, "rabbitmq-erlang-cookie"));

        // The headless service sets trafficDistribution only from Kubernetes 1.31 (the default version is newer).
        Assert.Equal("PreferClose", (string?)Find(result, "Service", "mq-rabbitmq-headless")["spec"]!["trafficDistribution"]);
        Assert.Equal(
            ["amqp", "epmd", "dist", "http-stats"],
            Find(result, "Service", "mq-rabbitmq")["spec"]!["ports"]!.AsArray().Select(p => (string?)p!["name"]));

        var answers = await ApplyAsync(result.Objects, ns);

        var applied = answers.Single(a => (string?)a["kind"] == "StatefulSet");
        Assert.Equal(1, (int?)applied["spec"]!["replicas"]);
        Assert.Equal("mq-rabbitmq", (string?)applied["spec"]!["template"]!["spec"]!["serviceAccountName"]);
        Assert.Equal("mq-rabbitmq", (string?)answers.Single(a => (string?)a["kind"] == "RoleBinding")["subjects"]![0]!["name"]);
        // A dry run stores nothing.
        Assert.Null(await Client.TryGetAsync(ApiResource.Secrets, ns, "mq-rabbitmq", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rabbitmq_with_tls_metrics_ingress_and_a_memory_limit_renders_objects_the_cluster_accepts()
    {
        var values = """
            replicaCount: 3
            commonLabels:
              team: messaging
            auth:
              username: orders
              tls:
                enabled: true
                autoGenerated: true
            resources:
              requests: {cpu: 500m, memory: 1Gi}
              limits: {cpu: "2", memory: 2Gi}
            memoryHighWatermark:
              enabled: true
            metrics:
              enabled: true
            service:
              type: NodePort
              nodePorts:
                amqp: 30672
            ingress:
              enabled: true
              hostname: rabbitmq.example.com
              ingressClassName: nginx
            persistence:
              storageClass: fast-ssd
              size: 20Gi
            tolerations:
              - key: dedicated
                operator: Equal
                value: messaging
                effect: NoSchedule
            extraDeploy:
              - apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: '{{ include "common.names.fullname" . }}-definitions'
                data:
                  vhost: '{{ .Release.Namespace }}'
            """;
        var ns = await NamespaceAsync();
        var result = await RenderAsync("rabbitmq", new HelmSourceOptions
        {
            // The library turns a release name that is not a DNS label into one for object names.
            ReleaseName = "orders.queue",
            Namespace = ns,
            Values = values,
            Parameters = [new HelmParameter("auth.password", "s3cret")],
            KubeVersion = "1.30.4",
        });

        Assert.Equal(
            [
                "NetworkPolicy orders-queue-rabbitmq", "PodDisruptionBudget orders-queue-rabbitmq",
                "ServiceAccount orders-queue-rabbitmq", "Secret orders-queue-rabbitmq-config", "Secret orders-queue-rabbitmq",
                "Secret orders-queue-rabbitmq-certs", "ConfigMap orders-queue-rabbitmq-definitions",
                "Role orders-queue-rabbitmq-endpoint-reader", "RoleBinding orders-queue-rabbitmq-endpoint-reader",
                "Service orders-queue-rabbitmq-headless", "Service orders-queue-rabbitmq", "StatefulSet orders-queue-rabbitmq",
                "Ingress orders-queue-rabbitmq",
            ],
            result.Objects.Select(Describe));
        // Every object of the chart carries the common labels; the extraDeploy one is the user's own.
        var chartObjects = result.Objects.Where(o => o.SourceFile != "rabbitmq/templates/extra-list.yaml").ToList();
        Assert.Equal(12, chartObjects.Count);
        Assert.All(chartObjects, o => Assert.Equal("messaging", (string?)o.Object["metadata"]!["labels"]!["team"]));
        Assert.All(chartObjects, o => Assert.Equal("orders.queue", (string?)o.Object["metadata"]!["labels"]!["app.kubernetes.io/instance"]));

        var statefulSet = Find(result, "StatefulSet", "orders-queue-rabbitmq");
        Assert.Equal(3, (int?)statefulSet["spec"]!["replicas"]);
        var template = statefulSet["spec"]!["template"]!;
        Assert.Equal("9419", (string?)template["metadata"]!["annotations"]!["prometheus.io/port"]);
        Assert.Equal("messaging", (string?)template["metadata"]!["labels"]!["team"]);
        var pod = template["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("orders", Env(container, "RABBITMQ_USERNAME"));
        Assert.EndsWith(", rabbitmq_prometheus", Env(container, "RABBITMQ_PLUGINS"));
        Assert.Contains(container["ports"]!.AsArray(), p => (string?)p!["name"] == "amqp-tls" && (int?)p["containerPort"] == 5671);
        Assert.Equal("2Gi", (string?)container["resources"]!["limits"]!["memory"]);
        Assert.Equal("NoSchedule", (string?)pod["tolerations"]![0]!["effect"]);
        Assert.Contains(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "certs");
        var claim = statefulSet["spec"]!["volumeClaimTemplates"]![0]!["spec"]!;
        Assert.Equal("fast-ssd", (string?)claim["storageClassName"]);
        Assert.Equal("20Gi", (string?)claim["resources"]!["requests"]!["storage"]);

        var config = Decode(Find(result, "Secret", "orders-queue-rabbitmq-config"), "rabbitmq.conf");
        Assert.Contains("default_user = orders\n", config);
        Assert.DoesNotContain("default_pass", config);
        Assert.Contains("loopback_users.orders = false\n", config);
        Assert.Contains("listeners.ssl.default = 5671\n", config);
        // 2Gi through the chart's own unit conversion (float math, floor, int64).
        Assert.Contains("total_memory_available_override_value = 2147483648\nvm_memory_high_watermark.relative = 0.4\n", config);
        Assert.Equal("s3cret", Decode(Find(result, "Secret", "orders-queue-rabbitmq"), "rabbitmq-password"));

        // A CA and a server certificate generated at render time for the pods' DNS names.
        var certs = Find(result, "Secret", "orders-queue-rabbitmq-certs");
        Assert.Equal("kubernetes.io/tls", (string?)certs["type"]);
        using var certificate = X509Certificate2.CreateFromPem(Decode(certs, "tls.crt"));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Contains($"*.orders-queue-rabbitmq.{ns}.svc.cluster.local", names);
        Assert.Contains("orders-queue-rabbitmq", names);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", Decode(certs, "tls.key"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Decode(certs, "ca.crt"));

        var definitions = Find(result, "ConfigMap", "orders-queue-rabbitmq-definitions");
        Assert.Equal(ns, (string?)definitions["data"]!["vhost"]);

        // Kubernetes 1.30 has no trafficDistribution.
        Assert.Null(Find(result, "Service", "orders-queue-rabbitmq-headless")["spec"]!["trafficDistribution"]);
        var service = Find(result, "Service", "orders-queue-rabbitmq");
        var ports = service["spec"]!["ports"]!.AsArray();
        Assert.Equal(["amqp", "amqp-tls", "epmd", "dist", "http-stats", "metrics"], ports.Select(p => (string?)p!["name"]));
        Assert.Equal(30672, (int?)ports[0]!["nodePort"]);
        var ingress = Find(result, "Ingress", "orders-queue-rabbitmq");
        Assert.Equal("nginx", (string?)ingress["spec"]!["ingressClassName"]);
        var backend = ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
        Assert.Equal("orders-queue-rabbitmq", (string?)backend["name"]);
        Assert.Equal("http-stats", (string?)backend["port"]!["name"]);

        var answers = await ApplyAsync(result.Objects, ns);

        Assert.Equal(13, answers.Count);
        var applied = answers.Single(a => (string?)a["kind"] == "Service" && (string?)a["metadata"]!["name"] == "orders-queue-rabbitmq");
        Assert.Equal("NodePort", (string?)applied["spec"]!["type"]);
        Assert.Equal(30672, (int?)applied["spec"]!["ports"]![0]!["nodePort"]);
        Assert.Equal("rabbitmq.example.com", (string?)answers.Single(a => (string?)a["kind"] == "Ingress")["spec"]!["rules"]![0]!["host"]);
    }

    [Fact]
    public async Task Rabbitmq_values_the_chart_refuses_fail_the_render_with_the_chart_message()
    {
        // A relative memory watermark needs a memory limit; the chart's validation template says so.
        var noLimit = await Assert.ThrowsAsync<RenderException>(() => RenderAsync("rabbitmq", new HelmSourceOptions
        {
            ReleaseName = "mq",
            Parameters = [new HelmParameter("memoryHighWatermark.enabled", "true"), new HelmParameter("resourcesPreset", "none")],
        }));
        Assert.Contains("VALUES VALIDATION:", noLimit.Message);
        Assert.Contains("rabbitmq: memoryHighWatermark", noLimit.Message);

        // The library's resources preset refuses a size it does not know.
        var badPreset = await Assert.ThrowsAsync<RenderException>(() => RenderAsync("rabbitmq", new HelmSourceOptions
        {
            ReleaseName = "mq",
            Parameters = [new HelmParameter("resourcesPreset", "huge")],
        }));
        Assert.Contains("Preset key 'huge' invalid", badPreset.Message);
    }
}
