using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Controllers;

/// <summary>The simulated controllers on a fake clock: nothing becomes ready until the test moves time.</summary>
public sealed class SimulatedControllerTests : ClockedSimulatorTests
{
    [Fact]
    public async Task A_deployment_owns_a_replica_set_and_becomes_available_after_the_delay()
    {
        var ns = await Sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments/web";
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", replicas: 2));
        var progressing = await WaitForAsync(path, d => d.Field("status.observedGeneration") == "1", "the deployment to be observed");
        Assert.Equal("False", Condition(progressing, "Available"));
        Assert.Equal("ReplicaSetUpdated", Condition(progressing, "Progressing", "reason"));
        Assert.Equal("2", progressing.Field("status.unavailableReplicas"));

        var replicaSets = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/replicasets")).Object["items"]!.AsArray();
        var rs = Assert.Single(replicaSets)!;
        Assert.StartsWith("web-", rs.Field("metadata.name"));
        Assert.Equal("true", rs.Field("metadata.ownerReferences.0.controller"));
        Assert.Equal("true", rs.Field("metadata.ownerReferences.0.blockOwnerDeletion"));
        Assert.NotNull(rs.Field("spec.selector.matchLabels.pod-template-hash"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var ready = await WaitForAsync(path, d => Condition(d, "Available") == "True", "the deployment to become available");
        Assert.Equal("NewReplicaSetAvailable", Condition(ready, "Progressing", "reason"));
        Assert.Equal("2", ready.Field("status.availableReplicas"));
        Assert.Equal("1", ready["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        var managers = ready["metadata"]!["managedFields"]!.AsArray().Select(m => $"{m.Field("manager")}/{m.Field("subresource")}").ToList();
        Assert.Contains("kube-controller-manager/status", managers);

        // Steady state: once the ReplicaSet is ready too, nothing more is written.
        await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/replicasets/{rs.Field("metadata.name")}", r => r.Field("status.readyReplicas") == "2", "the replica set to be ready");
        var changes = Sim.Host.StoredChanges;
        Clock.Advance(TimeSpan.FromMinutes(5));
        var reconciled = Sim.Host.Controllers.Reconciled;
        await Client.PatchJsonAsync(path, JsonNode.Parse("""{"metadata":{"labels":{"touch":"1"}}}""")!);
        await Until.WaitAsync(() => Sim.Host.Controllers.Reconciled > reconciled, "the controllers to look at the change");
        Assert.Equal(changes + 1, Sim.Host.StoredChanges);
    }

    [Fact]
    public async Task A_scaled_up_deployment_counts_only_the_pods_that_are_ready_until_the_new_ones_are()
    {
        var ns = await Sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments/web";
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", replicas: 1));
        Clock.Advance(TimeSpan.FromSeconds(10));
        // The condition, not the count: the count follows the ReplicaSet's Pods and may show 1 a moment before the
        // Deployment's own check has run.
        await WaitForAsync(path, d => Condition(d, "Available") == "True" && d.Field("status.availableReplicas") == "1", "the deployment to become available");

        // What `kubectl rollout status` reads after `kubectl scale`: had it seen 2 available here, it would stop waiting
        // before the second Pod runs.
        await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"replicas":2}}""")!);
        var scaling = await WaitForAsync(path, d => d.Field("status.observedGeneration") == "2" && d.Field("status.updatedReplicas") == "2", "the second pod to be created");
        Assert.Equal("2", scaling.Field("status.replicas"));
        Assert.Equal("1", scaling.Field("status.availableReplicas"));
        Assert.Equal("1", scaling.Field("status.unavailableReplicas"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var scaled = await WaitForAsync(path, d => d.Field("status.availableReplicas") == "2", "the second pod to be ready");
        Assert.Equal("NewReplicaSetAvailable", Condition(scaled, "Progressing", "reason"));
        var pods = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/pods")).Object["items"]!.AsArray();
        Assert.Equal(2, pods.Count(p => Condition(p!.AsObject(), "Ready") == "True"));
    }

    [Fact]
    public async Task A_failing_deployment_exceeds_its_progress_deadline()
    {
        var ns = await Sim.NewNamespaceAsync();
        var body = Manifests.Deployment("broken", annotations: new Dictionary<string, string> { [SimulatedControllersAnnotation] = "true" });
        body["spec"]!["progressDeadlineSeconds"] = 60;
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", body);
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments/broken";
        await WaitForAsync(path, d => d.Field("status.observedGeneration") == "1", "the deployment to be observed");

        Clock.Advance(TimeSpan.FromSeconds(30));
        var still = await WaitForAsync(path, d => d["status"] is not null, "status");
        Assert.Equal("True", Condition(still, "Progressing"));

        Clock.Advance(TimeSpan.FromSeconds(31));
        var failed = await WaitForAsync(path, d => Condition(d, "Progressing") == "False", "the progress deadline to pass");
        Assert.Equal("ProgressDeadlineExceeded", Condition(failed, "Progressing", "reason"));
        Assert.Equal("False", Condition(failed, "Available"));
    }

    private const string SimulatedControllersAnnotation = Keelson.ApiServer.Controllers.SimulatedControllers.FailAnnotation;

    [Fact]
    public async Task Jobs_complete_or_fail_and_predicates_can_fail_any_workload()
    {
        var ns = await Sim.NewNamespaceAsync();
        Sim.Host.Controllers.FailWhen(o => o.Field("metadata.name") == "doomed");
        foreach (var name in new[] { "ok", "doomed" })
        {
            var job = JsonNode.Parse("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":""" + $"\"{name}\"" + """},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""")!;
            (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", job)).EnsureStatus(HttpStatusCode.Created);
        }

        await WaitForAsync($"/apis/batch/v1/namespaces/{ns}/jobs/ok", j => j.Field("status.active") == "1", "the job to start");
        Clock.Advance(TimeSpan.FromSeconds(10));
        var ok = await WaitForAsync($"/apis/batch/v1/namespaces/{ns}/jobs/ok", j => Condition(j, "Complete") == "True", "the job to complete");
        Assert.Equal("1", ok.Field("status.succeeded"));
        Assert.NotNull(ok.Field("status.completionTime"));
        var doomed = await WaitForAsync($"/apis/batch/v1/namespaces/{ns}/jobs/doomed", j => Condition(j, "Failed") == "True", "the job to fail");
        Assert.Equal("BackoffLimitExceeded", Condition(doomed, "Failed", "reason"));
        Sim.Host.Controllers.ClearFailures();
    }

    [Fact]
    public async Task A_finished_job_with_a_ttl_is_deleted_that_long_after_it_finished_and_others_stay()
    {
        var ns = await Sim.NewNamespaceAsync();
        foreach (var (name, ttl) in new[] { ("short", (int?)30), ("kept", null) })
        {
            var job = JsonNode.Parse("""{"apiVersion":"batch/v1","kind":"Job","metadata":{},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""")!;
            job["metadata"]!["name"] = name;
            if (ttl is { } seconds)
            {
                job["spec"]!["ttlSecondsAfterFinished"] = seconds;
            }

            (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", job)).EnsureStatus(HttpStatusCode.Created);
        }

        var path = $"/apis/batch/v1/namespaces/{ns}/jobs/short";
        var started = await WaitForAsync(path, j => j.Field("status.active") == "1", "the job to start");
        await using var watch = await WatchStream.OpenAsync(Client, $"/apis/batch/v1/namespaces/{ns}/jobs?watch=true&fieldSelector=metadata.name%3Dshort&resourceVersion={started.Field("metadata.resourceVersion")}");
        Clock.Advance(TimeSpan.FromSeconds(10));
        await WaitForAsync(path, j => Condition(j, "Complete") == "True", "the job to complete");

        // Not before its time: a change makes the controller look at it again, a second early.
        Clock.Advance(TimeSpan.FromSeconds(29));
        var reconciled = Sim.Host.Controllers.Reconciled;
        await Client.PatchJsonAsync(path, JsonNode.Parse("""{"metadata":{"labels":{"touch":"1"}}}""")!);
        await Until.WaitAsync(() => Sim.Host.Controllers.Reconciled > reconciled, "the controllers to look at the change");
        (await Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK);

        Clock.Advance(TimeSpan.FromSeconds(1));
        await Until.WaitAsync(async _ => (await Client.GetJsonAsync(path)).Status == HttpStatusCode.NotFound, "the job to be deleted at its ttl");

        // A watcher sees it complete, then go; the Job without a ttl stays.
        var (_, before) = await watch.UntilAsync(e => e.Field("type") == "DELETED", "the deletion");
        Assert.Contains(before, e => Condition(e["object"]!.AsObject(), "Complete") == "True");
        (await Client.GetJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs/kept")).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Standalone_pods_that_are_not_restarted_run_to_completion_and_others_keep_running()
    {
        var ns = await Sim.NewNamespaceAsync();
        static JsonNode Pod(string name, string restartPolicy, bool fail)
        {
            var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""")!;
            pod["metadata"]!["name"] = name;
            pod["spec"]!["restartPolicy"] = restartPolicy;
            if (fail)
            {
                pod["metadata"]!["annotations"] = new JsonObject { [SimulatedControllersAnnotation] = "true" };
            }

            return pod;
        }

        foreach (var pod in new[] { Pod("test", "Never", false), Pod("broken", "OnFailure", true), Pod("server", "Always", false) })
        {
            (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/pods", pod)).EnsureStatus(HttpStatusCode.Created);
        }

        await WaitForAsync($"/api/v1/namespaces/{ns}/pods/test", p => p.Field("spec.nodeName") is not null, "the pod to be scheduled");
        var pending = await WaitForAsync($"/api/v1/namespaces/{ns}/pods/test", p => p.Field("status.phase") is not null, "a first status");
        Assert.Equal("Pending", pending.Field("status.phase"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var done = await WaitForAsync($"/api/v1/namespaces/{ns}/pods/test", p => p.Field("status.phase") == "Succeeded", "the pod to succeed");
        Assert.Equal("PodCompleted", Condition(done, "Ready", "reason"));
        Assert.Equal("0", done["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.ToJsonString());
        var broken = await WaitForAsync($"/api/v1/namespaces/{ns}/pods/broken", p => p.Field("status.phase") == "Failed", "the failing pod to fail");
        Assert.Equal("Error", broken["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["reason"]!.GetValue<string>());
        var server = await WaitForAsync($"/api/v1/namespaces/{ns}/pods/server", p => Condition(p, "Ready") == "True", "the server pod to be ready");
        Assert.Equal("Running", server.Field("status.phase"));
    }

    [Fact]
    public async Task Claims_bind_load_balancers_get_addresses_and_stateful_sets_become_ready()
    {
        var ns = await Sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims", JsonNode.Parse("""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""")!);
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/services", JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}""")!);
        var sts = Manifests.Deployment("db");
        sts["kind"] = "StatefulSet";
        sts["spec"]!["serviceName"] = "db";
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets", sts);
        var pending = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims/data")).Object;
        Assert.Equal("Pending", pending.Field("status.phase"));
        Assert.Equal("standard", pending.Field("spec.storageClassName"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var bound = await WaitForAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims/data", c => c.Field("status.phase") == "Bound", "the claim to bind");
        Assert.Equal("1Gi", bound.Field("status.capacity.storage"));
        Assert.StartsWith("pvc-", bound.Field("spec.volumeName"));
        var lb = await WaitForAsync($"/api/v1/namespaces/{ns}/services/lb", s => s.Field("status.loadBalancer.ingress.0.ip") is not null, "a load balancer address");
        Assert.StartsWith("172.18.255.", lb.Field("status.loadBalancer.ingress.0.ip"));
        var set = await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets/db", s => s.Field("status.readyReplicas") == "1", "the stateful set to be ready");
        Assert.Equal(set.Field("status.currentRevision"), set.Field("status.updateRevision"));
    }

    [Fact]
    public async Task A_switched_off_controller_leaves_status_alone()
    {
        var ns = await Sim.NewNamespaceAsync();
        Sim.Host.Controllers.DaemonSetsEnabled = false;
        try
        {
            var ds = Manifests.Deployment("agent");
            ds["kind"] = "DaemonSet";
            var reconciled = Sim.Host.Controllers.Reconciled;
            await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/daemonsets", ds);
            await Until.WaitAsync(() => Sim.Host.Controllers.Reconciled > reconciled, "the controllers to see the daemon set");
            Clock.Advance(TimeSpan.FromSeconds(10));
            var agent = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/daemonsets/agent")).Object;
            Assert.Null(agent["status"]!["observedGeneration"]);
        }
        finally
        {
            Sim.Host.Controllers.DaemonSetsEnabled = true;
        }
    }

    [Fact]
    public async Task Watches_that_allow_bookmarks_get_one_each_interval()
    {
        var ns = await Sim.NewNamespaceAsync();
        var rv = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).Object.Field("metadata.resourceVersion");
        await using var watch = await WatchStream.OpenAsync(Client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true");
        await Until.WaitAsync(() => Sim.Host.OpenWatches >= 1, "the watch to be registered");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var bookmark = await watch.NextAsync("a bookmark");
        Assert.Equal("BOOKMARK", bookmark.Field("type"));
        Assert.Equal("ConfigMap", bookmark.Field("object.kind"));
        Assert.True(long.Parse(bookmark.Field("object.metadata.resourceVersion")!, System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(rv!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
