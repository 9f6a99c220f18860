using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Runtime;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Runtime;

/// <summary>The informer against the simulator: what handlers see through drops, restarts and 410s.</summary>
public sealed class InformerTests
{
    private const string InformerAgent = "informer-under-test/1.0";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Lists_then_watches_delivering_each_change_once_and_in_order(bool compact)
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "existing"), cancellationToken: Token);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "other").SetLabel("skip", "yes"), cancellationToken: Token);
        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns, LabelSelector = "!skip", Compact = compact });
        var log = new Log(informer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = informer.RunAsync(stop.Token);

        await informer.WaitForSyncAsync(Token);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "new"), cancellationToken: Token);
        await client.PatchAsync(ApiResource.ConfigMaps, ns, "existing", PatchType.Merge, JsonNode.Parse("""{"data":{"a":"1"}}""")!, cancellationToken: Token);
        await client.DeleteAsync(ApiResource.ConfigMaps, ns, "new", cancellationToken: Token);
        await Eventually.WaitAsync(() => log.Count == 4, "four notifications", cancellationToken: Token);
        await stop.CancelAsync();
        await run;

        Assert.Equal(["add existing", "add new", "update existing", "delete new"], log.Entries);
        Assert.Equal(["existing"], informer.List(ns).Select(o => o.GetName()));
        Assert.Equal("1", Json.String(informer.Get(ns, "existing")!["data"], "a"));
    }

    [Fact]
    public async Task Dropped_watches_resume_without_a_lost_or_repeated_event_and_without_relisting()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var setup = cluster.Client();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(setup);
        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns });
        var log = new Log(informer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);

        for (var i = 0; i < 30; i++)
        {
            await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, $"cm-{i:D2}"), cancellationToken: Token);
            if (i % 5 == 4)
            {
                // Each drop must hit an open watch (the first opens after the list; each resumed one after a drop, at
                // once if the dropped one had delivered events, else after a backoff on the fake clock).
                await TestCluster.DriveAsync(clock, () => cluster.Host.Faults.DropWatches(w => w.Namespace == ns) > 0, "a watch to drop");
            }
        }

        await TestCluster.DriveAsync(clock, () => log.Count >= 30, "30 adds");
        await stop.CancelAsync();
        await run;

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"add cm-{i:D2}"), log.Entries);
        Assert.Equal(1, informer.ListCount);
        Assert.True(informer.WatchCount >= 6, $"watches opened: {informer.WatchCount}");
    }

    [Fact]
    public async Task After_410_it_relists_and_reports_exactly_what_changed_in_the_gap()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var setup = cluster.Client();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(setup);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var (informer, log, run) = await WatchThreeAsync(cluster, setup, client, ns, stop.Token);

        // Keep the informer away while the cluster changes and forgets its history, as during a long partition.
        var outage = cluster.Host.Faults.Fail(503, r => r.IsWatch && r.Namespace == ns, times: int.MaxValue);
        cluster.Host.Faults.DropWatches(w => w.Namespace == ns);
        await TestCluster.DriveAsync(clock, () => outage.Hits > 0, "the informer to try to watch again");
        await setup.PatchAsync(ApiResource.ConfigMaps, ns, "changed", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"2"}}""")!, cancellationToken: Token);
        await setup.DeleteAsync(ApiResource.ConfigMaps, ns, "deleted", cancellationToken: Token);
        await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "created"), cancellationToken: Token);
        cluster.Host.CompactHistory();
        outage.Cancel();

        await TestCluster.DriveAsync(clock, () => log.Count == 6, "the relist to report the gap");
        await stop.CancelAsync();
        await run;

        Assert.Equal(["add changed", "add deleted", "add kept"], log.Entries.Take(3).Order());
        Assert.Equal(["add created", "delete deleted", "update changed"], log.Entries.Skip(3).Order());
        Assert.Equal(2, informer.ListCount);
        Assert.Equal(["changed", "created", "kept"], informer.List().Select(o => o.GetName()).Order());
    }

    [Fact]
    public async Task After_an_API_server_restart_it_relists_once_and_reports_each_change_exactly_once()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var setup = cluster.Client();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock, UserAgent = InformerAgent });
        var ns = await cluster.NamespaceAsync(setup);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var (informer, log, run) = await WatchThreeAsync(cluster, setup, client, ns, stop.Token);

        // While this server is down another replica takes writes: the restarted one has no history of them.
        await cluster.Host.RestartAsync(async (replica, ct) =>
        {
            using var other = new KubeClient(KubeClientConfig.ForToken(replica, cluster.Host.Token, cluster.Host.CaCertificatePem), new KubeClientOptions { Qps = 0 });
            await other.PatchAsync(ApiResource.ConfigMaps, ns, "changed", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"2"}}""")!, cancellationToken: ct);
            await other.DeleteAsync(ApiResource.ConfigMaps, ns, "deleted", cancellationToken: ct);
            await other.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "created"), cancellationToken: ct);
        }, Token);
        await TestCluster.DriveAsync(clock, () => log.Count == 6, "the relist to report the changes made while the server was down");

        // Changes after the return reach the watch opened from the relist.
        await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "late"), cancellationToken: Token);
        await setup.PatchAsync(ApiResource.ConfigMaps, ns, "kept", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"3"}}""")!, cancellationToken: Token);
        await setup.DeleteAsync(ApiResource.ConfigMaps, ns, "created", cancellationToken: Token);
        await TestCluster.DriveAsync(clock, () => log.Count >= 9, "the changes after the restart");
        var server = await setup.ListAsync(ApiResource.ConfigMaps, ns, cancellationToken: Token);
        await stop.CancelAsync();
        await run;

        // Within one list the order is the informer's own; across the three phases it is the order of the writes.
        Assert.Equal(9, log.Count);
        Assert.Equal(["add changed", "add deleted", "add kept"], log.Entries.Take(3).Order());
        Assert.Equal(["add created", "delete deleted", "update changed"], log.Entries.Skip(3).Take(3).Order());
        Assert.Equal(["add late", "update kept", "delete created"], log.Entries.Skip(6));
        Assert.Equal(2, informer.ListCount);
        Assert.Equal(2, cluster.Host.Requests.Count(verb: "list", resource: "configmaps", userAgent: InformerAgent));
        Assert.Equal(
            server.Items.Select(o => $"{o.GetName()}@{o.GetResourceVersion()}").Order(),
            informer.List(ns).Select(o => $"{o.GetName()}@{o.GetResourceVersion()}").Order());
    }

    [Fact]
    public async Task A_restart_that_missed_no_change_resumes_the_watch_without_relisting()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var setup = cluster.Client();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(setup);
        await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "before"), cancellationToken: Token);
        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns });
        var log = new Log(informer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);
        await Eventually.WaitAsync(() => cluster.Host.OpenWatches == 1, "the watch to open", cancellationToken: Token);

        // Nothing is written anywhere in the cluster until the server is back, so the informer's resourceVersion is the
        // one the server's fresh watch history starts from: the watch resumes (as kube-apiserver's would).
        await cluster.Host.RestartAsync(Token);
        await TestCluster.DriveAsync(clock, () => cluster.Host.OpenWatches == 1, "the watch to resume");
        await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "after"), cancellationToken: Token);
        await TestCluster.DriveAsync(clock, () => log.Count >= 2, "the add after the restart");
        await stop.CancelAsync();
        await run;

        Assert.Equal(["add before", "add after"], log.Entries);
        Assert.Equal(1, informer.ListCount);
        Assert.True(informer.WatchCount >= 2, $"watches opened: {informer.WatchCount}");
    }

    [Fact]
    public async Task A_handler_added_late_gets_the_cache_and_resync_repeats_it()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a"), cancellationToken: Token);
        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns, ResyncPeriod = TimeSpan.FromMinutes(10) });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);

        var log = new Log(informer);
        await Eventually.WaitAsync(() => log.Count == 1, "the replay of the cache", cancellationToken: Token);
        clock.Advance(TimeSpan.FromMinutes(10));
        await Eventually.WaitAsync(() => log.Count == 2, "the resync", cancellationToken: Token);
        await stop.CancelAsync();
        await run;

        Assert.Equal(["add a", "update a"], log.Entries);
    }

    [Fact]
    public async Task A_compact_cache_hands_out_copies_and_the_old_and_new_object_of_each_update()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "a"), cancellationToken: Token);
        await client.PatchAsync(ApiResource.ConfigMaps, ns, "a", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"1"}}""")!, cancellationToken: Token);
        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns, Compact = true });
        var updates = new ConcurrentQueue<string>();
        informer.AddHandler(new InformerHandler { OnUpdate = (old, current) => updates.Enqueue($"{Json.String(old["data"], "v")}->{Json.String(current["data"], "v")}") });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Token);

        await client.PatchAsync(ApiResource.ConfigMaps, ns, "a", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"2"}}""")!, cancellationToken: Token);
        await Eventually.WaitAsync(() => !updates.IsEmpty, "the update", cancellationToken: Token);

        // A reader that changes what it got does not change what the next reader gets.
        var copy = informer.Get(ns, "a")!;
        copy["data"]!["v"] = "changed by a careless caller";
        Assert.Equal("2", Json.String(informer.Get(ns, "a")!["data"], "v"));
        Assert.True(informer.Contains(KubeObject.Key(ns, "a")));
        Assert.False(informer.Contains(KubeObject.Key(ns, "b")));
        await stop.CancelAsync();
        await run;

        Assert.Equal(["1->2"], updates);
    }

    /// <summary>What handlers saw, in order.</summary>
    private sealed class Log
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public Log(Informer informer) => informer.AddHandler(new InformerHandler
        {
            OnAdd = o => _entries.Enqueue("add " + o.GetName()),
            OnUpdate = (_, o) => _entries.Enqueue("update " + o.GetName()),
            OnDelete = o => _entries.Enqueue("delete " + o.GetName()),
        });

        public int Count => _entries.Count;

        public IReadOnlyList<string> Entries => [.. _entries];
    }

    /// <summary>Creates kept, changed and deleted in <paramref name="ns"/>, then runs an informer on it until its watch is open.</summary>
    private static async Task<(Informer Informer, Log Log, Task Run)> WatchThreeAsync(TestCluster cluster, KubeClient setup, KubeClient client, string ns, CancellationToken stop)
    {
        foreach (var name in new[] { "kept", "changed", "deleted" })
        {
            await setup.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, name), cancellationToken: Token);
        }

        var informer = new Informer(client, ApiResource.ConfigMaps, new InformerOptions { Namespace = ns });
        var log = new Log(informer);
        var run = informer.RunAsync(stop);
        await informer.WaitForSyncAsync(Token);
        await Eventually.WaitAsync(() => cluster.Host.OpenWatches == 1 && log.Count == 3, "the watch to open", cancellationToken: Token);
        return (informer, log, run);
    }
}
