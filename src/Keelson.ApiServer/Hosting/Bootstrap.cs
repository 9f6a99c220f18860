using System.Text.Json.Nodes;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Hosting;

/// <summary>The objects a fresh cluster has: system namespaces, the kubernetes Service, a default StorageClass and the system PriorityClasses.</summary>
internal static class Bootstrap
{
    public static void Seed(ObjectService objects, ResourceRegistry registry)
    {
        var options = new WriteOptions { FieldManager = "kube-apiserver" };
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Create(objects, namespaces, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }, options);
        }

        Create(objects, registry.Find("", "v1", "services")!, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
                ["sessionAffinity"] = "None",
                ["type"] = "ClusterIP",
            },
        }, options);

        Create(objects, registry.Find("storage.k8s.io", "v1", "storageclasses")!, "", new JsonObject
        {
            ["apiVersion"] = "storage.k8s.io/v1",
            ["kind"] = "StorageClass",
            ["metadata"] = new JsonObject
            {
                ["name"] = "standard",
                ["annotations"] = new JsonObject { ["storageclass.kubernetes.io/is-default-class"] = "true" },
            },
            ["provisioner"] = "rancher.io/local-path",
            ["reclaimPolicy"] = "Delete",
            ["volumeBindingMode"] = "Immediate",
        }, options);

        var priorityClasses = registry.Find("scheduling.k8s.io", "v1", "priorityclasses")!;
        foreach (var (name, value) in new[] { ("system-cluster-critical", 2000000000), ("system-node-critical", 2000001000) })
        {
            Create(objects, priorityClasses, "", new JsonObject
            {
                ["apiVersion"] = "scheduling.k8s.io/v1",
                ["kind"] = "PriorityClass",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["value"] = value,
                ["description"] = "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
            }, options);
        }
    }

    private static void Create(ObjectService objects, ResourceType type, string ns, JsonObject obj, WriteOptions options)
    {
        try
        {
            objects.Create(type, ns, obj, options);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
        }
    }
}
