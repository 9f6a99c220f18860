using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Api;

public sealed class ListWatchTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    private async Task<string> SeedAsync(int count, Func<int, IDictionary<string, string>>? labels = null)
    {
        var ns = await sim.NewNamespaceAsync();
        for (var i = 0; i < count; i++)
        {
            (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap($"cm-{i:D3}", labels: labels?.Invoke(i))))
                .EnsureStatus(HttpStatusCode.Created);
        }

        return ns;
    }

    private static List<string> Names(JsonObject list) =>
        list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Label_selectors_support_equality_and_set_based_requirements()
    {
        var ns = await SeedAsync(6, i => i switch
        {
            0 => new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" },
            1 => new Dictionary<string, string> { ["tier"] = "web", ["env"] = "dev" },
            2 => new Dictionary<string, string> { ["tier"] = "db", ["env"] = "prod" },
            3 => new Dictionary<string, string> { ["tier"] = "cache" },
            _ => new Dictionary<string, string>(),
        });
        async Task<List<string>> Select(string selector) =>
            Names((await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString(selector)}")).EnsureStatus(HttpStatusCode.OK).Object);

        Assert.Equal(["cm-000", "cm-001"], await Select("tier=web"));
        Assert.Equal(["cm-000"], await Select("tier==web,env=prod"));
        Assert.Equal(["cm-001", "cm-003", "cm-004", "cm-005", "kube-root-ca.crt"], await Select("env!=prod"));
        Assert.Equal(["cm-000", "cm-002", "cm-003"], await Select("tier in (web, db, cache),env notin (dev)"));
        Assert.Equal(["cm-003", "cm-004", "cm-005", "kube-root-ca.crt"], await Select("!env"));
        Assert.Equal(["cm-000", "cm-001", "cm-002"], await Select("env"));
        var bad = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString("tier in web")}")).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.StartsWith("unable to parse requirement", bad.Message);
    }

    [Fact]
    public async Task Field_selectors_filter_by_name_and_kind_specific_fields()
    {
        var ns = await SeedAsync(3);
        var byName = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%3Dcm-001")).Object;
        Assert.Equal(["cm-001"], Names(byName));
        var across = (await Client.GetJsonAsync($"/api/v1/configmaps?fieldSelector=metadata.namespace%3D{ns},metadata.name!%3Dcm-001")).Object;
        Assert.Equal(["cm-000", "cm-002", "kube-root-ca.crt"], Names(across));

        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/secrets", JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}""")!);
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/secrets", JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"plain"}}""")!);
        var tls = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/secrets?fieldSelector=type%3Dkubernetes.io/tls")).Object;
        Assert.Equal(["tls"], Names(tls));

        var unsupported = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=data.x%3D1")).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.Equal("field label not supported: data.x", unsupported.Message);
    }

    [Fact]
    public async Task Paging_returns_a_consistent_snapshot_and_expired_continue_tokens_get_410()
    {
        var ns = await SeedAsync(25);
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var first = (await Client.GetJsonAsync($"{path}?limit=10")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(10, first["items"]!.AsArray().Count);
        Assert.Equal("16", first.Field("metadata.remainingItemCount"));
        var token = first.Field("metadata.continue")!;

        // Changes after the first page do not show up in the rest of this list.
        await Client.PostJsonAsync(path, Manifests.ConfigMap("cm-999"));
        await Client.DeleteJsonAsync($"{path}/cm-020");

        var names = Names(first);
        while (token is not null)
        {
            var page = (await Client.GetJsonAsync($"{path}?limit=10&continue={Uri.EscapeDataString(token)}")).EnsureStatus(HttpStatusCode.OK).Object;
            Assert.Equal(first.Field("metadata.resourceVersion"), page.Field("metadata.resourceVersion"));
            names.AddRange(Names(page));
            token = page["metadata"]!["continue"]?.GetValue<string>();
        }

        Assert.Equal(26, names.Count);
        Assert.Contains("cm-020", names);
        Assert.DoesNotContain("cm-999", names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);

        var again = (await Client.GetJsonAsync($"{path}?limit=5")).Object;
        sim.Host.CompactHistory();
        var expired = (await Client.GetJsonAsync($"{path}?limit=5&continue={Uri.EscapeDataString(again.Field("metadata.continue")!)}")).EnsureStatus(HttpStatusCode.Gone);
        Assert.Equal("Expired", expired.Reason);
        Assert.StartsWith("The provided continue parameter is too old", expired.Message);
        Assert.NotNull(expired.Object["metadata"]!["continue"]);
    }

    [Fact]
    public async Task Watch_from_a_resource_version_streams_added_modified_and_deleted()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var list = (await Client.GetJsonAsync(path)).Object;
        await using var watch = await WatchStream.OpenAsync(Client, $"{path}?watch=true&resourceVersion={list.Field("metadata.resourceVersion")}");
        Assert.Equal(HttpStatusCode.OK, watch.Status);

        await Client.PostJsonAsync(path, Manifests.ConfigMap("w", new Dictionary<string, string> { ["a"] = "1" }));
        await Client.PatchJsonAsync($"{path}/w", JsonNode.Parse("""{"data":{"a":"2"}}""")!);
        await Client.DeleteJsonAsync($"{path}/w");

        var events = new List<JsonObject>();
        while (events.Count < 3)
        {
            var e = await watch.NextAsync("the three changes");
            if (e.Field("object.metadata.name") == "w")
            {
                events.Add(e);
            }
        }

        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => e.Field("type")!).ToList());
        Assert.Equal("2", events[1].Field("object.data.a"));
        var versions = events.Select(e => long.Parse(e.Field("object.metadata.resourceVersion")!)).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_state()
    {
        var ns = await SeedAsync(2);
        await using var legacy = await WatchStream.OpenAsync(Client, $"/api/v1/watch/namespaces/{ns}/configmaps");
        var initial = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var e = await legacy.NextAsync("the initial ADDED events");
            Assert.Equal("ADDED", e.Field("type"));
            initial.Add(e.Field("object.metadata.name")!);
        }

        Assert.Equal(["cm-000", "cm-001", "kube-root-ca.crt"], initial);
    }

    [Fact]
    public async Task Send_initial_events_ends_with_an_annotated_bookmark()
    {
        var ns = await SeedAsync(2);
        await using var watch = await WatchStream.OpenAsync(Client,
            $"/api/v1/namespaces/{ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        var (bookmark, initial) = await watch.UntilAsync(e => e.Field("type") == "BOOKMARK", "the initial-events-end bookmark");
        Assert.Equal(3, initial.Count);
        Assert.Equal("true", bookmark["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark.Field("object.kind"));

        var invalid = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&sendInitialEvents=true")).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("resourceVersionMatch", invalid.Message);
    }

    [Fact]
    public async Task A_watch_resumed_after_a_dropped_connection_misses_and_repeats_nothing()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var start = (await Client.GetJsonAsync(path)).Object.Field("metadata.resourceVersion");
        var seen = new List<string>();
        string lastVersion;
        await using (var watch = await WatchStream.OpenAsync(Client, $"{path}?watch=true&resourceVersion={start}"))
        {
            for (var i = 0; i < 3; i++)
            {
                await Client.PostJsonAsync(path, Manifests.ConfigMap($"before-{i}"));
            }

            JsonObject e = null!;
            for (var i = 0; i < 3; i++)
            {
                e = await watch.NextAsync("events before the drop");
                seen.Add(e.Field("object.metadata.name")!);
            }

            lastVersion = e.Field("object.metadata.resourceVersion")!;
            Assert.True(sim.Host.Faults.DropWatches(r => r.Namespace == ns) >= 1);
            await watch.DrainUntilEndAsync("the dropped connection");
        }

        for (var i = 0; i < 3; i++)
        {
            await Client.PostJsonAsync(path, Manifests.ConfigMap($"during-{i}"));
        }

        await using var resumed = await WatchStream.OpenAsync(Client, $"{path}?watch=true&resourceVersion={lastVersion}");
        for (var i = 0; i < 3; i++)
        {
            seen.Add((await resumed.NextAsync("events after resuming")).Field("object.metadata.name")!);
        }

        Assert.Equal(["before-0", "before-1", "before-2", "during-0", "during-1", "during-2"], seen);
    }

    [Fact]
    public async Task Watching_from_a_compacted_resource_version_sends_a_410_error_event()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var old = (await Client.GetJsonAsync(path)).Object.Field("metadata.resourceVersion");
        await Client.PostJsonAsync(path, Manifests.ConfigMap("after"));
        sim.Host.CompactHistory();

        await using var watch = await WatchStream.OpenAsync(Client, $"{path}?watch=true&resourceVersion={old}");
        Assert.Equal(HttpStatusCode.OK, watch.Status);
        var error = await watch.NextAsync("the 410 error event");
        Assert.Equal("ERROR", error.Field("type"));
        Assert.Equal("Status", error.Field("object.kind"));
        Assert.Equal("410", error.Field("object.code"));
        Assert.Equal("Expired", error.Field("object.reason"));
        Assert.StartsWith($"too old resource version: {old}", error.Field("object.message"));
        Assert.Empty(await watch.DrainUntilEndAsync("the end of the expired watch"));
    }

    [Fact]
    public async Task Objects_leaving_a_label_selector_are_reported_as_deleted()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var rv = (await Client.GetJsonAsync(path)).Object.Field("metadata.resourceVersion");
        await using var watch = await WatchStream.OpenAsync(Client, $"{path}?watch=true&resourceVersion={rv}&labelSelector=team%3Da");
        await Client.PostJsonAsync(path, Manifests.ConfigMap("moving", labels: new Dictionary<string, string> { ["team"] = "a" }));
        await Client.PatchJsonAsync($"{path}/moving", JsonNode.Parse("""{"metadata":{"labels":{"team":"b"}}}""")!);
        await Client.PatchJsonAsync($"{path}/moving", JsonNode.Parse("""{"metadata":{"labels":{"team":"a"}}}""")!);

        var types = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            types.Add((await watch.NextAsync("selector transitions")).Field("type")!);
        }

        Assert.Equal(["ADDED", "DELETED", "ADDED"], types);
    }
}
