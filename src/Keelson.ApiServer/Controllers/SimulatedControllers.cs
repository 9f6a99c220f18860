using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;
using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Controllers;

/// <summary>
/// Stand-ins for the controllers and kubelets of a real cluster, so workload health can be observed without nodes:
/// Deployments (with owned ReplicaSets), ReplicaSets, StatefulSets, DaemonSets and Pods become ready
/// <see cref="ReadyDelay"/> after each change, Jobs complete, PVCs bind and LoadBalancer Services get an address.
/// Each is switchable. They run on the cluster's <see cref="TimeProvider"/> (a fake clock makes them deterministic)
/// and write status through the same path as clients, as manager <c>kube-controller-manager</c>.
/// A workload annotated <c>simulator.keelson.dev/fail: "true"</c>, or matched by <see cref="FailWhen"/>, never becomes
/// ready: a Deployment then reports ProgressDeadlineExceeded after its progressDeadlineSeconds, a Job fails. A finished
/// Job with <c>ttlSecondsAfterFinished</c> is deleted once that time has passed, as the TTL controller does.
/// </summary>
public sealed partial class SimulatedControllers : IAsyncDisposable
{
    public const string FailAnnotation = "simulator.keelson.dev/fail";
    internal const string Manager = "kube-controller-manager";

    private static readonly GroupResource Deployments = new("apps", "deployments");
    private static readonly GroupResource ReplicaSetsResource = new("apps", "replicasets");
    private static readonly GroupResource StatefulSetsResource = new("apps", "statefulsets");
    private static readonly GroupResource DaemonSetsResource = new("apps", "daemonsets");
    private static readonly GroupResource JobsResource = new("batch", "jobs");
    private static readonly GroupResource ClaimsResource = new("", "persistentvolumeclaims");
    private static readonly GroupResource ServicesResource = new("", "services");
    private static readonly GroupResource PodsResource = new("", "pods");

    private readonly ObjectService _objects;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<ObjectKey> _queue = Channel.CreateUnbounded<ObjectKey>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ObjectKey, byte> _pending = new();
    private readonly ConcurrentDictionary<ObjectKey, ITimer> _timers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private List<Func<JsonObject, bool>> _failures = [];
    private Subscription? _subscription;
    private Task _feed = Task.CompletedTask;
    private Task _worker = Task.CompletedTask;
    private long _reconciled;

    internal SimulatedControllers(ObjectService objects, TimeProvider time, TimeSpan readyDelay, ILogger logger)
    {
        _objects = objects;
        _time = time;
        ReadyDelay = readyDelay;
        _logger = logger;
    }

    /// <summary>How long after a change a workload becomes ready (measured on the cluster's clock).</summary>
    public TimeSpan ReadyDelay { get; set; }

    public bool DeploymentsEnabled { get; set; } = true;

    public bool ReplicaSetsEnabled { get; set; } = true;

    public bool StatefulSetsEnabled { get; set; } = true;

    public bool DaemonSetsEnabled { get; set; } = true;

    public bool JobsEnabled { get; set; } = true;

    public bool PersistentVolumeClaimsEnabled { get; set; } = true;

    public bool LoadBalancersEnabled { get; set; } = true;

    public bool PodsEnabled { get; set; } = true;

    /// <summary>Whether the controllers were started (<see cref="ApiServerOptions.EnableControllers"/>).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Objects reconciled so far (a progress counter for tests).</summary>
    public long Reconciled => Interlocked.Read(ref _reconciled);

    /// <summary>Makes matching workloads fail instead of becoming ready (evaluated on each reconcile).</summary>
    public void FailWhen(Func<JsonObject, bool> predicate)
    {
        lock (_gate)
        {
            _failures = [.. _failures, predicate];
        }

        RequeueAll();
    }

    public void ClearFailures()
    {
        lock (_gate)
        {
            _failures = [];
        }

        RequeueAll();
    }

    internal void Start()
    {
        IsRunning = true;
        _subscription = _objects.Store.Subscribe();
        _feed = Task.Run(() => FeedAsync(_subscription, _stop.Token));
        _worker = Task.Run(() => WorkAsync(_stop.Token));
        RequeueAll();
    }

    private void RequeueAll()
    {
        if (!IsRunning)
        {
            return;
        }

        foreach (var resource in new[] { Deployments, ReplicaSetsResource, StatefulSetsResource, DaemonSetsResource, JobsResource, ClaimsResource, ServicesResource, PodsResource })
        {
            foreach (var obj in _objects.Store.Snapshot(resource, out _).Enumerate(null))
            {
                Enqueue(new ObjectKey(resource, obj.Namespace, obj.Name));
            }
        }
    }

