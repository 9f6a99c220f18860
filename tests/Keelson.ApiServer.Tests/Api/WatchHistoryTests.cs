using System.Net;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Api;

/// <summary>
/// Watch history kept only for a window of time and a number of events per resource, as etcd compaction and the
/// watch cache limit it: a watch from a resourceVersion older than that gets the 410 ERROR event.
/// </summary>
public sealed class WatchHistoryTests
{
    private static async Task<Simulator> StartAsync(FakeTimeProvider? clock = null, int limit = 10_000) =>
        await Simulator.StartAsync(new ApiServerOptions
        {
            EnableControllers = false,
            TimeProvider = clock ?? TimeProvider.System,
            WatchHistoryWindow = TimeSpan.FromMinutes(5),
            WatchHistoryLimit = limit,
        });

    private static async Task AssertExpiredAsync(HttpClient client, string path, string resourceVersion)
    {
        await using var watch = await WatchStream.OpenAsync(client, $"{path}?watch=true&resourceVersion={resourceVersion}");
        Assert.Equal(HttpStatusCode.OK, watch.Status);
        var error = await watch.NextAsync("the 410 error event");
        Assert.Equal("ERROR", error.Field("type"));
        Assert.Equal("410", error.Field("object.code"));
        Assert.Equal("Expired", error.Field("object.reason"));
        Assert.StartsWith($"too old resource version: {resourceVersion} (", error.Field("object.message"));
        Assert.Empty(await watch.DrainUntilEndAsync("the end of the expired watch"));
    }

    [Fact]
    public async Task History_older_than_the_window_is_gone()
    {
        var clock = new FakeTimeProvider();
        await using var sim = await StartAsync(clock);
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var start = (await sim.Client.GetJsonAsync(path)).Object.Field("metadata.resourceVersion")!;
        (await sim.Client.PostJsonAsync(path, Manifests.ConfigMap("early"))).EnsureStatus(HttpStatusCode.Created);

        clock.Advance(TimeSpan.FromMinutes(4));
        await using (var within = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={start}"))
        {
            var added = await within.NextAsync("the change still inside the window");
            Assert.Equal("ADDED", added.Field("type"));
            Assert.Equal("early", added.Field("object.metadata.name"));
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await AssertExpiredAsync(sim.Client, path, start);
    }

    [Fact]
    public async Task History_beyond_the_event_limit_is_gone()
    {
        await using var sim = await StartAsync(limit: 3);
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var start = (await sim.Client.GetJsonAsync(path)).Object.Field("metadata.resourceVersion")!;
        var versions = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            versions.Add((await sim.Client.PostJsonAsync(path, Manifests.ConfigMap($"cm-{i}"))).EnsureStatus(HttpStatusCode.Created).Object.Field("metadata.resourceVersion")!);
        }

        await AssertExpiredAsync(sim.Client, path, start);

        // The last three changes are still held: a watch from just before them sees each once.
        await using var recent = await WatchStream.OpenAsync(sim.Client, $"{path}?watch=true&resourceVersion={versions[1]}");
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add((await recent.NextAsync("the retained changes")).Field("object.metadata.name")!);
        }

        Assert.Equal(["cm-2", "cm-3", "cm-4"], names);
    }
}
