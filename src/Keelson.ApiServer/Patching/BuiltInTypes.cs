using System.Collections.Frozen;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// Merge knowledge for the built-in kinds the simulator serves, transcribed from the list/map/struct markers of
/// k8s.io/api (<c>+listType</c>, <c>+listMapKey</c>, <c>+mapType</c>, <c>+structType</c>) and the strategic merge patch
/// tags (<c>patchStrategy</c>, <c>patchMergeKey</c>). Where a type has no list type marker, the apiserver reads
/// <c>patchStrategy=merge</c> as a map list keyed by the merge key, and everything else as atomic
/// (https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy).
/// Only positions that are not plain scalars, granular structs or atomic lists need an entry; the rest is
/// <see cref="SchemaNode.Loose"/>.
/// </summary>
internal static class BuiltInTypes
{
    private static readonly IReadOnlyDictionary<string, PeValue> TcpProtocol =
        new Dictionary<string, PeValue>(StringComparer.Ordinal) { ["protocol"] = PeValue.FromString("TCP") };

    private static SchemaNode Scalar => SchemaNode.Scalar;

    private static SchemaNode Struct(params (string Name, SchemaNode Type)[] fields) =>
        SchemaNode.Struct(fields.Select(f => new KeyValuePair<string, SchemaNode>(f.Name, f.Type)));

    /// <summary>A struct replaced as a whole (<c>+structType=atomic</c>).</summary>
    private static SchemaNode AtomicStruct { get; } = SchemaNode.Struct([], atomic: true);

    private static SchemaNode StringMap { get; } = SchemaNode.MapOf(SchemaNode.Scalar);

    private static SchemaNode AtomicStringMap { get; } = SchemaNode.MapOf(SchemaNode.Scalar, atomic: true);

    /// <summary>No list type and no patch strategy: atomic, replaced by strategic merge patch.</summary>
    private static SchemaNode Atomic { get; } = SchemaNode.ListOf(SchemaNode.Loose, ListKind.Atomic);

    /// <summary><c>+listType=set</c> with <c>patchStrategy=merge</c>.</summary>
    private static SchemaNode MergedSet { get; } = SchemaNode.ListOf(SchemaNode.Scalar, ListKind.Set, patchStrategy: "merge");

    private static SchemaNode Set { get; } = SchemaNode.ListOf(SchemaNode.Scalar, ListKind.Set);

    private static SchemaNode MapList(SchemaNode item, string? mergeKey, params string[] keys) =>
        SchemaNode.ListOf(item, ListKind.Map, keys, patchStrategy: mergeKey is null ? null : "merge", patchMergeKey: mergeKey);

    /// <summary>Conditions keyed by type, merged by type in strategic merge patches.</summary>
    private static SchemaNode Conditions { get; } = MapList(SchemaNode.Loose, "type", "type");

    private static SchemaNode LabelSelector => AtomicStruct;

    public static SchemaNode ObjectMeta { get; } = Struct(
        ("labels", StringMap),
        ("annotations", StringMap),
        ("finalizers", MergedSet),
        ("ownerReferences", MapList(SchemaNode.Loose, "uid", "uid")),
        ("managedFields", Atomic));

    private static readonly SchemaNode Handler = Struct(
        ("exec", Struct(("command", Atomic))),
        ("httpGet", Struct(("httpHeaders", Atomic))));

    private static readonly SchemaNode Probe = Struct(
        ("exec", Struct(("command", Atomic))),
        ("httpGet", Struct(("httpHeaders", Atomic))));

    private static readonly SchemaNode EnvVar = Struct(
        ("valueFrom", Struct(
            ("fieldRef", AtomicStruct),
            ("resourceFieldRef", AtomicStruct),
            ("configMapKeyRef", AtomicStruct),
            ("secretKeyRef", AtomicStruct))));

    private static readonly SchemaNode Container = Struct(
        ("command", Atomic),
        ("args", Atomic),
        ("ports", SchemaNode.ListOf(SchemaNode.Loose, ListKind.Map, ["containerPort", "protocol"], TcpProtocol, "merge", "containerPort")),
        ("envFrom", Atomic),
        ("env", MapList(EnvVar, "name", "name")),
        ("resources", Struct(
            ("limits", StringMap),
            ("requests", StringMap),
            ("claims", MapList(SchemaNode.Loose, null, "name")))),
        ("resizePolicy", Atomic),
        ("volumeMounts", MapList(SchemaNode.Loose, "mountPath", "mountPath")),
        ("volumeDevices", MapList(SchemaNode.Loose, "devicePath", "devicePath")),
        ("livenessProbe", Probe),
        ("readinessProbe", Probe),
        ("startupProbe", Probe),
        ("lifecycle", Struct(("postStart", Handler), ("preStop", Handler))),
        ("securityContext", Struct(("capabilities", Struct(("add", Atomic), ("drop", Atomic))))));