    private async Task FeedAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                if (IsWatched(e.Resource))
                {
                    Enqueue(new ObjectKey(e.Resource, e.Object.Namespace, e.Object.Name));
                }

                // A ReplicaSet changing can move its Deployment's revision bookkeeping along.
                if (e.Resource == ReplicaSetsResource && e.Object.Owners.FirstOrDefault(o => o.Controller && o.Kind == "Deployment") is { } owner)
                {
                    Enqueue(new ObjectKey(Deployments, e.Object.Namespace, owner.Name));
                }

                // A workload replaces a Pod someone deleted.
                if (e.Resource == PodsResource && e.Type == StoreEventType.Deleted && PodOwner(e.Object) is { } podOwner)
                {
                    Enqueue(podOwner);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool IsWatched(GroupResource r) =>
        r == Deployments || r == ReplicaSetsResource || r == StatefulSetsResource || r == DaemonSetsResource ||
        r == JobsResource || r == ClaimsResource || r == ServicesResource || r == PodsResource;

    private void Enqueue(ObjectKey key)
    {
        if (_pending.TryAdd(key, 0))
        {
            _queue.Writer.TryWrite(key);
        }
    }

    private void Schedule(ObjectKey key, DateTimeOffset at)
    {
        var delay = at - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(key);
            return;
        }

        var timer = _time.CreateTimer(_ => Enqueue(key), null, delay, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(key, out var previous))
        {
            previous.Dispose();
        }

        _timers[key] = timer;
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var key in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                _pending.TryRemove(key, out _);
                try
                {
                    Reconcile(key);
                }
                catch (ApiException ex) when (ex.Code is 409 or 404)
                {
                    // Raced with a client; the resulting event brings the key back.
                    if (ex.Code == 409)
                    {
                        Enqueue(key);
                    }
                }
                catch (ApiException ex)
                {
                    LogReconcileFailed(_logger, key.Resource.ToString(), key.Namespace, key.Name, ex.Message);
                }

                Interlocked.Increment(ref _reconciled);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Reconcile(ObjectKey key)
    {
        var type = _objects.Registry.Storage(key.Resource);
        var stored = _objects.Store.Get(key.Resource, key.Namespace, key.Name);
        if (type is null || stored is null || stored.Terminating)
        {
            if (_timers.TryRemove(key, out var timer))
            {
                timer.Dispose();
            }

            return;
        }

        var now = _time.GetUtcNow();
        var readyAt = stored.ChangedAt + ReadyDelay;
        var failing = IsFailing(stored.Object) || OwnerFailing(stored);
        DateTimeOffset? next = key.Resource switch
        {
            _ when key.Resource == Deployments && DeploymentsEnabled => ReconcileDeployment(type, stored, now, readyAt, failing),
            _ when key.Resource == ReplicaSetsResource && ReplicaSetsEnabled => ReconcileReplicaSet(type, stored, now, readyAt, failing),
            _ when key.Resource == StatefulSetsResource && StatefulSetsEnabled => ReconcileStatefulSet(type, stored, now, readyAt, failing),
            _ when key.Resource == DaemonSetsResource && DaemonSetsEnabled => ReconcileDaemonSet(type, stored, now, readyAt, failing),
            _ when key.Resource == JobsResource && JobsEnabled => ReconcileJob(type, stored, now, readyAt, failing),
            _ when key.Resource == ClaimsResource && PersistentVolumeClaimsEnabled => ReconcileClaim(type, stored, now, readyAt),
            _ when key.Resource == ServicesResource && LoadBalancersEnabled => ReconcileLoadBalancer(type, stored, now, readyAt),
            _ when key.Resource == PodsResource && PodsEnabled => ReconcilePod(type, stored, now, readyAt, failing),
            _ => null,
        };
        if (next is { } at)
        {
            Schedule(key, at);
        }
    }

    private bool IsFailing(JsonObject obj)
    {
        if (obj.Obj("metadata")?.Obj("annotations").Str(FailAnnotation) == "true")
        {
            return true;
        }

        var predicates = Volatile.Read(ref _failures);
        return predicates.Any(p => p(obj));
    }

    private bool OwnerFailing(StoredObject stored)
    {
        foreach (var owner in stored.Owners.Where(o => o.Controller))
        {
            if (_objects.Store.GetByUid(owner.Uid) is { } parent && (IsFailing(parent.Object) || OwnerFailing(parent)))
            {
                return true;
            }
        }

        return false;
    }

    // ------------------------------------------------------------ writing

    /// <summary>Writes a new status when it differs, as the controller manager's status update.</summary>
    private void WriteStatus(ResourceType type, StoredObject stored, JsonObject status)
    {
        if (JsonNode.DeepEquals(stored.Object["status"], status))
        {
            return;
        }

        var desired = (JsonObject)stored.Object.DeepClone();
        desired["status"] = status;
        _objects.Update(type, stored.Namespace, stored.Name, desired, new WriteOptions { FieldManager = Manager, Subresource = "status", Validation = FieldValidation.Ignore });
    }

    private void WriteMain(ResourceType type, StoredObject stored, JsonObject desired) =>
        _objects.Update(type, stored.Namespace, stored.Name, desired, new WriteOptions { FieldManager = Manager, Validation = FieldValidation.Ignore });

    private static JsonObject Condition(JsonObject? previousStatus, string type, string status, string reason, string message, DateTimeOffset now, bool withUpdateTime)
    {
        var previous = previousStatus.Arr("conditions").Objects().FirstOrDefault(c => c.Str("type") == type);
        var stamp = JsonHelpers.Rfc3339(now);
        var transition = previous is not null && previous.Str("status") == status ? previous.Str("lastTransitionTime") ?? stamp : stamp;
        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        if (withUpdateTime)
        {
            var unchanged = previous is not null && previous.Str("status") == status && previous.Str("reason") == reason && previous.Str("message") == message;
            condition["lastUpdateTime"] = unchanged ? previous!.Str("lastUpdateTime") ?? stamp : stamp;
        }

        condition["lastTransitionTime"] = transition;
        condition["reason"] = reason;
        condition["message"] = message;
        return condition;
    }

    private static long Generation(StoredObject stored) => stored.Generation;

    // ------------------------------------------------------------ deployments

    private DateTimeOffset? ReconcileDeployment(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var deploy = stored.Object;
        var spec = deploy.Obj("spec") ?? [];
        var replicas = spec.Int("replicas") ?? 1;
        var hash = TemplateHash(spec.Obj("template"));
        var rsName = $"{stored.Name}-{hash}";
        var revision = EnsureReplicaSets(stored, rsName, hash, replicas);
        if (revision is not null && deploy.Obj("metadata")?.Obj("annotations").Str("deployment.kubernetes.io/revision") != revision)
        {
            var desired = (JsonObject)deploy.DeepClone();
            desired.Ensure("metadata").Ensure("annotations")["deployment.kubernetes.io/revision"] = revision;
            WriteMain(type, stored, desired);
            return null;
        }

        var deadline = stored.ChangedAt + TimeSpan.FromSeconds(spec.Int("progressDeadlineSeconds") ?? 600);
        var previous = deploy.Obj("status");
        var wasAvailable = previous.Arr("conditions").Objects().Any(c => c.Str("type") == "Available" && c.Str("status") == "True");

        // Available only once the new ReplicaSet's Pods are ready, so kubectl never sees a ready Deployment without them;
        // the ReplicaSet's status change brings the Deployment back here.
        var podsReady = !ReplicaSetsEnabled || replicas == 0 || _objects.Store.Get(ReplicaSetsResource, stored.Namespace, rsName) is not { } current
            || (current.Object.Obj("status").Int("readyReplicas") >= replicas && current.Object.Obj("status").Int("observedGeneration") >= current.Generation);
        var waitingForPods = !failing && now >= readyAt && !podsReady;
        var ready = replicas == 0 || (!failing && now >= readyAt && podsReady);
        var timedOut = !ready && failing && now >= deadline;
        var status = new JsonObject { ["observedGeneration"] = Generation(stored) };
        if (replicas > 0 && (ready || !ReplicaSetsEnabled))
        {
            status["replicas"] = replicas;
            status["updatedReplicas"] = replicas;
            if (ready || wasAvailable)
            {
                status["readyReplicas"] = replicas;
                status["availableReplicas"] = replicas;
            }

            if (!ready)
            {
                status["unavailableReplicas"] = replicas;
            }
        }
        else if (replicas > 0)
        {
            // Mid-rollout the counts are those of its ReplicaSets' Pods, as the real controller reports them, so
            // `kubectl rollout status` after a scale-up or an image change waits for the new Pods and the old ones to go.
            var pods = CountPods(stored, rsName);
            SetCount(status, "replicas", pods.Total);
            SetCount(status, "updatedReplicas", pods.Updated);
            SetCount(status, "readyReplicas", pods.Ready);
            SetCount(status, "availableReplicas", pods.Available);
            SetCount(status, "unavailableReplicas", Math.Max(replicas - pods.Available, 0));
        }

        var available = ready || wasAvailable;
        var conditions = new JsonArray
        {
            available
                ? Condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, true)
                : Condition(previous, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, true),
            ready
                ? Condition(previous, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", now, true)
                : timedOut
                    ? Condition(previous, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", now, true)
                    : Condition(previous, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", now, true),
        };
        status["conditions"] = conditions;
        WriteStatus(type, stored, status);
        if (ready || timedOut || waitingForPods)
        {
            return null;
        }

        return failing ? deadline : readyAt;
    }

    private sealed record PodCounts(long Total, long Updated, long Ready, long Available);

    /// <summary>A Deployment's Pods as its ReplicaSets' status reports them; updated ones are those of <paramref name="rsName"/>.</summary>
    private PodCounts CountPods(StoredObject deployment, string rsName)
    {
        long total = 0, updated = 0, ready = 0, available = 0;
        foreach (var rs in OwnedReplicaSets(deployment))
        {
            var status = rs.Object.Obj("status");
            var count = status.Int("replicas") ?? 0;
            total += count;
            updated += rs.Name == rsName ? count : 0;
            ready += status.Int("readyReplicas") ?? 0;
            available += status.Int("availableReplicas") ?? 0;
        }

        return new PodCounts(total, updated, ready, available);
    }

    /// <summary>Counts are omitted when zero, as the API's <c>omitempty</c> fields are.</summary>
    private static void SetCount(JsonObject status, string field, long count)
    {
        if (count > 0)
        {
            status[field] = count;
        }
    }

    /// <summary>The ReplicaSets a Deployment controls.</summary>
    private List<StoredObject> OwnedReplicaSets(StoredObject deployment) =>
        [.. _objects.Store.Dependents(deployment.Uid)
            .Where(k => k.Resource == ReplicaSetsResource)
            .Select(k => _objects.Store.Get(k.Resource, k.Namespace, k.Name))
            .OfType<StoredObject>()
            .Where(rs => rs.Owners.Any(o => o.Uid == deployment.Uid && o.Controller))];

    /// <summary>Creates or scales the current ReplicaSet, scales older ones to zero; returns the current revision.</summary>
    private string? EnsureReplicaSets(StoredObject deployment, string rsName, string hash, long replicas)
    {
        var rsType = _objects.Registry.Find("apps", "v1", "replicasets")!;
        var owned = OwnedReplicaSets(deployment);
        var revisions = owned.Select(rs => long.TryParse(rs.Object.Obj("metadata")?.Obj("annotations").Str("deployment.kubernetes.io/revision"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0).ToList();
        var current = owned.FirstOrDefault(rs => rs.Name == rsName);
        foreach (var old in owned.Where(rs => rs.Name != rsName && !rs.Terminating))
        {
            if (old.Object.Obj("spec").Int("replicas") != 0)
            {
                var scaled = (JsonObject)old.Object.DeepClone();
                scaled.Ensure("spec")["replicas"] = 0;
                WriteMain(rsType, old, scaled);
            }
        }

        var deploy = deployment.Object;
        if (current is null)
        {
            var revision = (revisions.Count == 0 ? 0 : revisions.Max()) + 1;
            var template = (JsonObject)(deploy.Obj("spec")?.Obj("template")?.DeepClone() ?? new JsonObject());
            template.Ensure("metadata").Ensure("labels")["pod-template-hash"] = hash;
            var selector = (JsonObject)(deploy.Obj("spec")?.Obj("selector")?.DeepClone() ?? new JsonObject());
            selector.Ensure("matchLabels")["pod-template-hash"] = hash;
            var annotations = new JsonObject();
            foreach (var (k, v) in deploy.Obj("metadata")?.Obj("annotations") ?? [])
            {
                if (k is not ("kubectl.kubernetes.io/last-applied-configuration" or "deployment.kubernetes.io/revision"))
                {
                    annotations[k] = v?.DeepClone();
                }
            }

            annotations["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(CultureInfo.InvariantCulture);
            annotations["deployment.kubernetes.io/max-replicas"] = (replicas + (long)Math.Ceiling(replicas * 0.25)).ToString(CultureInfo.InvariantCulture);
            annotations["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture);
            var rs = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = rsName,
                    ["namespace"] = deployment.Namespace,
                    ["labels"] = template.Obj("metadata")?.Obj("labels")?.DeepClone(),
                    ["annotations"] = annotations,
                    ["ownerReferences"] = new JsonArray(new JsonObject
                    {
                        ["apiVersion"] = "apps/v1",
                        ["kind"] = "Deployment",
                        ["name"] = deployment.Name,
                        ["uid"] = deployment.Uid,
                        ["controller"] = true,
                        ["blockOwnerDeletion"] = true,
                    }),
                },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = replicas,
                    ["selector"] = selector,
                    ["template"] = template,
                },
            };
            if (deploy.Obj("spec")?["minReadySeconds"] is { } minReady)
            {
                rs.Obj("spec")!["minReadySeconds"] = minReady.DeepClone();
            }

            try
            {
                _objects.Create(rsType, deployment.Namespace, rs, new WriteOptions { FieldManager = Manager, Validation = FieldValidation.Ignore });
            }
            catch (ApiException ex) when (ex.Code is 409 or 403 or 404)
            {
                return null;
            }

            return revision.ToString(CultureInfo.InvariantCulture);
        }

        if (current.Object.Obj("spec").Int("replicas") != replicas)
        {
            var scaled = (JsonObject)current.Object.DeepClone();
            scaled.Ensure("spec")["replicas"] = replicas;
            scaled.Ensure("metadata").Ensure("annotations")["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(CultureInfo.InvariantCulture);
            WriteMain(rsType, current, scaled);
        }

        return current.Object.Obj("metadata")?.Obj("annotations").Str("deployment.kubernetes.io/revision");
    }

    /// <summary>The pod-template-hash: FNV-1a of the template, encoded with Kubernetes' safe alphabet.</summary>
    internal static string TemplateHash(JsonObject? template)
    {
        var bytes = template is null ? [] : StoredObject.Serialize(template);
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 16777619u;
        }

        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Concat(digits.Select(c => alphabet[c % alphabet.Length]));
    }

    // ------------------------------------------------------------ replica sets, stateful sets, daemon sets

    private DateTimeOffset? ReconcileReplicaSet(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var spec = stored.Object.Obj("spec") ?? [];
        var replicas = spec.Int("replicas") ?? 1;
        var key = new ObjectKey(ReplicaSetsResource, stored.Namespace, stored.Name);
        var pods = SyncPods(new PodPlan(key, stored, "apps/v1", "ReplicaSet", spec.Obj("template"), (int)replicas));

        // A Deployment's ReplicaSet may be created or scaled a moment after the change that asked for it: its Pods keep
        // the Deployment's time, so both turn ready together.
        if (stored.Owners.FirstOrDefault(o => o.Controller && o.Kind == "Deployment") is { } owner
            && _objects.Store.GetByUid(owner.Uid) is { } deployment && deployment.ChangedAt + ReadyDelay < readyAt)
        {
            readyAt = deployment.ChangedAt + ReadyDelay;
        }

        var (ready, next) = DrivePods(key, pods, now, readyAt, failing);
        var status = new JsonObject { ["replicas"] = pods.Count };
        if (pods.Count > 0)
        {
            status["fullyLabeledReplicas"] = pods.Count;
            if (ready > 0)
            {
                status["readyReplicas"] = ready;
                status["availableReplicas"] = ready;
            }
        }

        status["observedGeneration"] = Generation(stored);
        WriteStatus(type, stored, status);
        return next;
    }

    private DateTimeOffset? ReconcileStatefulSet(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var spec = stored.Object.Obj("spec") ?? [];
        var replicas = spec.Int("replicas") ?? 1;
        var revision = $"{stored.Name}-{TemplateHash(spec.Obj("template"))}";
        var key = new ObjectKey(StatefulSetsResource, stored.Namespace, stored.Name);
        var names = Enumerable.Range(0, (int)Math.Max(0, replicas)).Select(i => $"{stored.Name}-{i}").ToList();
        var pods = SyncPods(new PodPlan(key, stored, "apps/v1", "StatefulSet", spec.Obj("template"), names.Count, names, revision,
            name => [
                new("apps.kubernetes.io/pod-index", name![(stored.Name.Length + 1)..]),
                new("statefulset.kubernetes.io/pod-name", name),
            ],
            (podSpec, name) =>
            {
                podSpec["hostname"] = name;
                if (spec.Str("serviceName") is { Length: > 0 } service)
                {
                    podSpec["subdomain"] = service;
                }
            }));
        var (ready, next) = DrivePods(key, pods, now, readyAt, failing);
        var status = new JsonObject
        {
            ["availableReplicas"] = ready,
            ["collisionCount"] = 0,
            ["currentReplicas"] = pods.Count,
            ["currentRevision"] = revision,
            ["observedGeneration"] = Generation(stored),
        };
        if (ready > 0)
        {
            status["readyReplicas"] = ready;
        }

        status["replicas"] = pods.Count;
        status["updateRevision"] = revision;
        status["updatedReplicas"] = pods.Count;
        WriteStatus(type, stored, status);
        return next;
    }

    private DateTimeOffset? ReconcileDaemonSet(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        // One simulated node, so one Pod.
        var spec = stored.Object.Obj("spec") ?? [];
        var key = new ObjectKey(DaemonSetsResource, stored.Namespace, stored.Name);
        var revision = TemplateHash(spec.Obj("template"));
        var pods = SyncPods(new PodPlan(key, stored, "apps/v1", "DaemonSet", spec.Obj("template"), 1, Revision: revision));
        var (ready, next) = DrivePods(key, pods, now, readyAt, failing);
        var status = new JsonObject
        {
            ["currentNumberScheduled"] = pods.Count,
            ["desiredNumberScheduled"] = 1,
            ["numberMisscheduled"] = 0,
            ["numberReady"] = ready,
            ["observedGeneration"] = Generation(stored),
            ["updatedNumberScheduled"] = pods.Count,
        };
        if (ready > 0)
        {
            status["numberAvailable"] = ready;
        }

        if (ready < 1)
        {
            status["numberUnavailable"] = 1 - ready;
        }

        WriteStatus(type, stored, status);
        return next;
    }

    // ------------------------------------------------------------ jobs

    private DateTimeOffset? ReconcileJob(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var job = stored.Object;
        var spec = job.Obj("spec") ?? [];
        var previous = job.Obj("status");
        if (previous.Arr("conditions").Objects().FirstOrDefault(c => c.Str("type") is "Complete" or "Failed" && c.Str("status") == "True") is { } end)
        {
            return ExpireJob(type, stored, spec, end, now);
        }

        var created = JsonHelpers.ParseTime(job.Obj("metadata").Str("creationTimestamp")) ?? now;
        var start = previous.Str("startTime") ?? JsonHelpers.Rfc3339(created);
        var key = new ObjectKey(JobsResource, stored.Namespace, stored.Name);
        PodPlan Plan(long count) => new(key, stored, "batch/v1", "Job", spec.Obj("template"), (int)Math.Max(0, count));
        if (spec.Bool("suspend") == true)
        {
            // A suspended Job's running Pods are removed, as upstream does.
            SyncPods(Plan(0));
            WriteStatus(type, stored, new JsonObject
            {
                ["conditions"] = new JsonArray(Condition(previous, "Suspended", "True", "JobSuspended", "Job suspended", now, true)),
            });
            return null;
        }

        var completions = spec.Int("completions") ?? 1;
        var parallelism = spec.Int("parallelism") ?? 1;
        var status = new JsonObject();
        if (now < readyAt)
        {
            // A Job's containers run from the start and it ends at its ready time; a failing one never gets them up.
            var running = SyncPods(Plan(Math.Min(parallelism, completions)));
            var (ready, _) = DrivePods(key, running, now, failing ? readyAt : now, failing);
            status["active"] = running.Count;
            status["ready"] = ready;
            status["startTime"] = start;
            status["terminating"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            WriteStatus(type, stored, status);
            return readyAt;
        }

        // The Job's outcome is decided here, at its ready time; its Pods end with it (one per completion when it succeeds).
        var pods = SyncPods(Plan(failing ? Math.Min(parallelism, completions) : completions));
        FinishPods(key, pods, now, failing);
        if (failing)
        {
            var message = "Job has reached the specified backoff limit";
            status["conditions"] = new JsonArray(
                Condition(previous, "FailureTarget", "True", "BackoffLimitExceeded", message, now, true),
                Condition(previous, "Failed", "True", "BackoffLimitExceeded", message, now, true));
            status["failed"] = (spec.Int("backoffLimit") ?? 6) + 1;
        }
        else
        {
            const string message = "Reached expected number of succeeded pods";
            status["completionTime"] = JsonHelpers.Rfc3339(readyAt);
            status["conditions"] = new JsonArray(
                Condition(previous, "SuccessCriteriaMet", "True", "CompletionsReached", message, now, true),
                Condition(previous, "Complete", "True", "CompletionsReached", message, now, true));
        }

        status["ready"] = 0;
        status["startTime"] = start;
        if (!failing)
        {
            status["succeeded"] = completions;
        }

        status["terminating"] = 0;
        status["uncountedTerminatedPods"] = new JsonObject();
        WriteStatus(type, stored, status);
        return null;
    }

    /// <summary>
    /// The TTL-after-finished controller: a finished Job with <c>spec.ttlSecondsAfterFinished</c> is deleted (in the
    /// background, as upstream) that many seconds after its Complete or Failed condition turned True.
    /// </summary>
    private DateTimeOffset? ExpireJob(ResourceType type, StoredObject stored, JsonObject spec, JsonObject end, DateTimeOffset now)
    {
        if (spec.Int("ttlSecondsAfterFinished") is not { } ttl)
        {
            return null;
        }

        var expires = (JsonHelpers.ParseTime(end.Str("lastTransitionTime")) ?? now) + TimeSpan.FromSeconds(ttl);
        if (now < expires)
        {
            return expires;
        }

        _objects.Delete(type, stored.Namespace, stored.Name, new DeleteOptions { PropagationPolicy = "Background", PreconditionUid = stored.Uid });
        return null;
    }

    // ------------------------------------------------------------ claims, load balancers, pods

    private DateTimeOffset? ReconcileClaim(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt)
    {
        var claim = stored.Object;
        if (claim.Obj("status").Str("phase") == "Bound")
        {
            return null;
        }

        if (now < readyAt)
        {
            return readyAt;
        }

        var spec = claim.Obj("spec") ?? [];
        if (spec.Str("volumeName") is not { Length: > 0 })
        {
            var desired = (JsonObject)claim.DeepClone();
            desired.Ensure("spec")["volumeName"] = $"pvc-{stored.Uid}";
            var annotations = desired.Ensure("metadata").Ensure("annotations");
            annotations["pv.kubernetes.io/bind-completed"] = "yes";
            annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
            var provisioner = spec.Str("storageClassName") is { } className
                ? _objects.Store.Get(new GroupResource("storage.k8s.io", "storageclasses"), "", className)?.Object.Str("provisioner")
                : null;
            if (provisioner is not null)
            {
                annotations["volume.beta.kubernetes.io/storage-provisioner"] = provisioner;
                annotations["volume.kubernetes.io/storage-provisioner"] = provisioner;
            }

            WriteMain(type, stored, desired);
            return null;
        }

        WriteStatus(type, stored, new JsonObject
        {
            ["accessModes"] = spec["accessModes"]?.DeepClone(),
            ["capacity"] = new JsonObject { ["storage"] = spec.Obj("resources")?.Obj("requests")?["storage"]?.DeepClone() },
            ["phase"] = "Bound",
        });
        return null;
    }

    private DateTimeOffset? ReconcileLoadBalancer(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt)
    {
        var service = stored.Object;
        if (service.Obj("spec").Str("type") != "LoadBalancer" || service.Obj("status")?.Obj("loadBalancer").Arr("ingress") is { Count: > 0 })
        {
            return null;
        }

        if (now < readyAt)
        {
            return readyAt;
        }

        var octet = 200 + (int)(FnvOf(stored.Uid) % 50);
        WriteStatus(type, stored, new JsonObject
        {
            ["loadBalancer"] = new JsonObject
            {
                ["ingress"] = new JsonArray(new JsonObject { ["ip"] = $"172.18.255.{octet}", ["ipMode"] = "VIP" }),
            },
        });
        return null;
    }

    private DateTimeOffset? ReconcilePod(ResourceType type, StoredObject stored, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var pod = stored.Object;
        var spec = pod.Obj("spec") ?? [];
        var previous = pod.Obj("status");
        if (previous.Str("phase") is "Succeeded" or "Failed" || PodOwner(stored) is not null)
        {
            // A workload's Pod is driven by its owner's controller, on the owner's schedule.
            return null;
        }

        if (spec.Str("nodeName") is not { Length: > 0 })
        {
            var desired = (JsonObject)pod.DeepClone();
            desired.Ensure("spec")["nodeName"] = NodeName;
            _objects.Update(type, stored.Namespace, stored.Name, desired, new WriteOptions { FieldManager = Manager, Subresource = ObjectService.Binding, Validation = FieldValidation.Ignore });
            return null;
        }

        if (RunsToCompletion(pod) && now >= readyAt)
        {
            WriteStatus(type, stored, CompletedPodStatus(pod, previous, stored.Uid, now, failing));
            return null;
        }

        WriteStatus(type, stored, RunningPodStatus(pod, previous, stored.Uid, now, readyAt, failing));
        return now >= readyAt ? null : readyAt;
    }

    /// <summary>
    /// The kubelet's report on a Pod that keeps running: Pending with its containers being created until
    /// <paramref name="readyAt"/>, then Running and Ready — or, when failing, Running with its containers in
    /// CrashLoopBackOff. Stable between calls (times come from the Pod and <paramref name="readyAt"/>), so writing it again
    /// is a no-op.
    /// </summary>
    private static JsonObject RunningPodStatus(JsonObject pod, JsonObject? previous, string uid, DateTimeOffset now, DateTimeOffset readyAt, bool failing)
    {
        var spec = pod.Obj("spec") ?? [];
        var ready = !failing && now >= readyAt;
        var started = JsonHelpers.Rfc3339(JsonHelpers.ParseTime(pod.Obj("metadata").Str("creationTimestamp")) ?? now);
        var podIp = $"10.244.0.{2 + (FnvOf(uid) % 250)}";
        var containerStatuses = new JsonArray();
        foreach (var c in spec.Arr("containers").Objects())
        {
            var cs = new JsonObject
            {
                ["containerID"] = $"containerd://{uid.Replace("-", "", StringComparison.Ordinal)}{c.Str("name")}",
                ["image"] = c.Str("image"),
                ["imageID"] = $"{c.Str("image")}@sha256:{new string('0', 64)}",
                ["lastState"] = new JsonObject(),
                ["name"] = c.Str("name"),
                ["ready"] = ready,
                ["restartCount"] = failing && now >= readyAt ? 3 : 0,
                ["started"] = ready,
                ["state"] = ready
                    ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = JsonHelpers.Rfc3339(readyAt) } }
                    : failing && now >= readyAt
                        ? new JsonObject { ["waiting"] = new JsonObject { ["message"] = "back-off restarting failed container", ["reason"] = "CrashLoopBackOff" } }
                        : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
            };
            containerStatuses.Add(cs);
        }

        var readyText = ready ? "True" : "False";
        var status = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition(previous, "PodReadyToStartContainers", now >= readyAt ? "True" : "False", "", "", now, false),
                Condition(previous, "Initialized", "True", "", "", now, false),
                Condition(previous, "Ready", readyText, ready ? "" : "ContainersNotReady", ready ? "" : "containers with unready status", now, false),
                Condition(previous, "ContainersReady", readyText, ready ? "" : "ContainersNotReady", ready ? "" : "containers with unready status", now, false),
                Condition(previous, "PodScheduled", "True", "", "", now, false)),
            ["containerStatuses"] = containerStatuses,
            ["hostIP"] = "172.18.0.2",
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "172.18.0.2" }),
            ["phase"] = ready || (failing && now >= readyAt) ? "Running" : "Pending",
            ["podIP"] = podIp,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
            ["qosClass"] = previous.Str("qosClass") ?? "BestEffort",
            ["startTime"] = started,
        };
        return WithoutEmptyReasons(status);
    }

    /// <summary>
    /// A Pod of its own (no controller) that is not restarted when its containers exit — a Helm test or hook Pod, a
    /// one-off task. Such Pods are what people run to completion, so the simulator completes them: Succeeded, or Failed
    /// when marked failing. Pods of workloads keep running.
    /// </summary>
    private static bool RunsToCompletion(JsonObject pod) =>
        pod.Obj("spec").Str("restartPolicy") is "Never" or "OnFailure"
        && !pod.Obj("metadata").Arr("ownerReferences").Objects().Any(o => o["controller"]?.GetValueKind() == System.Text.Json.JsonValueKind.True);

    private static JsonObject CompletedPodStatus(JsonObject pod, JsonObject? previous, string uid, DateTimeOffset now, bool failing)
    {
        var finished = JsonHelpers.Rfc3339(now);
        var started = JsonHelpers.Rfc3339(JsonHelpers.ParseTime(pod.Obj("metadata").Str("creationTimestamp")) ?? now);
        var containerStatuses = new JsonArray();
        foreach (var c in pod.Obj("spec").Arr("containers").Objects())
        {
            containerStatuses.Add(new JsonObject
            {
                ["containerID"] = $"containerd://{uid.Replace("-", "", StringComparison.Ordinal)}{c.Str("name")}",
                ["image"] = c.Str("image"),
                ["imageID"] = $"{c.Str("image")}@sha256:{new string('0', 64)}",
                ["lastState"] = new JsonObject(),
                ["name"] = c.Str("name"),
                ["ready"] = false,
                ["restartCount"] = 0,
                ["started"] = false,
                ["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["containerID"] = $"containerd://{uid.Replace("-", "", StringComparison.Ordinal)}{c.Str("name")}",
                        ["exitCode"] = failing ? 1 : 0,
                        ["finishedAt"] = finished,
                        ["reason"] = failing ? "Error" : "Completed",
                        ["startedAt"] = started,
                    },
                },
            });
        }

        // As the kubelet reports a finished Pod: not Ready, reason PodCompleted.
        return WithoutEmptyReasons(new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition(previous, "PodReadyToStartContainers", "False", "", "", now, false),
                Condition(previous, "Initialized", "True", "PodCompleted", "", now, false),
                Condition(previous, "Ready", "False", "PodCompleted", "", now, false),
                Condition(previous, "ContainersReady", "False", "PodCompleted", "", now, false),
                Condition(previous, "PodScheduled", "True", "", "", now, false)),
            ["containerStatuses"] = containerStatuses,
            ["hostIP"] = "172.18.0.2",
            ["phase"] = failing ? "Failed" : "Succeeded",
            ["qosClass"] = previous.Str("qosClass") ?? "BestEffort",
            ["startTime"] = started,
        });
    }

    // The kubelet leaves reason and message out of a condition that has none.
    private static JsonObject WithoutEmptyReasons(JsonObject status)
    {
        foreach (var condition in status.Arr("conditions").Objects())
        {
            if (condition.Str("reason") == "")
            {
                condition.Remove("reason");
                condition.Remove("message");
            }
        }

        return status;
    }

    private static uint FnvOf(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return hash;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _subscription?.Dispose();
        _queue.Writer.TryComplete();
        await Task.WhenAll(_feed, _worker);
        foreach (var timer in _timers.Values)
        {
            await timer.DisposeAsync();
        }

        _stop.Dispose();
    }
}
