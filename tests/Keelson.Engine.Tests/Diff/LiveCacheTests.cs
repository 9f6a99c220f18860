using System.Collections.Concurrent;
using Keelson.Engine.Apply;
using Keelson.Engine.Diff;
using Keelson.Kubernetes;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Diff;

/// <summary>What the live cache tells subscribers (the operator re-checks the owners it names).</summary>
public sealed class LiveCacheTests
{
    [Fact]
    public async Task An_owner_hears_when_another_owner_takes_its_object_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SyncHarness.StartAsync();
        await h.Client.ApplyAsync(
            ApiResource.Namespaces,
            new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "shop" } },
            new ApplyOptions { FieldManager = "setup" },
            ct);
        h.Repo.Write("shared.yaml", Manifests.ConfigMap("shared"));
        await h.Repo.CommitAsync("shared", ct);
        Assert.Null((await h.SyncAsync()).Error);

        var heard = new ConcurrentQueue<LiveChange>();
        using var subscription = h.Live.Subscribe(heard.Enqueue);

        // Another Application renders the same object and, the first one said to be gone, adopts it: its apply moves
        // the tracking id to itself. That write is the engine's own, but the first owner did not make it; unless told,
        // it keeps reporting the object as its own.
        var takeOver = await h.Engine.SyncAsync(h.Request(owner: "keelson/other") with { OwnerExists = _ => false }, ct);
        Assert.Null(takeOver.Error);
        Assert.Equal("keelson/other:/ConfigMap:shop/shared", Tracking.IdOf((await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared"))!));

        await Eventually.WaitAsync(
            () => heard.Any(c => c.Owner == SyncHarness.Owner && c.Name == "shared" && c.Type == LiveChangeType.Modified),
            $"{SyncHarness.Owner} to hear that shared was taken over",
            cancellationToken: ct);
    }
}
