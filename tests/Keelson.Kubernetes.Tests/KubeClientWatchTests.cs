using Keelson.ApiServer;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests;

/// <summary>Watch streams against the simulator: order, resume, bookmarks and expiry.</summary>
public sealed class KubeClientWatchTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Watch_streams_changes_in_order_and_resumes_after_a_resourceVersion_without_repeats()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var start = (await client.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token)).ResourceVersion;
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a", ("v", "1")), cancellationToken: Token);
        var modified = await client.UpdateAsync(
            ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a", ("v", "2")), cancellationToken: Token);
        await client.DeleteAsync(ApiResource.ConfigMaps, ns, "a", cancellationToken: Token);

        var all = await TakeAsync(client, ns, start, 3);
        var resumed = await TakeAsync(client, ns, modified.GetResourceVersion(), 1);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], all.Select(e => e.Type));
        Assert.Equal("2", Json.String(all[1].Object["data"], "v"));
        var only = Assert.Single(resumed);
        Assert.Equal(WatchEventType.Deleted, only.Type);
    }

    [Fact]
    public async Task A_dropped_watch_ends_the_stream_and_resuming_from_the_last_event_misses_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var rv = (await client.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token)).ResourceVersion;
        var seen = new List<string>();
        await using (var stream = client.WatchAsync(ApiResource.ConfigMaps, ns, new WatchOptions { ResourceVersion = rv }, Token).GetAsyncEnumerator(Token))
        {
            await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "before-drop"), cancellationToken: Token);
            Assert.True(await stream.MoveNextAsync());
            seen.Add(stream.Current.Object.GetName()!);
            rv = stream.Current.ResourceVersion;

            Assert.Equal(1, cluster.Host.Faults.DropWatches(w => w.Namespace == ns));
            await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "during-drop"), cancellationToken: Token);
            var ended = await Record.ExceptionAsync(async () => Assert.False(await stream.MoveNextAsync()));
            Assert.True(ended is null or IOException or HttpRequestException, $"unexpected {ended}");
        }

        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "after-drop"), cancellationToken: Token);
        seen.AddRange((await TakeAsync(client, ns, rv, 2)).Select(e => e.Object.GetName()!));

        Assert.Equal(["before-drop", "during-drop", "after-drop"], seen);
    }

    [Fact]
    public async Task Bookmarks_carry_progress_without_objects()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync(TestCluster.Quiet with { TimeProvider = clock, BookmarkInterval = TimeSpan.FromMinutes(1) });
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a"), cancellationToken: Token);
        var rv = cluster.Host.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var stream = client.WatchAsync(ApiResource.ConfigMaps, ns, new WatchOptions { ResourceVersion = rv }, Token).GetAsyncEnumerator(Token);
        var next = stream.MoveNextAsync().AsTask();
        await Eventually.WaitAsync(() => cluster.Host.OpenWatches > 0, "the watch to open", cancellationToken: Token);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await next);
        Assert.Equal(WatchEventType.Bookmark, stream.Current.Type);
        Assert.Null(stream.Current.Object.GetName());
        Assert.False(string.IsNullOrEmpty(stream.Current.ResourceVersion));
    }

    [Fact]
    public async Task Watching_from_a_compacted_resourceVersion_is_Gone()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var old = (await client.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token)).ResourceVersion;
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a"), cancellationToken: Token);
        cluster.Host.CompactHistory();

        var error = await Assert.ThrowsAsync<KubeApiException>(() => TakeAsync(client, ns, old, 1));

        Assert.True(error.IsGone);
        Assert.Equal(410, error.Code);
    }

    [Fact]
    public async Task Many_watches_share_a_few_HTTP2_connections_and_requests_still_pass_the_servers_stream_limit()
    {
        // 20 watches against 8 streams per connection: a client that waited for a free stream instead of opening
        // another connection would hang both the later watches and every ordinary request behind them.
        await using var cluster = await TestCluster.StartAsync(TestCluster.Quiet with { MaxStreamsPerConnection = 8 });
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var rv = (await client.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token)).ResourceVersion;
        var streams = Enumerable.Range(0, 20)
            .Select(_ => client.WatchAsync(ApiResource.ConfigMaps, ns, new WatchOptions { ResourceVersion = rv }, Token).GetAsyncEnumerator(Token))
            .ToList();
        try
        {
            var next = streams.Select(s => s.MoveNextAsync().AsTask()).ToList();
            await Eventually.WaitAsync(() => cluster.Host.OpenWatches == 20, "all 20 watches to open", cancellationToken: Token);

            await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "seen-by-all"), cancellationToken: Token)
                .WaitAsync(Eventually.DefaultTimeout, Token);
            var delivered = await Task.WhenAll(next).WaitAsync(Eventually.DefaultTimeout, Token);

            Assert.All(delivered, Assert.True);
            Assert.All(streams, s => Assert.Equal(("seen-by-all", WatchEventType.Added), (s.Current.Object.GetName(), s.Current.Type)));
            Assert.InRange(cluster.Host.OpenConnections, 3, 10);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Without_HTTP2_each_watch_holds_a_connection_of_its_own()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, Http2 = false });
        var ns = await cluster.NamespaceAsync(client);
        var rv = (await client.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token)).ResourceVersion;
        var streams = Enumerable.Range(0, 5)
            .Select(_ => client.WatchAsync(ApiResource.ConfigMaps, ns, new WatchOptions { ResourceVersion = rv }, Token).GetAsyncEnumerator(Token))
            .ToList();
        try
        {
            var next = streams.Select(s => s.MoveNextAsync().AsTask()).ToList();
            await Eventually.WaitAsync(() => cluster.Host.OpenWatches == 5, "all 5 watches to open", cancellationToken: Token);
            await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a"), cancellationToken: Token);
            var delivered = await Task.WhenAll(next).WaitAsync(Eventually.DefaultTimeout, Token);

            Assert.All(delivered, Assert.True);
            Assert.All(streams, s => Assert.Equal("a", s.Current.Object.GetName()));
            Assert.True(cluster.Host.OpenConnections >= 5, $"{cluster.Host.OpenConnections} connections for 5 watches");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static async Task<List<WatchEvent>> TakeAsync(KubeClient client, string ns, string? resourceVersion, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Eventually.DefaultTimeout);
        var events = new List<WatchEvent>();
        await foreach (var evt in client.WatchAsync(ApiResource.ConfigMaps, ns, new WatchOptions { ResourceVersion = resourceVersion, AllowBookmarks = false }, timeout.Token))
        {
            events.Add(evt);
            if (events.Count == count)
            {
                break;
            }
        }

        Assert.Equal(count, events.Count);
        return events;
    }
}
