namespace Keelson.Engine.Tests;

public sealed class KindOrderTests
{
    [Fact]
    public void Namespaces_then_crds_then_cluster_scoped_then_namespaced_in_helm_order_custom_kinds_last()
    {
        (ResourceRef Ref, bool Namespaced)[] shuffled =
        [
            (new("example.com", "v1", "Widget", "shop", "w"), true),
            (new("apps", "v1", "Deployment", "shop", "web"), true),
            (new("example.com", "v1", "Gadget", null, "g"), false),
            (new("", "v1", "Service", "shop", "web"), true),
            (new("rbac.authorization.k8s.io", "v1", "ClusterRole", null, "reader"), false),
            (new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", null, "widgets.example.com"), false),
            (new("", "v1", "ConfigMap", "shop", "settings"), true),
            (new("", "v1", "Namespace", null, "shop"), false),
            (new("", "v1", "ServiceAccount", "shop", "web"), true),
            (new("other.io", "v1", "Service", "shop", "not-core"), true),
        ];

        var order = KindOrder.Sort(shuffled, i => i.Ref, i => i.Namespaced).Select(i => i.Ref.Kind + "/" + i.Ref.Name).ToList();

        Assert.Equal(
            [
                "Namespace/shop", "CustomResourceDefinition/widgets.example.com", "ClusterRole/reader", "Gadget/g",
                "ServiceAccount/web", "ConfigMap/settings", "Service/web", "Deployment/web", "Service/not-core", "Widget/w",
            ],
            order);
    }
}
