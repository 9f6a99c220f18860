namespace Keelson.Operator.Sync;

/// <summary>Helm's install order (PriorityClass first, as recent Helm does); unknown kinds and custom resources last.</summary>
internal static class KindOrder
{
    private static readonly string[] Order =
    [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
        "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
        "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
        "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
        "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ];

    public static int Rank(string kind)
    {
        var index = Array.IndexOf(Order, kind);
        return index < 0 ? Order.Length : index;
    }
}
