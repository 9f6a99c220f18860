using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Faults;

public sealed class FaultInjectionTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    [Fact]
    public async Task Chosen_requests_fail_the_given_number_of_times()
    {
        var ns = await sim.NewNamespaceAsync();
        var rule = sim.Host.Faults.Fail(500, r => r.Verb == "list" && r.Resource == "configmaps" && r.Namespace == ns, times: 2);
        var first = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.InternalServerError);
        Assert.Equal("InternalError", first.Reason);
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.InternalServerError);
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.OK);
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/secrets")).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal(2, rule.Hits);
        Assert.Equal(0, rule.Remaining);
    }

    [Fact]
    public async Task Throttling_and_unavailability_carry_retry_after()
    {
        var ns = await sim.NewNamespaceAsync();
        sim.Host.Faults.Fail(429, r => r.Namespace == ns && r.Verb == "create", retryAfter: TimeSpan.FromSeconds(3));
        var throttled = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("a"))).EnsureStatus(HttpStatusCode.TooManyRequests);
        Assert.Equal("TooManyRequests", throttled.Reason);
        Assert.Equal("3", throttled.Object.Field("details.retryAfterSeconds"));
        Assert.Equal(TimeSpan.FromSeconds(3), throttled.Headers.RetryAfter?.Delta);

        sim.Host.Faults.Fail(503, r => r.Namespace == ns, retryAfter: TimeSpan.FromSeconds(1));
        var unavailable = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("a"))).EnsureStatus(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("ServiceUnavailable", unavailable.Reason);
        (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("a"))).EnsureStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Latency_and_aborted_connections_can_be_injected()
    {
        var ns = await sim.NewNamespaceAsync();
        var delay = sim.Host.Faults.Delay(TimeSpan.FromMilliseconds(50), r => r.Namespace == ns, times: 1);
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal(1, delay.Hits);

        sim.Host.Faults.Abort(r => r.Namespace == ns);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps"));
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Requests_are_counted_by_verb_resource_and_field_manager()
    {
        var ns = await sim.NewNamespaceAsync();
        var before = sim.Host.Requests.Writes(resource: "configmaps", fieldManager: "counter-test");
        await Client.ApplyAsync($"/api/v1/namespaces/{ns}/configmaps/counted", Manifests.ConfigMap("counted"), "counter-test");
        await Client.ApplyAsync($"/api/v1/namespaces/{ns}/configmaps/counted", Manifests.ConfigMap("counted"), "counter-test");
        await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/counted");
        Assert.Equal(before + 2, sim.Host.Requests.Writes(resource: "configmaps", fieldManager: "counter-test"));
        Assert.Equal(2, sim.Host.Requests.Count(verb: "patch", resource: "configmaps", fieldManager: "counter-test"));
        Assert.True(sim.Host.Requests.Count(verb: "get", resource: "configmaps") >= 1);
        Assert.Contains(sim.Host.Requests.Snapshot(), c => c.Verb == "patch" && c.FieldManager == "counter-test" && c.Count == 2);
    }
}