    private static readonly SchemaNode ContainerList = MapList(Container, "name", "name");

    private static readonly SchemaNode PersistentVolumeClaimSpec = Struct(
        ("accessModes", Atomic),
        ("selector", LabelSelector),
        ("resources", Struct(("limits", StringMap), ("requests", StringMap))),
        ("dataSource", AtomicStruct));

    private static readonly SchemaNode Volume = Struct(
        ("configMap", Struct(("items", Atomic))),
        ("secret", Struct(("items", Atomic))),
        ("downwardAPI", Struct(("items", Atomic))),
        ("projected", Struct(("sources", Atomic))),
        ("csi", Struct(("volumeAttributes", StringMap), ("nodePublishSecretRef", AtomicStruct))),
        ("ephemeral", Struct(("volumeClaimTemplate", Struct(("metadata", ObjectMeta), ("spec", PersistentVolumeClaimSpec))))));

    private static readonly SchemaNode Affinity = Struct(
        ("nodeAffinity", Struct(
            ("requiredDuringSchedulingIgnoredDuringExecution", AtomicStruct),
            ("preferredDuringSchedulingIgnoredDuringExecution", Atomic))),
        ("podAffinity", Struct(
            ("requiredDuringSchedulingIgnoredDuringExecution", Atomic),
            ("preferredDuringSchedulingIgnoredDuringExecution", Atomic))),
        ("podAntiAffinity", Struct(
            ("requiredDuringSchedulingIgnoredDuringExecution", Atomic),
            ("preferredDuringSchedulingIgnoredDuringExecution", Atomic))));

    private static readonly SchemaNode PodSpec = Struct(
        ("volumes", SchemaNode.ListOf(Volume, ListKind.Map, ["name"], patchStrategy: "merge,retainKeys", patchMergeKey: "name")),
        ("initContainers", ContainerList),
        ("containers", ContainerList),
        ("ephemeralContainers", ContainerList),
        ("imagePullSecrets", MapList(AtomicStruct, "name", "name")),
        ("tolerations", Atomic),
        ("hostAliases", MapList(Struct(("hostnames", Atomic)), "ip", "ip")),
        ("nodeSelector", AtomicStringMap),
        ("readinessGates", Atomic),
        ("topologySpreadConstraints", MapList(
            Struct(("labelSelector", LabelSelector), ("matchLabelKeys", Atomic)), "topologyKey", "topologyKey", "whenUnsatisfiable")),
        ("resourceClaims", SchemaNode.ListOf(SchemaNode.Loose, ListKind.Map, ["name"], patchStrategy: "merge,retainKeys", patchMergeKey: "name")),
        ("schedulingGates", MapList(SchemaNode.Loose, "name", "name")),
        ("affinity", Affinity),
        ("securityContext", Struct(("supplementalGroups", Atomic), ("sysctls", Atomic))),
        ("dnsConfig", Struct(("nameservers", Atomic), ("searches", Atomic), ("options", Atomic))),
        ("overhead", StringMap));

    private static readonly SchemaNode PodStatus = Struct(
        ("conditions", Conditions),
        ("containerStatuses", Atomic),
        ("initContainerStatuses", Atomic),
        ("ephemeralContainerStatuses", Atomic),
        ("podIPs", MapList(SchemaNode.Loose, "ip", "ip")),
        ("hostIPs", MapList(SchemaNode.Loose, "ip", "ip")),
        ("resourceClaimStatuses", SchemaNode.ListOf(SchemaNode.Loose, ListKind.Map, ["name"], patchStrategy: "merge,retainKeys", patchMergeKey: "name")));

    private static readonly SchemaNode PodTemplateSpec = Struct(("metadata", ObjectMeta), ("spec", PodSpec));

    private static readonly SchemaNode WorkloadStatus = Struct(("conditions", Conditions));

    private static readonly SchemaNode JobSpec = Struct(
        ("selector", LabelSelector),
        ("template", PodTemplateSpec),
        ("podFailurePolicy", Struct(("rules", Atomic))),
        ("successPolicy", Struct(("rules", Atomic))));

    private static readonly SchemaNode JobStatus = Struct(
        // Job conditions are +listType=atomic for apply but still merged by type in strategic merge patches.
        ("conditions", Atomic.WithPatchStrategy("merge", "type")),
        ("uncountedTerminatedPods", Struct(("succeeded", Set), ("failed", Set))));

