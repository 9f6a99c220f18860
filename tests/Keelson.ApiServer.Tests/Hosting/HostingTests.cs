using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Hosting;

public sealed class HostingTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_kubeconfig_carries_server_ca_and_token_and_is_private()
    {
        var dir = Directory.CreateTempSubdirectory("keelson-kubeconfig-");
        try
        {
            var path = sim.Host.WriteKubeconfig(Path.Combine(dir.FullName, "config"));
            var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
            Assert.Contains($"server: https://127.0.0.1:{sim.Host.Url.Port}", text);
            Assert.Contains($"token: {sim.Host.Token}", text);
            Assert.Contains("certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(sim.Host.CaCertificatePem!)), text);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Version_health_and_the_initial_namespaces_are_served()
    {
        var version = (await Client.GetJsonAsync("/version")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("1", version.Field("major"));
        Assert.Equal("ok", (await Client.GetJsonAsync("/readyz")).Text);
        var namespaces = (await Client.GetJsonAsync("/api/v1/namespaces")).Object["items"]!.AsArray().Select(n => n.Field("metadata.name")).ToList();
        Assert.Contains("default", namespaces);
        Assert.Contains("kube-system", namespaces);
        Assert.Contains("kube-public", namespaces);
        Assert.Contains("kube-node-lease", namespaces);
        var kubernetes = (await Client.GetJsonAsync("/api/v1/namespaces/default/services/kubernetes")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("10.96.0.1", kubernetes.Field("spec.clusterIP"));
    }

    [Fact]
    public async Task Legacy_discovery_lists_resources_with_verbs_short_names_and_subresources()
    {
        var core = (await Client.GetJsonAsync("/api")).Object;
        Assert.Equal("APIVersions", core.Field("kind"));
        var groups = (await Client.GetJsonAsync("/apis")).Object["groups"]!.AsArray().Select(g => g.Field("name")).ToList();
        Assert.Contains("apps", groups);
        Assert.Contains("apiextensions.k8s.io", groups);
        var apps = (await Client.GetJsonAsync("/apis/apps/v1")).Object["resources"]!.AsArray();
        var deployments = apps.First(r => r.Field("name") == "deployments")!;
        Assert.Equal("true", deployments.Field("namespaced"));
        Assert.Equal("deployment", deployments.Field("singularName"));
        Assert.Equal("[\"deploy\"]", deployments.Field("shortNames"));
        Assert.Equal("[\"all\"]", deployments.Field("categories"));
        Assert.Contains("watch", deployments["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        var scale = apps.First(r => r.Field("name") == "deployments/scale")!;
        Assert.Equal("autoscaling", scale.Field("group"));
        Assert.Equal("Scale", scale.Field("kind"));
        var namespaces = (await Client.GetJsonAsync("/api/v1")).Object["resources"]!.AsArray();
        Assert.Equal("false", namespaces.First(r => r.Field("name") == "namespaces")!.Field("namespaced"));
    }

    [Fact]
    public async Task Aggregated_discovery_is_served_when_asked_for()
    {
        var response = (await Client.GetJsonAsync("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")).EnsureStatus(HttpStatusCode.OK);
        var list = response.Object;
        Assert.Equal("APIGroupDiscoveryList", list.Field("kind"));
        var apps = list["items"]!.AsArray().First(i => i.Field("metadata.name") == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().First(r => r.Field("resource") == "deployments")!;
        Assert.Equal("Namespaced", deployments.Field("scope"));
        Assert.Contains(deployments["subresources"]!.AsArray(), s => s.Field("subresource") == "status");
    }

    [Fact]
    public async Task Openapi_v3_declares_field_validation_for_patches()
    {
        var index = (await Client.GetJsonAsync("/openapi/v3")).EnsureStatus(HttpStatusCode.OK).Object;
        var url = index["paths"]!["apis/apps/v1"]!.Field("serverRelativeURL")!;
        var doc = (await Client.GetJsonAsync(url)).EnsureStatus(HttpStatusCode.OK).Object;
        var patch = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("Deployment", patch.Field("x-kubernetes-group-version-kind.kind"));
        Assert.Contains(patch["parameters"]!.AsArray(), p => p.Field("name") == "fieldValidation" && p.Field("in") == "query");
    }

    [Fact]
    public async Task A_plain_http_simulator_works_too()
    {
        await using var plain = await Simulator.StartAsync(new ApiServerOptions { Https = false, EnableControllers = false });
        Assert.Equal("http", plain.Host.Url.Scheme);
        Assert.Null(plain.Host.CaCertificatePem);
        (await plain.Client.GetJsonAsync("/api/v1/namespaces/default")).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Client_certificates_issued_by_the_ca_authenticate()
    {
        var (certificatePem, keyPem) = sim.Host.IssueClientCertificate("alice", "system:masters");
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificatePem, keyPem);
        using var exportable = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        var handler = (SocketsHttpHandler)sim.Host.CreateHandler();
        handler.SslOptions.ClientCertificates = [exportable];
        using var client = new HttpClient(handler) { BaseAddress = sim.Host.Url };
        (await client.GetJsonAsync("/api/v1/namespaces/default")).EnsureStatus(HttpStatusCode.OK);

        using var anonymous = new HttpClient(sim.Host.CreateHandler()) { BaseAddress = sim.Host.Url };
        (await anonymous.GetJsonAsync("/api/v1/namespaces/default")).EnsureStatus(HttpStatusCode.Unauthorized);
    }
}
