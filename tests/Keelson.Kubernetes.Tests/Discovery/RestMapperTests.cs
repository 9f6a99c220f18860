using System.Text.Json.Nodes;
using Keelson.Kubernetes.Discovery;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Discovery;

/// <summary>Kinds mapped to resources from the simulator's discovery, including CRDs installed at run time.</summary>
public sealed class RestMapperTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Built_in_kinds_map_to_their_resource_and_scope()
    {
        await using var cluster = await TestCluster.StartAsync();
        var mapper = cluster.Client().Mapper;

        var deployments = await mapper.ResolveAsync(new GroupVersionKind("apps", "v1", "Deployment"), Token);
        var namespaces = await mapper.ResolveAsync(new GroupVersionKind("", "v1", "Namespace"), Token);
        var roles = await mapper.ResolveAsync(new GroupVersionKind("rbac.authorization.k8s.io", "v1", "ClusterRole"), Token);
        var all = await mapper.GetPreferredResourcesAsync(Token);

        Assert.Equal(("deployments", true, true), (deployments.Resource, deployments.Namespaced, deployments.HasStatus));
        Assert.Contains("deploy", deployments.ShortNames);
        Assert.Contains("patch", deployments.Verbs);
        Assert.Equal(("namespaces", false), (namespaces.Resource, namespaces.Namespaced));
        Assert.Equal(("clusterroles", false), (roles.Resource, roles.Namespaced));
        Assert.Contains(all, r => r.Kind == "Lease" && r.Group == "coordination.k8s.io");
        Assert.DoesNotContain(all, r => r.Resource.Contains('/', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_CRD_installed_at_run_time_is_found_once_the_refresh_interval_has_passed()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock, DiscoveryRefreshInterval = TimeSpan.FromSeconds(2) });
        var kind = new GroupVersionKind("widgets.example.com", "v1", "Widget");

        var before = await Assert.ThrowsAsync<UnknownKindException>(() => client.Mapper.ResolveAsync(kind, Token).AsTask());
        await client.CreateAsync(ApiResource.CustomResourceDefinitions, WidgetCrd(), cancellationToken: Token);
        await Eventually.WaitAsync(
            async ct => (await client.GetJsonAsync("/apis/widgets.example.com/v1", ct)) is not null, "the CRD to be served", cancellationToken: Token);
        var withinInterval = await client.Mapper.TryResolveAsync(kind, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var resolved = await client.Mapper.ResolveAsync(kind, Token);
        var ns = await cluster.NamespaceAsync(client);
        var applied = await client.ApplyAsync(
            TestCluster.Object("widgets.example.com/v1", "Widget", ns, "w", new JsonObject { ["spec"] = new JsonObject { ["size"] = 3 } }),
            new ApplyOptions { FieldManager = "keelson" }, Token);

        Assert.Contains("Widget", before.Message, StringComparison.Ordinal);
        Assert.Equal(kind, before.Kind);
        Assert.Null(withinInterval);
        Assert.Equal(("widgets", true, true), (resolved.Resource, resolved.Namespaced, resolved.HasStatus));
        Assert.Equal(["wd"], resolved.ShortNames);
        Assert.Equal(3, Json.Long(applied["spec"], "size"));
    }

    [Fact]
    public async Task Callers_asking_for_every_resource_at_once_share_one_walk_of_discovery()
    {
        await using var cluster = await TestCluster.StartAsync();
        var requests = cluster.Host.Requests;
        // Discovery documents are requests for no resource (/api, /apis, /apis/<group>/<version>).
        long DiscoveryGets() => requests.Count("get", resource: "");
        await cluster.Client().Mapper.GetPreferredResourcesAsync(Token);
        var oneWalk = DiscoveryGets();
        var client = cluster.Client();

        // As at start-up, when every worker asks for the cluster's API versions together.
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.Mapper.GetPreferredResourcesAsync(Token)));
        var together = DiscoveryGets() - oneWalk;
        var cached = await client.Mapper.GetPreferredResourcesAsync(Token);
        var afterCached = DiscoveryGets() - oneWalk;
        client.Mapper.Invalidate();
        var again = await client.Mapper.GetPreferredResourcesAsync(Token);

        Assert.True(oneWalk > 2, $"one walk of discovery took {oneWalk} requests");
        Assert.Equal(oneWalk, together);
        Assert.Equal(oneWalk, afterCached);
        Assert.Equal(2 * oneWalk, DiscoveryGets() - oneWalk);
        Assert.All(all, a => Assert.Same(all[0], a));
        Assert.Same(all[0], cached);
        Assert.Contains(all[0], r => r.Kind == "Deployment");
        Assert.Equal(all[0].Count, again.Count);
    }

    private static JsonObject WidgetCrd() => JsonNode.Parse("""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": { "name": "widgets.widgets.example.com" },
          "spec": {
            "group": "widgets.example.com",
            "scope": "Namespaced",
            "names": { "plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"] },
            "versions": [{
              "name": "v1", "served": true, "storage": true,
              "subresources": { "status": {} },
              "schema": { "openAPIV3Schema": { "type": "object", "properties": {
                "spec": { "type": "object", "properties": { "size": { "type": "integer" } } },
                "status": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } } } }
            }]
          }
        }
        """)!.AsObject();
}
