using Keelson.ApiServer.Crds;
using Keelson.ApiServer.Patching;
using Keelson.ApiServer.Resources.Kinds;

namespace Keelson.ApiServer.Resources;

/// <summary>The built-in resources the simulator serves, with upstream's scope, names, verbs and subresources.</summary>
internal static class BuiltInKinds
{
    private static readonly ScaleSpec ReplicasScale = new(".spec.replicas", ".status.replicas", ".status.selector");

    public static IReadOnlyList<ResourceType> Create() =>
    [
        // core/v1
        T("", "v1", "Namespace", "namespaces", false, CoreKinds.Namespace, ["ns"], status: true,
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
        T("", "v1", "ConfigMap", "configmaps", true, CoreKinds.ConfigMap, ["cm"]),
        T("", "v1", "Secret", "secrets", true, CoreKinds.Secret),
        T("", "v1", "Service", "services", true, CoreKinds.Service, ["svc"], status: true, categories: ["all"]),
        T("", "v1", "ServiceAccount", "serviceaccounts", true, CoreKinds.ServiceAccount, ["sa"]),
        T("", "v1", "Pod", "pods", true, CoreKinds.Pod, ["po"], status: true, categories: ["all"]),
        T("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, CoreKinds.PersistentVolumeClaim, ["pvc"], status: true),
        T("", "v1", "Event", "events", true, CoreKinds.Event, ["ev"]),
        T("", "v1", "Endpoints", "endpoints", true, CoreKinds.Endpoints, ["ep"]),

        // apps/v1
        T("apps", "v1", "Deployment", "deployments", true, WorkloadKinds.Deployment, ["deploy"], status: true, scale: ReplicasScale, generation: true, categories: ["all"]),
        T("apps", "v1", "StatefulSet", "statefulsets", true, WorkloadKinds.StatefulSet, ["sts"], status: true, scale: ReplicasScale, generation: true, categories: ["all"]),
        T("apps", "v1", "DaemonSet", "daemonsets", true, WorkloadKinds.DaemonSet, ["ds"], status: true, generation: true, categories: ["all"]),
        T("apps", "v1", "ReplicaSet", "replicasets", true, WorkloadKinds.ReplicaSet, ["rs"], status: true, scale: ReplicasScale, generation: true, categories: ["all"]),

        // batch/v1
        T("batch", "v1", "Job", "jobs", true, WorkloadKinds.Job, [], status: true, generation: true, categories: ["all"]),
        T("batch", "v1", "CronJob", "cronjobs", true, WorkloadKinds.CronJob, ["cj"], status: true, generation: true, categories: ["all"]),

        // autoscaling/v2
        T("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, OtherKinds.HorizontalPodAutoscaler, ["hpa"], status: true, categories: ["all"]),

        // networking.k8s.io/v1
        T("networking.k8s.io", "v1", "Ingress", "ingresses", true, OtherKinds.Ingress, ["ing"], status: true, generation: true),
        T("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, OtherKinds.NetworkPolicy, ["netpol"], generation: true),
        T("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, OtherKinds.IngressClass, [], generation: true),

        // policy/v1
        T("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, OtherKinds.PodDisruptionBudget, ["pdb"], status: true, generation: true),

        // rbac.authorization.k8s.io/v1
        T("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, OtherKinds.Role),
        T("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, OtherKinds.RoleBinding),
        T("rbac.authorization.k8s.io", "v1", "Role", "roles", true, OtherKinds.Role),
        T("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, OtherKinds.RoleBinding),

        // storage.k8s.io/v1
        T("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, OtherKinds.StorageClass, ["sc"]),

        // apiextensions.k8s.io/v1
        T("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, CrdKind.Behavior, ["crd", "crds"],
            status: true, generation: true, categories: ["api-extensions"]),

        // scheduling.k8s.io/v1
        T("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, OtherKinds.PriorityClass, ["pc"]),

        // coordination.k8s.io/v1
        T("coordination.k8s.io", "v1", "Lease", "leases", true, OtherKinds.Lease),

        // events.k8s.io/v1
        EventsV1(),

        // authorization.k8s.io/v1 and authentication.k8s.io/v1: answered, never stored (kubectl auth can-i / whoami).
        T("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, KindBehavior.Empty, verbs: ["create"]),
        T("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, KindBehavior.Empty, verbs: ["create"]),
        T("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, KindBehavior.Empty, verbs: ["create"]),
    ];

    private static ResourceType EventsV1()
    {
        var type = T("events.k8s.io", "v1", "Event", "events", true, OtherKinds.EventV1, ["ev"]);
        return new ResourceType
        {
            Group = type.Group,
            Version = type.Version,
            Kind = type.Kind,
            Plural = type.Plural,
            Singular = type.Singular,
            Namespaced = true,
            ShortNames = type.ShortNames,
            Verbs = type.Verbs,
            PatchSchema = type.PatchSchema,
            Behavior = type.Behavior,
            StorageVersion = type.StorageVersion,
            ListKind = type.ListKind,
            StoredAs = EventConversion.Storage,
            Conversion = EventConversion.Conversion,
        };
    }

    /// <summary>Resources answered by a handler rather than stored.</summary>
    public static bool IsReview(ResourceType type) => type.Plural is "selfsubjectaccessreviews" or "selfsubjectrulesreviews" or "selfsubjectreviews";

    private static ResourceType T(
        string group, string version, string kind, string plural, bool namespaced, KindBehavior behavior,
        IReadOnlyList<string>? shortNames = null, bool status = false, ScaleSpec? scale = null, bool generation = false,
        IReadOnlyList<string>? categories = null, IReadOnlyList<string>? verbs = null) => new()
        {
            Group = group,
            Version = version,
            Kind = kind,
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            Verbs = verbs ?? ResourceType.AllVerbs,
            HasStatus = status,
            Scale = scale,
            HasGeneration = generation,
            PatchSchema = TypeSchema.ForBuiltIn(group, version, kind),
            Behavior = behavior,
            StorageVersion = version,
            ListKind = kind + "List",
        };
}
