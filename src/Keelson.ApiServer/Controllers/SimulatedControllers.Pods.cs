using System.Text.Json.Nodes;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Controllers;

/// <summary>
/// The Pods of workloads. ReplicaSets, StatefulSets, DaemonSets and Jobs create and delete their Pods as
/// kube-controller-manager does, and report on them as the kubelet would, from the owner's reconcile: Pods become
/// Running and Ready when their workload becomes ready, or crash-loop when it is failing. So <c>kubectl get pods</c>
/// tells the same story as the workload's status, with no timer per Pod.
/// </summary>
public sealed partial class SimulatedControllers
{
    /// <summary>The one simulated node every Pod is scheduled to.</summary>
    public const string NodeName = "keelson-simulator-node";

    private const string RevisionLabel = "controller-revision-hash";

    // Upstream's burstReplicas: no more creations or deletions than this in one sync; the owner is requeued for the rest.
    private const int PodBurst = 500;

    private ResourceType PodType => _objects.Registry.Find("", "v1", "pods")!;

    /// <summary>The workload whose controller drives this Pod, when it is one of the kinds the simulator runs.</summary>
    private static ObjectKey? PodOwner(StoredObject pod)
    {
        foreach (var owner in pod.Owners)
        {
            if (!owner.Controller)
            {
                continue;
            }

            var slash = owner.ApiVersion.IndexOf('/', StringComparison.Ordinal);
            var group = slash < 0 ? "" : owner.ApiVersion[..slash];
            GroupResource? resource = (group, owner.Kind) switch
            {
                ("apps", "ReplicaSet") => ReplicaSetsResource,
                ("apps", "StatefulSet") => StatefulSetsResource,
                ("apps", "DaemonSet") => DaemonSetsResource,
                ("batch", "Job") => JobsResource,
                _ => null,
            };
            if (resource is { } r)
            {
                return new ObjectKey(r, pod.Namespace, owner.Name);
            }
        }

        return null;
    }

