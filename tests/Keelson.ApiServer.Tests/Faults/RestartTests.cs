using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Faults;

/// <summary>
/// Restarts get their own simulator (every connection drops), a quiet one so that only the test writes. A restarted
/// kube-apiserver rebuilds its watch cache from a fresh list of etcd, so a watch resumed from before that list gets
/// 410 Expired (watch_cache.go: "too old resource version: RV (LIST_RV)") and the client lists again; etcd keeps the
/// objects, their resourceVersions and what a continue token points at.
/// </summary>
public sealed class RestartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<Simulator> StartAsync(TimeSpan? downtime = null) =>
        Simulator.StartAsync(new ApiServerOptions
        {
            EnableControllers = false,
            PublishNamespaceDefaults = false,
            RestartDowntime = downtime ?? TimeSpan.FromMilliseconds(300),
        });

    [Fact]
    public async Task A_restart_drops_connections_and_watches_but_keeps_the_data()
    {
        await using var sim = await StartAsync(TimeSpan.FromMilliseconds(500));
        var ns = await sim.NewNamespaceAsync();
        var created = (await sim.Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("kept"))).Object;
        await using var watch = await WatchStream.OpenAsync(sim.Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={created.Field("metadata.resourceVersion")}");
        var url = sim.Host.Url;

        var restart = sim.Host.RestartAsync(Token);
        await watch.DrainUntilEndAsync("the watch to be cut by the restart");
        await Until.WaitAsync(async ct =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, url.Port, ct);
                return restart.IsCompleted;
            }
            catch (SocketException)
            {
                return true;
            }
        }, "connections to be refused during the restart (or the restart to finish)");
        await restart;

        Assert.Equal(url, sim.Host.Url);
        var kept = (await sim.Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/kept")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(created.Field("metadata.uid"), kept.Field("metadata.uid"));
        Assert.Equal(created.Field("metadata.resourceVersion"), kept.Field("metadata.resourceVersion"));
    }

    [Fact]
    public async Task A_watch_resumed_from_before_the_restart_is_told_to_relist_and_one_from_its_return_resumes()
    {
        await using var sim = await StartAsync();
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var first = (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap("first"))).EnsureStatus(HttpStatusCode.Created).Object.Field("metadata.resourceVersion")!;
        var last = (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap("last"))).EnsureStatus(HttpStatusCode.Created).Object.Field("metadata.resourceVersion")!;

        // Before the restart the history serves a watch from the first write, as the watch cache did.
        await using (var before = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={first}"))
        {
            Assert.Equal("last", (await before.NextAsync("the change after the first write")).Field("object.metadata.name"));
        }

        await sim.Host.RestartAsync(Token);
        Assert.Equal(last, sim.Host.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Older than the restart: the ERROR event with upstream's Status, on a 200 stream that then ends.
        await using (var stale = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={first}"))
        {
            Assert.Equal(HttpStatusCode.OK, stale.Status);
            var error = await stale.NextAsync("the 410 error event");
            Assert.Equal("ERROR", error.Field("type"));
            Assert.Equal("Status", error.Field("object.kind"));
            Assert.Equal("Failure", error.Field("object.status"));
            Assert.Equal("410", error.Field("object.code"));
            Assert.Equal("Expired", error.Field("object.reason"));
            Assert.Equal($"too old resource version: {first} ({last})", error.Field("object.message"));
            Assert.Empty(await stale.DrainUntilEndAsync("the end of the expired watch"));
        }

        // Every resource starts afresh, also one nobody had touched before the restart.
        await using (var untouched = await WatchStream.OpenAsync(sim.Client, $"/apis/batch/v1/namespaces/{ns}/cronjobs?watch=true&resourceVersion={first}"))
        {
            Assert.Equal("410", (await untouched.NextAsync("the 410 error event of another resource")).Field("object.code"));
        }

        // From the resourceVersion current at the return (what a list now says), the watch resumes.
        var list = (await sim.Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(last, list.Field("metadata.resourceVersion"));
        Assert.Equal(["first", "last"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        await using var resumed = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={last}");
        (await sim.Client.PatchJsonAsync($"{path}/first", JsonNode.Parse("""{"data":{"after":"restart"}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var modified = await resumed.NextAsync("a change after the restart");
        Assert.Equal("MODIFIED", modified.Field("type"));
        Assert.Equal("first", modified.Field("object.metadata.name"));
    }

    [Fact]
    public async Task Changes_made_on_another_replica_while_down_are_listed_after_the_return()
    {
        await using var sim = await StartAsync();
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var before = (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap("before"))).Object.Field("metadata.resourceVersion")!;
        Uri? replicaUrl = null;

        await sim.Host.RestartAsync(async (replica, ct) =>
        {
            replicaUrl = replica;
            Assert.NotEqual(sim.Host.Url.Port, replica.Port);
            using var other = new HttpClient(sim.Host.CreateHandler()) { BaseAddress = replica };
            other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sim.Host.Token);
            (await other.PostJsonAsync(path, Manifests.ConfigMap("during"))).EnsureStatus(HttpStatusCode.Created);
            (await other.DeleteJsonAsync($"{path}/before")).EnsureStatus(HttpStatusCode.OK);

            // This server is down meanwhile.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => sim.Client.GetAsync(path, ct));
        }, Token);

        Assert.NotNull(replicaUrl);
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var gone = new HttpClient(sim.Host.CreateHandler());
            await gone.GetAsync(new Uri(replicaUrl, "/version"), Token);
        });
        await using (var stale = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={before}"))
        {
            Assert.Equal("410", (await stale.NextAsync("the 410 error event")).Field("object.code"));
        }

        var list = (await sim.Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(["during"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_paged_list_continues_across_a_restart()
    {
        await using var sim = await StartAsync();
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        foreach (var name in new[] { "a", "b", "c" })
        {
            (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap(name))).EnsureStatus(HttpStatusCode.Created);
        }

        var page = (await sim.Client.GetJsonAsync($"{path}?limit=2")).EnsureStatus(HttpStatusCode.OK).Object;
        await sim.Host.RestartAsync(Token);
        (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap("d"))).EnsureStatus(HttpStatusCode.Created);

        var rest = (await sim.Client.GetJsonAsync($"{path}?limit=2&continue={Uri.EscapeDataString(page.Field("metadata.continue")!)}")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(page.Field("metadata.resourceVersion"), rest.Field("metadata.resourceVersion"));
        Assert.Equal(["c"], rest["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }
}
