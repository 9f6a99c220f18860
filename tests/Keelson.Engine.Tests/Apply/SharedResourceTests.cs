using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Engine.Diff;
using Keelson.Kubernetes;

namespace Keelson.Engine.Tests.Apply;

/// <summary>
/// Two owners rendering one object: the one that holds it keeps it, the other leaves it alone and says so, so the two
/// never write it in turn. An owner that is gone leaves its objects to be adopted.
/// </summary>
public sealed class SharedResourceTests
{
    private const string First = "team/a";
    private const string Second = "team/b";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_object_another_owner_holds_is_not_applied_and_is_reported_with_a_warning()
    {
        await using var h = await StartAsync();
        var first = await h.Engine.SyncAsync(h.Request(owner: First, path: "a"), Token);
        Assert.Null(first.Error);
        var before = await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared");
        var patches = h.EngineRequests("patch");

        var second = await h.Engine.SyncAsync(h.Request(owner: Second, path: "b"), Token);

        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.OutOfSync, second.Sync);
        var shared = Assert.Single(second.Resources, r => r.Name == "shared");
        Assert.Equal(SyncStatus.OutOfSync, shared.Status);
        Assert.Equal(First, shared.OwnedBy);
        Assert.Null(shared.Action);
        Assert.Equal("owned by Application team/a; not applied (remove it from one of the two, or delete that Application)", shared.Message);
        var own = Assert.Single(second.Resources, r => r.Name == "own");
        Assert.Equal(SyncStatus.Synced, own.Status);
        Assert.Equal(ResourceAction.Created, own.Action);
        var warning = Assert.Single(second.Warnings);
        Assert.Equal(SyncWarning.SharedResource, warning.Reason);
        Assert.Contains("ConfigMap shop/shared (owned by team/a)", warning.Message, StringComparison.Ordinal);

        // Only "own" was written (not even a dry-run of shared); shared is untouched and still the first owner's.
        Assert.Equal(1, h.EngineRequests("patch") - patches);
        var after = (await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared"))!;
        Assert.Equal(before!.GetResourceVersion(), after.GetResourceVersion());
        Assert.Equal("team/a:/ConfigMap:shop/shared", Tracking.IdOf(after));
        Assert.Equal("blue", after["data"]!["color"]!.GetValue<string>());

        // The first owner still finds its object in sync: nothing to fight over.
        var again = await h.Engine.SyncAsync(h.Request(owner: First, path: "a", inventory: first.Inventory), Token);
        Assert.Equal(SyncStatus.Synced, again.Sync);
        Assert.Empty(again.Warnings);
    }

    [Fact]
    public async Task Comparing_and_syncing_again_with_a_shared_object_makes_no_request()
    {
        await using var h = await StartAsync();
        Assert.Null((await h.Engine.SyncAsync(h.Request(owner: First, path: "a"), Token)).Error);
        var second = await h.Engine.SyncAsync(h.Request(owner: Second, path: "b"), Token);
        var requests = h.Server.Requests.Count();

        var compare = await h.Engine.SyncAsync(h.Request(SyncMode.Compare, owner: Second, path: "b", inventory: second.Inventory), Token);
        var sync = await h.Engine.SyncAsync(h.Request(owner: Second, path: "b", inventory: second.Inventory), Token);

        Assert.Equal(requests, h.Server.Requests.Count());
        Assert.Equal(First, Assert.Single(compare.Resources, r => r.Name == "shared").OwnedBy);
        Assert.Single(compare.Warnings);
        Assert.Equal(0, sync.Counts.Changed);
        Assert.Single(sync.Warnings);
    }

    [Fact]
    public async Task An_object_whose_owner_is_gone_is_adopted()
    {
        await using var h = await StartAsync();
        Assert.Null((await h.Engine.SyncAsync(h.Request(owner: First, path: "a"), Token)).Error);
        var asked = new List<string>();

        var second = await h.Engine.SyncAsync(
            h.Request(owner: Second, path: "b") with
            {
                OwnerExists = owner =>
                {
                    lock (asked)
                    {
                        asked.Add(owner);
                    }

                    return false;
                },
            },
            Token);

        Assert.Equal([First], asked);
        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.Empty(second.Warnings);
        var shared = Assert.Single(second.Resources, r => r.Name == "shared");
        Assert.Null(shared.OwnedBy);
        Assert.Equal(ResourceAction.Configured, shared.Action);
        Assert.Equal("adopted from Application team/a, which no longer exists", shared.Message);
        var live = (await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared"))!;
        Assert.Equal("team/b:/ConfigMap:shop/shared", Tracking.IdOf(live));
        Assert.Equal("green", live["data"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_owner_said_to_exist_keeps_its_object()
    {
        await using var h = await StartAsync();
        Assert.Null((await h.Engine.SyncAsync(h.Request(owner: First, path: "a"), Token)).Error);

        var second = await h.Engine.SyncAsync(h.Request(owner: Second, path: "b") with { OwnerExists = owner => owner == First }, Token);

        Assert.Equal(First, Assert.Single(second.Resources, r => r.Name == "shared").OwnedBy);
        Assert.Equal("team/a:/ConfigMap:shop/shared", Tracking.IdOf((await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared"))!));
    }

    /// <summary>Created by hand, or marked with something that is not a tracking id of exactly this object: adopted.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("not a tracking id")]
    [InlineData("team/a:/ConfigMap:shop/elsewhere")]
    [InlineData("team/a:apps/ConfigMap:shop/shared")]
    public async Task An_object_without_another_owners_tracking_id_is_adopted(string? trackingId)
    {
        await using var h = await StartAsync();
        // A marked object carries the managed label too, so it is in the engine's live cache like any managed object.
        var annotations = new JsonObject();
        var labels = new JsonObject();
        if (trackingId is not null)
        {
            annotations[Tracking.Annotation] = trackingId;
            labels[Tracking.ManagedLabel] = Tracking.ManagedValue;
        }

        await h.Client.ApplyAsync(
            ApiResource.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "shop" } },
            new ApplyOptions { FieldManager = "kubectl" }, Token);
        await h.Client.CreateAsync(
            ApiResource.ConfigMaps,
            new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = "shared", ["namespace"] = "shop", ["annotations"] = annotations, ["labels"] = labels },
                ["data"] = new JsonObject { ["color"] = "red" },
            },
            cancellationToken: Token);

        var second = await h.Engine.SyncAsync(h.Request(owner: Second, path: "b"), Token);

        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.Empty(second.Warnings);
        var live = (await h.GetAsync(ApiResource.ConfigMaps, "shop", "shared"))!;
        Assert.Equal("team/b:/ConfigMap:shop/shared", Tracking.IdOf(live));
        Assert.Equal("green", live["data"]!["color"]!.GetValue<string>());
    }

    /// <summary>Owner A renders a/shared.yaml; owner B renders b/shared.yaml (another value) and b/own.yaml.</summary>
    private static async Task<SyncHarness> StartAsync()
    {
        var h = await SyncHarness.StartAsync();
        h.Repo.Write("a/namespace.yaml", Manifests.Namespace)
            .Write("a/shared.yaml", Manifests.ConfigMap("shared"))
            .Write("b/shared.yaml", Manifests.ConfigMap("shared", "green"))
            .Write("b/own.yaml", Manifests.ConfigMap("own"));
        await h.Repo.CommitAsync("two owners of shared", Token);
        return h;
    }
}