    /// <summary>The Pods the owner controls that are not being deleted.</summary>
    private List<StoredObject> OwnedPods(StoredObject owner) =>
        [.. _objects.Store.Dependents(owner.Uid)
            .Where(k => k.Resource == PodsResource)
            .Select(k => _objects.Store.Get(k.Resource, k.Namespace, k.Name))
            .OfType<StoredObject>()
            .Where(p => !p.Terminating && p.Owners.Any(o => o.Uid == owner.Uid && o.Controller))
            .OrderBy(p => p.ChangedAt)
            .ThenBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>What a workload wants of its Pods.</summary>
    /// <param name="Count">How many Pods with generated names (<c>&lt;owner&gt;-xxxxx</c>); ignored when <paramref name="Names"/> is set.</param>
    /// <param name="Names">Fixed Pod names (a StatefulSet's ordinals).</param>
    /// <param name="Revision">When set, Pods labelled with another <c>controller-revision-hash</c> are replaced.</param>
    /// <param name="Labels">Labels added to the template's, per Pod name (null for a generated name).</param>
    private sealed record PodPlan(
        ObjectKey Key, StoredObject Owner, string ApiVersion, string Kind, JsonObject? Template, int Count,
        IReadOnlyList<string>? Names = null, string? Revision = null, Func<string?, IEnumerable<KeyValuePair<string, string>>>? Labels = null,
        Action<JsonObject, string?>? Spec = null);

    /// <summary>
    /// Brings the owner's Pods to its plan: replaces those of another revision, deletes surplus ones (not ready first, then
    /// newest) and creates missing ones, at most <see cref="PodBurst"/> changes at a time. Returns the live Pods.
    /// </summary>
    private List<StoredObject> SyncPods(PodPlan plan)
    {
        var podType = PodType;
        var budget = PodBurst;
        var keep = new List<StoredObject>();
        foreach (var pod in OwnedPods(plan.Owner))
        {
            var stale = (plan.Revision is not null && pod.Labels.GetValueOrDefault(RevisionLabel) != plan.Revision)
                || (plan.Names is not null && !plan.Names.Contains(pod.Name));
            if (stale && budget > 0)
            {
                DeletePod(podType, pod);
                budget--;
            }
            else
            {
                keep.Add(pod);
            }
        }

        if (plan.Names is null && keep.Count > plan.Count)
        {
            var surplus = keep.OrderBy(p => IsReady(p) ? 1 : 0).ThenByDescending(p => p.ChangedAt).Take(Math.Min(keep.Count - plan.Count, budget)).ToList();
            foreach (var pod in surplus)
            {
                DeletePod(podType, pod);
                keep.Remove(pod);
                budget--;
            }
        }

        var missing = plan.Names is { } names
            ? names.Where(n => !keep.Any(p => p.Name == n)).Select(n => (string?)n).ToList()
            : Enumerable.Repeat<string?>(null, Math.Max(0, plan.Count - keep.Count)).ToList();
        foreach (var name in missing)
        {
            if (budget == 0)
            {
                break;
            }

            budget--;
            try
            {
                var created = _objects.Create(podType, plan.Owner.Namespace, NewPod(plan, name), new WriteOptions { FieldManager = Manager, Validation = FieldValidation.Ignore });
                if (created.Stored is { } stored)
                {
                    keep.Add(stored);
                }
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
                // A generated name taken, or a Pod of that name still going away: its deletion requeues the owner.
                if (name is null)
                {
                    Enqueue(plan.Key);
                }
            }
            catch (ApiException ex) when (ex.Code is 403 or 404)
            {
                // The namespace is going away.
                return keep;
            }
        }

        if (budget == 0)
        {
            Enqueue(plan.Key);
        }

        return keep;
    }

    private static bool IsReady(StoredObject pod) =>
        pod.Object.Obj("status").Arr("conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True");

    private void DeletePod(ResourceType podType, StoredObject pod)
    {
        try
        {
            _objects.Delete(podType, pod.Namespace, pod.Name, new DeleteOptions { PropagationPolicy = "Background", PreconditionUid = pod.Uid });
        }
        catch (ApiException ex) when (ex.Code is 404 or 409)
        {
            // Already gone, or replaced by a Pod of the same name.
        }
    }

    private static JsonObject NewPod(PodPlan plan, string? name)
    {
        var templateMeta = plan.Template?.Obj("metadata");
        var meta = new JsonObject();
        if (name is null)
        {
            meta["generateName"] = plan.Owner.Name + "-";
        }
        else
        {
            meta["name"] = name;
        }

        meta["namespace"] = plan.Owner.Namespace;
        var labels = (JsonObject?)templateMeta?.Obj("labels")?.DeepClone() ?? [];
        foreach (var (key, value) in plan.Labels?.Invoke(name) ?? [])
        {
            labels[key] = value;
        }

        if (plan.Revision is not null)
        {
            labels[RevisionLabel] = plan.Revision;
        }

        if (labels.Count > 0)
        {
            meta["labels"] = labels;
        }

        if (templateMeta?.Obj("annotations") is { Count: > 0 } annotations)
        {
            meta["annotations"] = annotations.DeepClone();
        }

        meta["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = plan.ApiVersion,
            ["kind"] = plan.Kind,
            ["name"] = plan.Owner.Name,
            ["uid"] = plan.Owner.Uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var spec = (JsonObject?)plan.Template?.Obj("spec")?.DeepClone() ?? [];
        plan.Spec?.Invoke(spec, name);
        spec["nodeName"] = NodeName;
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = meta, ["spec"] = spec };
    }

    /// <summary>
    /// Reports on running Pods as the kubelet would; returns how many are ready and when the next one changes. Pods turn
    /// ready at <paramref name="readyAt"/>, the moment their workload does; a ready Pod stays ready through later changes
    /// of its workload (a scale-up only waits for the new Pods) unless the workload is failing.
    /// </summary>
    private (int Ready, DateTimeOffset? Next) DrivePods(ObjectKey ownerKey, List<StoredObject> pods, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var podType = PodType;
        var ready = 0;
        DateTimeOffset? next = null;
        foreach (var pod in pods)
        {
            if (!failing && IsReady(pod))
            {
                ready++;
                continue;
            }

            if (!TryWriteStatus(ownerKey, podType, pod, RunningPodStatus(pod.Object, pod.Object.Obj("status"), pod.Uid, now, readyAt, failing)))
            {
                continue;
            }

            if (!failing && now >= readyAt)
            {
                ready++;
            }
            else if (now < readyAt)
            {
                next = readyAt;
            }
        }

        return (ready, next);
    }

    /// <summary>Ends the Pods of a finished Job: Succeeded, or Failed when the Job failed.</summary>
    private void FinishPods(ObjectKey ownerKey, List<StoredObject> pods, DateTimeOffset now, bool failing)
    {
        var podType = PodType;
        foreach (var pod in pods.Where(p => p.Object.Obj("status").Str("phase") is not ("Succeeded" or "Failed")))
        {
            TryWriteStatus(ownerKey, podType, pod, CompletedPodStatus(pod.Object, pod.Object.Obj("status"), pod.Uid, now, failing));
        }
    }

    private bool TryWriteStatus(ObjectKey ownerKey, ResourceType podType, StoredObject pod, JsonObject status)
    {
        try
        {
            WriteStatus(podType, pod, status);
            return true;
        }
        catch (ApiException ex) when (ex.Code is 404 or 409)
        {
            // Changed or deleted by someone else meanwhile: look again.
            Enqueue(ownerKey);
            return false;
        }
    }
}
