namespace Keelson.Engine;

/// <summary>
/// The order objects are applied in: Namespaces, then CustomResourceDefinitions (whose kinds later objects may
/// need), then other cluster-scoped kinds, then namespaced kinds, each by Helm's install order with kinds Helm does
/// not know (custom resources) last. Deletion uses the reverse. Shared by the Apply stage and Helm's manifest sort,
/// which must agree.
/// </summary>
internal static class KindOrder
{
    /// <summary>
    /// Helm's install order (Helm 3.x's releaseutil.InstallOrder; recent Helm puts PriorityClass first). The Helm
    /// renderer sorts its output by it too, checked against the object-order fixture in ../shared/fixtures/helm.
    /// </summary>
    public static readonly IReadOnlyList<string> InstallOrder =
    [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
        "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
        "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
        "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ];

    private static readonly Dictionary<string, int> Ranks =
        InstallOrder.Select((kind, index) => (kind, index)).ToDictionary(p => p.kind, p => p.index, StringComparer.Ordinal);

    /// <summary>Position of a kind in Helm's install order by its name alone, as Helm's own sort uses it.</summary>
    public static bool TryGetInstallRank(string kind, out int rank) => Ranks.TryGetValue(kind, out rank);

    /// <summary>
    /// Position in Helm's list, or past its end for kinds it does not list. A kind counts only in a built-in group
    /// (custom groups always contain a dot and are not Kubernetes' own), so a CR named "Service" is still a CR.
    /// </summary>
    public static int Rank(string group, string kind) => IsBuiltInGroup(group) && Ranks.TryGetValue(kind, out var rank) ? rank : Ranks.Count;


    /// <summary>
    /// The apply stage: 0 Namespaces, 1 CRDs, 2 other cluster-scoped kinds, 3 namespaced kinds. Within a stage kinds go
    /// by <see cref="Rank"/>, so custom kinds come after the kinds Helm knows, but a cluster-scoped custom object still
    /// comes before every namespaced object (namespaced objects may depend on it, never the other way round).
    /// </summary>
    public static int Stage(ResourceRef resource, bool namespaced)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Group.Length == 0 && resource.Kind == "Namespace")
        {
            return 0;
        }

        if (resource.Group == "apiextensions.k8s.io" && resource.Kind == "CustomResourceDefinition")
        {
            return 1;
        }

        return namespaced ? 3 : 2;
    }

    /// <summary>Sort key of the apply order: stage, kind rank, then kind, namespace and name for a stable order.</summary>
    public static IOrderedEnumerable<T> Sort<T>(IEnumerable<T> items, Func<T, ResourceRef> resource, Func<T, bool> namespaced) =>
        items.OrderBy(i => Stage(resource(i), namespaced(i)))
            .ThenBy(i => Rank(resource(i).Group, resource(i).Kind))
            .ThenBy(i => resource(i).Kind, StringComparer.Ordinal)
            .ThenBy(i => resource(i).Namespace ?? "", StringComparer.Ordinal)
            .ThenBy(i => resource(i).Name, StringComparer.Ordinal);

    private static bool IsBuiltInGroup(string group) =>
        group.Length == 0 || !group.Contains('.', StringComparison.Ordinal) || group.EndsWith(".k8s.io", StringComparison.Ordinal);
}
