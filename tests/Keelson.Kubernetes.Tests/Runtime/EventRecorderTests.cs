using Keelson.Kubernetes.Runtime;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Runtime;

/// <summary>events.k8s.io/v1 Events written to the simulator, with repeats folded into a series.</summary>
public sealed class EventRecorderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Repeats_become_one_event_with_a_series_count_and_different_reasons_stay_apart()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(client);
        var app = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "app"), cancellationToken: Token);
        var recorder = new EventRecorder(client, new EventRecorderOptions { ReportingController = "keelson.dev/operator", ReportingInstance = "keelson-0" });

        recorder.Record(app, EventType.Normal, "Synced", "Sync", "applied 3 objects");
        await Eventually.WaitAsync(() => recorder.Written == 1, "the first event to be written", cancellationToken: Token);
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Record(app, EventType.Normal, "Synced", "Sync", "applied 3 objects");
        recorder.Record(app, EventType.Normal, "Synced", "Sync", "applied 3 objects");
        recorder.Record(app, EventType.Warning, "SyncFailed", "Sync", "the repository is unreachable");
        await Eventually.WaitAsync(() => recorder.Written == 2, "the warning to be written", cancellationToken: Token);
        clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.WaitAsync(() => recorder.Written == 3, "the series count to be flushed", cancellationToken: Token);
        await recorder.DisposeAsync();

        var events = (await client.ListAsync(ApiResource.Events, ns, cancellationToken: Token)).Items;
        Assert.Equal(2, events.Count);
        var synced = Assert.Single(events, e => Json.String(e, "reason") == "Synced");
        var failed = Assert.Single(events, e => Json.String(e, "reason") == "SyncFailed");
        Assert.Equal(("Synced", "Normal", "Sync", "applied 3 objects"), (Json.String(synced, "reason"), Json.String(synced, "type"), Json.String(synced, "action"), Json.String(synced, "note")));
        Assert.Equal(3, Json.Long(synced["series"], "count"));
        Assert.Equal(("ConfigMap", "app", app.GetUid()), (Json.String(synced["regarding"], "kind"), Json.String(synced["regarding"], "name"), Json.String(synced["regarding"], "uid")));
        Assert.Equal(("keelson.dev/operator", "keelson-0"), (Json.String(synced, "reportingController"), Json.String(synced, "reportingInstance")));
        Assert.Equal("Warning", Json.String(failed, "type"));
        Assert.Null(failed["series"]);
        Assert.Equal(0, recorder.Dropped);
    }

    [Fact]
    public async Task A_repeat_after_the_series_window_is_a_new_event()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock });
        var ns = await cluster.NamespaceAsync(client);
        var app = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "app"), cancellationToken: Token);
        var recorder = new EventRecorder(client, new EventRecorderOptions { ReportingController = "keelson.dev/operator", ReportingInstance = "keelson-0" });

        recorder.Record(app, EventType.Normal, "Synced", "Sync", "done");
        await Eventually.WaitAsync(() => recorder.Written == 1, "the first event", cancellationToken: Token);
        clock.Advance(TimeSpan.FromMinutes(7));
        recorder.Record(app, EventType.Normal, "Synced", "Sync", "done");
        await recorder.DisposeAsync();

        var events = (await client.ListAsync(ApiResource.Events, ns, cancellationToken: Token)).Items;
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Null(e["series"]));
    }
}
