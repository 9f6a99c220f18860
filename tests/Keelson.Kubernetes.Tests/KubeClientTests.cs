using System.Text.Json.Nodes;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests;

/// <summary>The verbs of the client against the API server simulator, as a caller sees them.</summary>
public sealed class KubeClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_filters_by_label_and_field_selectors_and_fills_in_kind()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        foreach (var (name, app) in new[] { ("web-1", "web"), ("web-2", "web"), ("db-1", "db") })
        {
            await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, name).SetLabel("app", app), cancellationToken: Token);
        }

        var web = await client.ListAsync(ApiResource.ConfigMaps, ns, new ListOptions { LabelSelector = "app=web" }, Token);
        var notWeb = await client.ListAsync(ApiResource.ConfigMaps, ns, new ListOptions { LabelSelector = "app!=web,app" }, Token);
        var byName = await client.ListAsync(ApiResource.ConfigMaps, ns, new ListOptions { FieldSelector = "metadata.name=web-2" }, Token);

        Assert.Equal(["web-1", "web-2"], web.Items.Select(i => i.GetName()).Order());
        Assert.Equal(["db-1"], notWeb.Items.Select(i => i.GetName()));
        var only = Assert.Single(byName.Items);
        Assert.Equal(("v1", "ConfigMap", "web-2"), (only.GetApiVersion(), only.GetKind(), only.GetName()));
        Assert.False(string.IsNullOrEmpty(web.ResourceVersion));
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_reads_5000_objects_once_each()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, 5000),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Token },
            async (i, ct) => await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, $"cm-{i:D4}"), cancellationToken: ct));

        var first = await client.ListAsync(ApiResource.ConfigMaps, ns, new ListOptions { Limit = 700 }, Token);
        cluster.Host.Requests.Reset();
        var names = new List<string>();
        await foreach (var item in client.ListAllAsync(ApiResource.ConfigMaps, ns, new ListOptions { Limit = 700 }, Token))
        {
            names.Add(item.GetName()!);
        }

        Assert.Equal(700, first.Items.Count);
        Assert.NotNull(first.Continue);
        Assert.Equal(4300, first.RemainingItemCount);
        Assert.Equal(5000, names.Count);
        Assert.Equal(5000, names.Distinct().Count());
        Assert.Equal(8, cluster.Host.Requests.Count("list", "configmaps"));
    }

    [Fact]
    public async Task A_stale_update_fails_with_a_conflict_carrying_the_status()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var created = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "settings", ("mode", "a")), cancellationToken: Token);
        var stale = created.DeepClone().AsObject();
        created["data"]!["mode"] = "b";
        var updated = await client.UpdateAsync(ApiResource.ConfigMaps, created, cancellationToken: Token);
        stale["data"]!["mode"] = "c";

        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => client.UpdateAsync(ApiResource.ConfigMaps, stale, cancellationToken: Token));
        var exists = await Assert.ThrowsAsync<KubeApiException>(
            () => client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "settings"), cancellationToken: Token));

        Assert.NotEqual(created.GetResourceVersion(), updated.GetResourceVersion());
        Assert.True(conflict.IsConflict);
        Assert.Equal((409, "Conflict", "settings"), (conflict.Status.Code, conflict.Status.Reason, conflict.Status.Details?.Name));
        Assert.Contains("settings", conflict.Message, StringComparison.Ordinal);
        Assert.True(exists.IsAlreadyExists);
        Assert.False(exists.IsConflict);
        Assert.Equal("b", Json.String((await client.GetAsync(ApiResource.ConfigMaps, ns, "settings", Token))["data"], "mode"));
    }

    [Fact]
    public async Task GetAndUpdate_starts_over_when_someone_else_wrote_in_between()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var first = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "counter", ("n", "0")), cancellationToken: Token);
        await client.PatchAsync(ApiResource.ConfigMaps, ns, "counter", PatchType.Merge, JsonNode.Parse("""{"data":{"n":"1"}}""")!, cancellationToken: Token);
        var calls = 0;

        var result = await client.GetAndUpdateAsync(ApiResource.ConfigMaps, ns, "counter", obj =>
        {
            if (calls++ == 0)
            {
                // As if this read came before someone else's write: the update must fail and start over, not overwrite.
                obj.SetResourceVersion(first.GetResourceVersion());
            }

            obj["data"]!["n"] = Json.String(obj["data"], "n") + "+1";
            return true;
        }, cancellationToken: Token);

        Assert.Equal(2, calls);
        Assert.Equal("1+1", Json.String(result["data"], "n"));
    }

    [Fact]
    public async Task Merge_patch_sets_and_removes_fields()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "settings", ("keep", "1"), ("drop", "2")), cancellationToken: Token);

        var patched = await client.PatchAsync(
            ApiResource.ConfigMaps, ns, "settings", PatchType.Merge, JsonNode.Parse("""{"metadata":{"labels":{"tier":"gold"}},"data":{"drop":null,"add":"3"}}""")!,
            cancellationToken: Token);

        Assert.Equal("gold", patched.GetLabel("tier"));
        Assert.Equal("""{"add":"3","keep":"1"}""", SortedJson(patched["data"]!.AsObject()));
    }

    [Fact]
    public async Task Server_side_apply_conflicts_name_the_other_manager_and_force_takes_the_field()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        await client.ApplyAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "shared", ("owner", "alice"), ("extra", "x")), new ApplyOptions { FieldManager = "alice" }, Token);

        var conflict = await Assert.ThrowsAsync<KubeApiException>(() =>
            client.ApplyAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "shared", ("owner", "bob")), new ApplyOptions { FieldManager = "bob" }, Token));
        var forced = await client.ApplyAsync(
            ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "shared", ("owner", "bob")), new ApplyOptions { FieldManager = "bob", Force = true }, Token);

        // alice stops applying "extra": the server removes the field she alone owned.
        var shrunk = await client.ApplyAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "shared"), new ApplyOptions { FieldManager = "alice" }, Token);

        Assert.True(conflict.IsFieldManagerConflict);
        Assert.Equal(409, conflict.Code);
        var cause = Assert.Single(conflict.Conflicts);
        Assert.Contains("alice", cause.Message, StringComparison.Ordinal);
        Assert.Contains("owner", cause.Field, StringComparison.Ordinal);
        Assert.Equal("bob", Json.String(forced["data"], "owner"));
        Assert.Equal("""{"owner":"bob"}""", SortedJson(shrunk["data"]!.AsObject()));
        var managers = Json.Array(shrunk["metadata"], "managedFields")!.Select(m => Json.String(m, "manager")).Order().ToList();
        Assert.Equal(["alice", "bob"], managers);
    }

    [Fact]
    public async Task Apply_by_kind_finds_the_resource_through_discovery()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var deployment = TestCluster.Object("apps/v1", "Deployment", ns, "web", Deployment(replicas: 2));

        var applied = await client.ApplyAsync(deployment, new ApplyOptions { FieldManager = "keelson" }, Token);

        Assert.Equal(2, Json.Long(applied["spec"], "replicas"));
        Assert.NotNull(await client.TryGetAsync(ApiResource.Deployments, ns, "web", Token));
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_the_main_resource_only_the_rest()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var created = await client.CreateAsync(ApiResource.Deployments, TestCluster.Object("apps/v1", "Deployment", ns, "web", Deployment(replicas: 1)), cancellationToken: Token);

        var status = await client.PatchStatusAsync(
            ApiResource.Deployments, ns, "web", PatchType.Merge, JsonNode.Parse("""{"spec":{"replicas":9},"status":{"readyReplicas":1}}""")!, cancellationToken: Token);
        var (specAfterStatusWrite, readyAfterStatusWrite) = (Json.Long(status["spec"], "replicas"), Json.Long(status["status"], "readyReplicas"));
        status["status"]!["readyReplicas"] = 5;
        status["spec"]!["replicas"] = 3;
        var main = await client.UpdateAsync(ApiResource.Deployments, status, cancellationToken: Token);
        var applied = await client.ApplyStatusAsync(
            ApiResource.Deployments,
            TestCluster.Object("apps/v1", "Deployment", ns, "web", new JsonObject { ["status"] = new JsonObject { ["availableReplicas"] = 1 } }),
            new ApplyOptions { FieldManager = "sim" }, Token);

        Assert.Equal((1, 1), (specAfterStatusWrite, readyAfterStatusWrite));
        Assert.Equal(1, Json.Long(created["metadata"], "generation"));
        Assert.Equal(1, Json.Long(main["status"], "readyReplicas"));
        Assert.Equal(3, Json.Long(main["spec"], "replicas"));
        Assert.Equal(2, Json.Long(main["metadata"], "generation"));
        Assert.Equal(1, Json.Long(applied["status"], "availableReplicas"));
        Assert.Equal(3, Json.Long(applied["spec"], "replicas"));
    }

    [Fact]
    public async Task Delete_honours_preconditions_and_propagation()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var owner = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "owner"), cancellationToken: Token);
        var orphanOwner = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "orphan-owner"), cancellationToken: Token);
        await client.CreateAsync(ApiResource.ConfigMaps, OwnedBy(TestCluster.ConfigMap(ns, "child"), owner), cancellationToken: Token);
        await client.CreateAsync(ApiResource.ConfigMaps, OwnedBy(TestCluster.ConfigMap(ns, "orphan"), orphanOwner), cancellationToken: Token);

        var wrongUid = await Assert.ThrowsAsync<KubeApiException>(() =>
            client.DeleteAsync(ApiResource.ConfigMaps, ns, "owner", new DeleteOptions { PreconditionUid = Guid.NewGuid().ToString() }, Token));
        var wrongVersion = await Assert.ThrowsAsync<KubeApiException>(() =>
            client.DeleteAsync(ApiResource.ConfigMaps, ns, "owner", new DeleteOptions { PreconditionResourceVersion = "1" }, Token));
        var pending = await client.DeleteAsync(
            ApiResource.ConfigMaps, ns, "owner",
            new DeleteOptions { PreconditionUid = owner.GetUid(), PropagationPolicy = PropagationPolicy.Foreground }, Token);
        await client.DeleteAsync(ApiResource.ConfigMaps, ns, "orphan-owner", new DeleteOptions { PropagationPolicy = PropagationPolicy.Orphan }, Token);

        Assert.True(wrongUid.IsConflict);
        Assert.True(wrongVersion.IsConflict);

        // Foreground: the owner stays (with a deletion timestamp) until its dependents are gone, then goes too.
        Assert.NotNull(pending);
        Assert.NotNull(pending.GetDeletionTimestamp());
        Assert.Contains("foregroundDeletion", pending.GetFinalizers());
        await Eventually.WaitAsync(
            async ct => await client.TryGetAsync(ApiResource.ConfigMaps, ns, "owner", ct) is null && await client.TryGetAsync(ApiResource.ConfigMaps, ns, "child", ct) is null,
            "the foreground-deleted owner and its dependent to be gone", cancellationToken: Token);

        // Orphan: the dependent stays and loses its owner reference.
        var orphan = await Eventually.WaitAsync(
            ct => client.GetAsync(ApiResource.ConfigMaps, ns, "orphan", ct), o => o.GetOwnerReferences().Count == 0, "the orphan to lose its owner reference",
            cancellationToken: Token);
        Assert.Null(await client.TryGetAsync(ApiResource.ConfigMaps, ns, "orphan-owner", Token));
        Assert.Equal("orphan", orphan.GetName());
    }

    [Fact]
    public async Task Dry_run_changes_nothing_on_any_verb()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client();
        var ns = await cluster.NamespaceAsync(client);
        var live = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "live", ("v", "1")), cancellationToken: Token);
        var changes = cluster.Host.StoredChanges;

        var created = await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "ghost"), new WriteOptions { DryRun = true }, Token);
        var changed = live.DeepClone().AsObject();
        changed["data"]!["v"] = "2";
        var updated = await client.UpdateAsync(ApiResource.ConfigMaps, changed, new WriteOptions { DryRun = true }, Token);
        var patched = await client.PatchAsync(ApiResource.ConfigMaps, ns, "live", PatchType.Merge, JsonNode.Parse("""{"data":{"v":"3"}}""")!, new PatchOptions { DryRun = true }, Token);
        var applied = await client.ApplyAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "live", ("v", "4")), new ApplyOptions { FieldManager = "dry", DryRun = true, Force = true }, Token);
        await client.DeleteAsync(ApiResource.ConfigMaps, ns, "live", new DeleteOptions { DryRun = true }, Token);
        await client.DeleteCollectionAsync(ApiResource.ConfigMaps, ns, options: new DeleteOptions { DryRun = true }, cancellationToken: Token);

        Assert.Equal("ghost", created.GetName());
        Assert.Equal(["2", "3", "4"], new[] { updated, patched, applied }.Select(o => Json.String(o["data"], "v")));
        Assert.Null(await client.TryGetAsync(ApiResource.ConfigMaps, ns, "ghost", Token));
        var after = await client.GetAsync(ApiResource.ConfigMaps, ns, "live", Token);
        Assert.Equal(("1", live.GetResourceVersion()), (Json.String(after["data"], "v"), after.GetResourceVersion()));
        Assert.Equal(changes, cluster.Host.StoredChanges);
    }

    [Fact]
    public async Task Too_many_requests_waits_for_Retry_After_on_the_clock_then_retries()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock, RetryMaxDelay = TimeSpan.FromSeconds(60) });
        var rule = cluster.Host.Faults.Fail(429, r => r.Resource == "configmaps", times: 1, retryAfter: TimeSpan.FromSeconds(7));

        var get = client.TryGetAsync(ApiResource.ConfigMaps, "default", "none", Token);
        await Eventually.WaitAsync(() => rule.Hits == 1 && clock.PendingTimers > 0, "the 429 and the client's wait", cancellationToken: Token);
        clock.Advance(TimeSpan.FromSeconds(6.9));
        var earlyHits = rule.Hits;
        var earlyDone = get.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Null(await get);
        Assert.Equal(1, earlyHits);
        Assert.False(earlyDone);
        Assert.Equal(2, cluster.Host.Requests.Count("get", "configmaps"));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_the_retries_run_out()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock, MaxRetries = 3 });
        cluster.Host.Faults.Fail(500, r => r.Verb == "list", times: 2);
        cluster.Host.Faults.Fail(503, r => r.Verb == "get", times: 10);

        var list = client.ListAsync(ApiResource.Namespaces, cancellationToken: Token);
        await TestCluster.DriveAsync(clock, () => list.IsCompleted, "the list to succeed after two 500s");
        var get = client.GetAsync(ApiResource.Namespaces, null, "default", Token);
        await TestCluster.DriveAsync(clock, () => get.IsCompleted, "the get to give up");

        Assert.Contains((await list).Items, n => n.GetName() == "kube-system");
        var error = await Assert.ThrowsAsync<KubeApiException>(() => get);
        Assert.Equal(503, error.Code);
        Assert.Equal(4, cluster.Host.Requests.Count("get", "namespaces"));
    }

    [Theory]
    [InlineData("generateName", 500)]
    [InlineData("named", 500)]
    [InlineData("named", 502)]
    [InlineData("json-patch", 500)]
    public async Task A_write_that_may_have_happened_is_not_sent_twice_after_a_server_error(string write, int code)
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, RetryInitialDelay = TimeSpan.FromMilliseconds(1) });
        var ns = await cluster.NamespaceAsync(client);
        await client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "existing"), cancellationToken: Token);
        var verb = write == "json-patch" ? "patch" : "create";
        var rule = cluster.Host.Faults.Fail(code, r => r.Verb == verb && r.Resource == "configmaps", times: 1);

        var error = await Assert.ThrowsAsync<KubeApiException>(() => write switch
        {
            "generateName" => client.CreateAsync(ApiResource.ConfigMaps, GenerateName(ns), cancellationToken: Token),
            "named" => client.CreateAsync(ApiResource.ConfigMaps, TestCluster.ConfigMap(ns, "new"), cancellationToken: Token),
            _ => client.PatchAsync(
                ApiResource.ConfigMaps, ns, "existing", PatchType.Json,
                JsonNode.Parse("""[{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]""")!, cancellationToken: Token),
        });

        Assert.Equal(code, error.Code);
        Assert.Equal(1, rule.Hits);
        Assert.Equal(1, cluster.Host.Requests.Count(verb, "configmaps") - (verb == "create" ? 1 : 0));
    }

    [Fact]
    public async Task A_create_refused_as_unavailable_is_sent_again()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 0, RetryInitialDelay = TimeSpan.FromMilliseconds(1) });
        var ns = await cluster.NamespaceAsync(client);
        var rule = cluster.Host.Faults.Fail(503, r => r.Verb == "create" && r.Resource == "configmaps", times: 1);

        var created = await client.CreateAsync(ApiResource.ConfigMaps, GenerateName(ns), cancellationToken: Token);

        Assert.StartsWith("job-", created.GetName(), StringComparison.Ordinal);
        Assert.Equal(1, rule.Hits);
        Assert.Equal(2, cluster.Host.Requests.Count("create", "configmaps"));
    }

    private static JsonObject GenerateName(string ns)
    {
        var obj = TestCluster.ConfigMap(ns, "ignored");
        obj["metadata"] = new JsonObject { ["generateName"] = "job-", ["namespace"] = ns };
        return obj;
    }

    [Fact]
    public async Task Client_side_rate_limit_lets_a_burst_through_then_paces_requests_on_the_clock()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.Client(new KubeClientOptions { Qps = 2, Burst = 3, TimeProvider = clock });

        var gets = Enumerable.Range(0, 5).Select(_ => client.GetAsync(ApiResource.Namespaces, null, "default", Token)).ToList();
        await Eventually.WaitAsync(() => gets.Count(g => g.IsCompleted) == 3, "the burst of 3 to be answered", cancellationToken: Token);
        var afterBurst = cluster.Host.Requests.Count("get", "namespaces");
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await Eventually.WaitAsync(() => gets.Count(g => g.IsCompleted) == 4, "one more after half a second", cancellationToken: Token);
        var afterHalfSecond = cluster.Host.Requests.Count("get", "namespaces");
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await Task.WhenAll(gets);

        Assert.Equal(3, afterBurst);
        Assert.Equal(4, afterHalfSecond);
        Assert.Equal(5, cluster.Host.Requests.Count("get", "namespaces"));
    }

    [Fact]
    public async Task A_wrong_token_is_unauthorized()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var client = new KubeClient(Kubernetes.Config.KubeClientConfig.ForToken(cluster.Host.Url, "not-the-token", cluster.Host.CaCertificatePem));

        var error = await Assert.ThrowsAsync<KubeApiException>(() => client.ListAsync(ApiResource.Namespaces, cancellationToken: Token));

        Assert.True(error.IsUnauthorized);
        Assert.DoesNotContain("not-the-token", error.Message, StringComparison.Ordinal);
    }

    internal static JsonObject Deployment(int replicas) => new()
    {
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx:1.27" }) },
            },
        },
    };

    private static JsonObject OwnedBy(JsonObject obj, JsonObject owner)
    {
        obj["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = owner.GetApiVersion(),
            ["kind"] = owner.GetKind(),
            ["name"] = owner.GetName(),
            ["uid"] = owner.GetUid(),
            ["blockOwnerDeletion"] = true,
        });
        return obj;
    }

    private static string SortedJson(JsonObject obj) =>
        new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();
}