    private static readonly SchemaNode LoadBalancerStatus = Struct(("ingress", Atomic));

    private static readonly FrozenDictionary<string, KindInfo> Kinds = new Dictionary<string, KindInfo>(StringComparer.Ordinal)
    {
        ["/v1/ConfigMap"] = Kind(Top(("data", StringMap), ("binaryData", StringMap))),
        ["/v1/Secret"] = Kind(Top(("data", StringMap), ("stringData", StringMap))),
        ["/v1/Namespace"] = Kind(
            Top(("spec", Struct(("finalizers", Atomic))), ("status", Struct(("conditions", Conditions)))),
            """{"metadata":{"creationTimestamp":null},"spec":{},"status":{}}"""),
        ["/v1/ServiceAccount"] = Kind(Top(
            ("secrets", MapList(AtomicStruct, "name", "name")),
            ("imagePullSecrets", Atomic))),
        ["/v1/Service"] = Kind(
            Top(
                ("spec", Struct(
                    ("ports", SchemaNode.ListOf(SchemaNode.Loose, ListKind.Map, ["port", "protocol"], TcpProtocol, "merge", "port")),
                    ("selector", AtomicStringMap),
                    ("clusterIPs", Atomic),
                    ("externalIPs", Atomic),
                    ("loadBalancerSourceRanges", Atomic),
                    ("ipFamilies", Atomic))),
                ("status", Struct(("loadBalancer", LoadBalancerStatus), ("conditions", Conditions)))),
            """{"metadata":{"creationTimestamp":null},"spec":{},"status":{"loadBalancer":{}}}"""),
        ["/v1/Pod"] = Kind(
            Top(("spec", PodSpec), ("status", PodStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"containers":null},"status":{}}"""),
        ["/v1/PersistentVolumeClaim"] = Kind(
            Top(
                ("spec", PersistentVolumeClaimSpec),
                ("status", Struct(
                    ("accessModes", Atomic),
                    ("capacity", StringMap),
                    ("allocatedResources", StringMap),
                    ("allocatedResourceStatuses", StringMap),
                    ("conditions", Conditions)))),
            """{"metadata":{"creationTimestamp":null},"spec":{"resources":{}},"status":{}}"""),
        ["/v1/Endpoints"] = Kind(Top(("subsets", Atomic))),
        ["/v1/Event"] = Kind(
            Top(("involvedObject", AtomicStruct), ("related", AtomicStruct)),
            """{"metadata":{"creationTimestamp":null},"involvedObject":{},"source":{},"firstTimestamp":null,"lastTimestamp":null,"eventTime":null,"reportingComponent":"","reportingInstance":""}"""),
        ["apps/v1/Deployment"] = Kind(
            Top(
                ("spec", Struct(
                    ("selector", LabelSelector),
                    ("template", PodTemplateSpec),
                    ("strategy", Struct(("rollingUpdate", Struct()))))),
                ("status", WorkloadStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}},"strategy":{}},"status":{}}"""),
        ["apps/v1/ReplicaSet"] = Kind(
            Top(("spec", Struct(("selector", LabelSelector), ("template", PodTemplateSpec))), ("status", WorkloadStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}},"status":{"replicas":0}}"""),
        ["apps/v1/StatefulSet"] = Kind(
            Top(
                ("spec", Struct(
                    ("selector", LabelSelector),
                    ("template", PodTemplateSpec),
                    ("volumeClaimTemplates", Atomic),
                    ("updateStrategy", Struct(("rollingUpdate", Struct()))),
                    ("persistentVolumeClaimRetentionPolicy", Struct()),
                    ("ordinals", Struct()))),
                ("status", WorkloadStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}},"updateStrategy":{}},"status":{"replicas":0,"availableReplicas":0}}"""),
        ["apps/v1/DaemonSet"] = Kind(
            Top(
                ("spec", Struct(("selector", LabelSelector), ("template", PodTemplateSpec), ("updateStrategy", Struct(("rollingUpdate", Struct()))))),
                ("status", WorkloadStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}},"updateStrategy":{}},"status":{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}}"""),
        ["batch/v1/Job"] = Kind(
            Top(("spec", JobSpec), ("status", JobStatus)),
            """{"metadata":{"creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}},"status":{}}"""),
        ["batch/v1/CronJob"] = Kind(
            Top(
                ("spec", Struct(("jobTemplate", Struct(("metadata", ObjectMeta), ("spec", JobSpec))))),
                ("status", Struct(("active", Atomic)))),
            """{"metadata":{"creationTimestamp":null},"spec":{"schedule":"","jobTemplate":{"metadata":{"creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}}}},"status":{}}"""),
        ["networking.k8s.io/v1/Ingress"] = Kind(
            Top(
                ("spec", Struct(("rules", Atomic), ("tls", Atomic), ("defaultBackend", Struct()))),
                ("status", Struct(("loadBalancer", LoadBalancerStatus)))),
            """{"metadata":{"creationTimestamp":null},"spec":{},"status":{"loadBalancer":{}}}"""),
        ["networking.k8s.io/v1/NetworkPolicy"] = Kind(
            Top(("spec", Struct(("podSelector", LabelSelector), ("ingress", Atomic), ("egress", Atomic), ("policyTypes", Atomic)))),
            """{"metadata":{"creationTimestamp":null},"spec":{"podSelector":{}}}"""),
        ["rbac.authorization.k8s.io/v1/Role"] = Kind(
            Top(("rules", Atomic)),
            """{"metadata":{"creationTimestamp":null},"rules":null}"""),
        ["rbac.authorization.k8s.io/v1/ClusterRole"] = Kind(
            Top(("rules", Atomic), ("aggregationRule", Struct(("clusterRoleSelectors", Atomic)))),
            """{"metadata":{"creationTimestamp":null},"rules":null}"""),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = Kind(
            Top(("subjects", Atomic), ("roleRef", Struct())),
            """{"metadata":{"creationTimestamp":null},"roleRef":{"apiGroup":"","kind":"","name":""}}"""),
        ["rbac.authorization.k8s.io/v1/ClusterRoleBinding"] = Kind(
            Top(("subjects", Atomic), ("roleRef", Struct())),
            """{"metadata":{"creationTimestamp":null},"roleRef":{"apiGroup":"","kind":"","name":""}}"""),
        ["policy/v1/PodDisruptionBudget"] = Kind(
            Top(
                ("spec", Struct(("selector", LabelSelector))),
                ("status", Struct(("conditions", Conditions), ("disruptedPods", StringMap)))),
            """{"metadata":{"creationTimestamp":null},"spec":{},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}"""),
        ["autoscaling/v2/HorizontalPodAutoscaler"] = Kind(
            Top(
                ("spec", Struct(
                    ("scaleTargetRef", Struct()),
                    ("metrics", Atomic),
                    ("behavior", Struct(("scaleUp", Struct(("policies", Atomic))), ("scaleDown", Struct(("policies", Atomic))))))),
                ("status", Struct(("currentMetrics", Atomic), ("conditions", Conditions)))),
            """{"metadata":{"creationTimestamp":null},"spec":{"scaleTargetRef":{"kind":"","name":""},"maxReplicas":0},"status":{"desiredReplicas":0}}"""),
        ["coordination.k8s.io/v1/Lease"] = Kind(
            Top(("spec", Struct())),
            """{"metadata":{"creationTimestamp":null},"spec":{}}"""),
        ["events.k8s.io/v1/Event"] = Kind(
            Top(("regarding", AtomicStruct), ("related", AtomicStruct)),
            """{"metadata":{"creationTimestamp":null},"eventTime":null,"regarding":{},"deprecatedSource":{},"deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null}"""),
        ["apiextensions.k8s.io/v1/CustomResourceDefinition"] = Kind(
            Top(
                ("spec", Struct(
                    ("names", Struct(("shortNames", Atomic), ("categories", Atomic))),
                    ("versions", Atomic))),
                ("status", Struct(
                    ("conditions", MapList(SchemaNode.Loose, null, "type")),
                    ("storedVersions", Atomic),
                    ("acceptedNames", Struct(("shortNames", Atomic), ("categories", Atomic)))))),
            """{"metadata":{"creationTimestamp":null},"spec":{"group":"","names":{"plural":"","kind":""},"scope":"","versions":null},"status":{"acceptedNames":{"plural":"","kind":""},"storedVersions":null}}"""),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    internal sealed record KindInfo(SchemaNode Root, string EmptyObject);

    private static KindInfo Kind(SchemaNode root, string? emptyObject = null) =>
        new(root, emptyObject ?? """{"metadata":{"creationTimestamp":null}}""");

    private static SchemaNode Top(params (string Name, SchemaNode Type)[] fields) =>
        Struct([("apiVersion", Scalar), ("kind", Scalar), ("metadata", ObjectMeta), .. fields]);

    public static KindInfo? Find(string group, string version, string kind) =>
        Kinds.GetValueOrDefault($"{group}/{version}/{kind}");
}
