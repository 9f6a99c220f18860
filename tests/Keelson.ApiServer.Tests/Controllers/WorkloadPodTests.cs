using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Controllers;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Controllers;

/// <summary>Workloads run Pods, as on a real cluster, on a fake clock: Pods turn Running and Ready when their workload does.</summary>
public sealed class WorkloadPodTests : ClockedSimulatorTests
{
    private async Task<List<JsonObject>> PodsAsync(string ns, string selector) =>
        [.. (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/pods?labelSelector={Uri.EscapeDataString(selector)}")).Object["items"]!.AsArray().Select(p => p!.AsObject())];

    private Task<List<JsonObject>> WaitForPodsAsync(string ns, string selector, Func<List<JsonObject>, bool> done, string what) =>
        Until.WaitAsync(_ => PodsAsync(ns, selector), done, what);

    private static bool RunningAndReady(JsonObject pod) => pod.Field("status.phase") == "Running" && Condition(pod, "Ready") == "True";

    private static string? Waiting(JsonObject pod) => pod.Field("status.containerStatuses.0.state.waiting.reason");

    [Fact]
    public async Task A_deployment_runs_a_ready_pod_per_replica_owned_by_its_replica_set_and_scaling_follows()
    {
        var ns = await Sim.NewNamespaceAsync();
        var body = Manifests.Deployment("web", replicas: 3);
        body["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["team"] = "shop" };
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", body);

        var pending = await WaitForPodsAsync(ns, "app=web", p => p.Count == 3 && p.All(x => Waiting(x) == "ContainerCreating"), "three pods being created");
        Assert.All(pending, p => Assert.Equal("Pending", p.Field("status.phase")));
        var deployment = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web")).Object;
        Assert.NotEqual("True", Condition(deployment, "Available"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web", d => Condition(d, "Available") == "True", "the deployment to become available");

        // Available means the Pods are there and ready, as kubectl sees right after `wait --for=condition=Available`.
        var pods = await PodsAsync(ns, "app=web");
        Assert.Equal(3, pods.Count);
        var rs = Assert.Single((await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/replicasets")).Object["items"]!.AsArray())!;
        var rsName = rs.Field("metadata.name")!;
        Assert.Equal("3", rs.Field("status.readyReplicas"));
        foreach (var pod in pods)
        {
            Assert.True(RunningAndReady(pod), pod.ToJsonString());
            Assert.Matches($"^{rsName}-[a-z0-9]{{5}}$", pod.Field("metadata.name")!);
            Assert.Equal(rs.Field("metadata.labels.pod-template-hash"), pod.Field("metadata.labels.pod-template-hash"));
            Assert.Equal("shop", pod.Field("metadata.annotations.team"));
            Assert.Equal("ReplicaSet", pod.Field("metadata.ownerReferences.0.kind"));
            Assert.Equal(rs.Field("metadata.uid"), pod.Field("metadata.ownerReferences.0.uid"));
            Assert.Equal("true", pod.Field("metadata.ownerReferences.0.controller"));
            Assert.Equal("true", pod.Field("metadata.ownerReferences.0.blockOwnerDeletion"));
            Assert.Equal(SimulatedControllers.NodeName, pod.Field("spec.nodeName"));
            Assert.Equal("nginx:1.25", pod.Field("status.containerStatuses.0.image"));
            Assert.Equal("true", pod.Field("status.containerStatuses.0.started"));
            Assert.Equal("0", pod.Field("status.containerStatuses.0.restartCount"));
            Assert.NotNull(pod.Field("status.containerStatuses.0.state.running.startedAt"));
            Assert.StartsWith("10.244.", pod.Field("status.podIP"));
            Assert.NotNull(pod.Field("status.hostIP"));
            Assert.NotNull(pod.Field("status.startTime"));
            foreach (var type in new[] { "Initialized", "ContainersReady", "PodScheduled" })
            {
                Assert.Equal("True", Condition(pod, type));
            }
        }

        await Client.PatchJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web", JsonNode.Parse("""{"spec":{"replicas":1}}""")!);
        var scaled = await WaitForPodsAsync(ns, "app=web", p => p.Count == 1, "the pods to scale down to one");
        Assert.True(RunningAndReady(scaled[0]));
        await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/replicasets/{rsName}", r => r.Field("status.replicas") == "1", "the replica set to count one pod");
    }

    [Fact]
    public async Task A_new_image_moves_the_pods_to_the_new_replica_set_and_deleting_the_deployment_removes_them()
    {
        var ns = await Sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", replicas: 2));
        Clock.Advance(TimeSpan.FromSeconds(10));
        var first = await WaitForPodsAsync(ns, "app=web", p => p.Count == 2 && p.All(RunningAndReady), "two ready pods");
        var oldHash = first[0].Field("metadata.labels.pod-template-hash");

        await Client.PatchJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web", JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}}""")!,
            "application/strategic-merge-patch+json");
        var rolled = await WaitForPodsAsync(ns, "app=web", p => p.Count == 2 && p.All(x => x.Field("metadata.labels.pod-template-hash") != oldHash), "the new replica set's pods only");
        Assert.All(rolled, p => Assert.Equal("nginx:1.27", p.Field("spec.containers.0.image")));
        var rolling = await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web",
            d => d.Field("status.observedGeneration") == "2" && d.Field("status.replicas") == "2" && d.Field("status.updatedReplicas") == "2",
            "the deployment to count the new pods");
        Assert.Null(rolling.Field("status.availableReplicas"));
        Assert.Equal("2", rolling.Field("status.unavailableReplicas"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var ready = await WaitForPodsAsync(ns, "app=web", p => p.Count == 2 && p.All(RunningAndReady), "the new pods to be ready");
        Assert.All(ready, p => Assert.Equal("nginx:1.27", p.Field("status.containerStatuses.0.image")));
        var replicaSets = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/replicasets")).Object["items"]!.AsArray();
        Assert.Equal(2, replicaSets.Count);
        Assert.Contains(replicaSets, r => r.Field("metadata.labels.pod-template-hash") == oldHash && r.Field("status.replicas") == "0");

        (await Client.DeleteJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web")).EnsureStatus(HttpStatusCode.OK);
        await WaitForPodsAsync(ns, "app=web", p => p.Count == 0, "garbage collection of the pods");
    }

    [Fact]
    public async Task A_deleted_pod_is_replaced()
    {
        var ns = await Sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", replicas: 2));
        var pods = await WaitForPodsAsync(ns, "app=web", p => p.Count == 2, "two pods");
        var victim = pods[0].Field("metadata.name");

        (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/pods/{victim}")).EnsureStatus(HttpStatusCode.OK);
        var replaced = await WaitForPodsAsync(ns, "app=web", p => p.Count == 2 && p.All(x => x.Field("metadata.name") != victim), "a replacement pod");
        Assert.Contains(replaced, p => p.Field("metadata.name") == pods[1].Field("metadata.name"));
    }

    [Fact]
    public async Task A_failing_deployment_has_pods_that_never_become_ready()
    {
        var ns = await Sim.NewNamespaceAsync();
        var body = Manifests.Deployment("broken", replicas: 2, annotations: new Dictionary<string, string> { [SimulatedControllers.FailAnnotation] = "true" });
        body["spec"]!["progressDeadlineSeconds"] = 60;
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", body);
        await WaitForPodsAsync(ns, "app=broken", p => p.Count == 2, "two pods");

        Clock.Advance(TimeSpan.FromSeconds(61));
        var crashing = await WaitForPodsAsync(ns, "app=broken", p => p.Count == 2 && p.All(x => Waiting(x) == "CrashLoopBackOff"), "the pods to crash-loop");
        Assert.All(crashing, p => Assert.Equal("False", Condition(p, "Ready")));
        Assert.All(crashing, p => Assert.Equal("false", p.Field("status.containerStatuses.0.ready")));
        var deployment = await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/deployments/broken", d => Condition(d, "Progressing") == "False", "the progress deadline to pass");
        Assert.Equal("False", Condition(deployment, "Available"));
        Assert.Null(deployment.Field("status.readyReplicas"));
    }

    [Fact]
    public async Task A_stateful_set_runs_ordinal_pods_and_a_daemon_set_one()
    {
        var ns = await Sim.NewNamespaceAsync();
        var sts = Manifests.Deployment("db", replicas: 2);
        sts["kind"] = "StatefulSet";
        sts["spec"]!["serviceName"] = "db";
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets", sts);
        var ds = Manifests.Deployment("agent");
        ds["kind"] = "DaemonSet";
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/daemonsets", ds);

        Clock.Advance(TimeSpan.FromSeconds(10));
        var pods = await WaitForPodsAsync(ns, "app=db", p => p.Count == 2 && p.All(RunningAndReady), "two ready stateful pods");
        Assert.Equal(["db-0", "db-1"], pods.Select(p => p.Field("metadata.name")).Order(StringComparer.Ordinal));
        Assert.All(pods, p => Assert.Equal("StatefulSet", p.Field("metadata.ownerReferences.0.kind")));
        Assert.All(pods, p => Assert.Equal("db", p.Field("spec.subdomain")));
        await WaitForAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets/db", s => s.Field("status.readyReplicas") == "2", "the stateful set to count two ready pods");
        var agent = Assert.Single(await WaitForPodsAsync(ns, "app=agent", p => p.Count == 1 && p.All(RunningAndReady), "the daemon set's pod"));
        Assert.Equal("DaemonSet", agent.Field("metadata.ownerReferences.0.kind"));

        await Client.PatchJsonAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets/db", JsonNode.Parse("""{"spec":{"replicas":1}}""")!);
        var left = await WaitForPodsAsync(ns, "app=db", p => p.Count == 1, "the highest ordinal to go");
        Assert.Equal("db-0", left[0].Field("metadata.name"));
    }

    [Fact]
    public async Task A_job_pod_succeeds_and_a_failing_job_pod_fails()
    {
        var ns = await Sim.NewNamespaceAsync();
        Sim.Host.Controllers.FailWhen(o => o.Field("metadata.name") == "doomed");
        foreach (var name in new[] { "ok", "doomed" })
        {
            var job = JsonNode.Parse("""{"apiVersion":"batch/v1","kind":"Job","metadata":{},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""")!;
            job["metadata"]!["name"] = name;
            (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", job)).EnsureStatus(HttpStatusCode.Created);
        }

        // While the Job runs, so does its Pod (kubectl get pods shows it Running, not Pending, for a long migration).
        var running = Assert.Single(await WaitForPodsAsync(ns, "job-name=ok", p => p.Count == 1 && p[0].Field("status.phase") == "Running", "the job's pod to run"));
        await WaitForAsync($"/apis/batch/v1/namespaces/{ns}/jobs/ok", j => j.Field("status.ready") == "1" && j.Field("status.active") == "1", "the job to count its running pod");
        Assert.Matches("^ok-[a-z0-9]{5}$", running.Field("metadata.name")!);
        Assert.Equal("Never", running.Field("spec.restartPolicy"));
        Assert.Equal("Job", running.Field("metadata.ownerReferences.0.kind"));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var done = Assert.Single(await WaitForPodsAsync(ns, "job-name=ok", p => p.Count == 1 && p[0].Field("status.phase") == "Succeeded", "the job's pod to succeed"));
        Assert.Equal("0", done.Field("status.containerStatuses.0.state.terminated.exitCode"));
        await WaitForAsync($"/apis/batch/v1/namespaces/{ns}/jobs/ok", j => Condition(j, "Complete") == "True", "the job to complete");
        var failed = Assert.Single(await WaitForPodsAsync(ns, "job-name=doomed", p => p.Count == 1 && p[0].Field("status.phase") == "Failed", "the failing job's pod to fail"));
        Assert.Equal("Error", failed.Field("status.containerStatuses.0.state.terminated.reason"));
        Sim.Host.Controllers.ClearFailures();
    }
}
