using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Api;

/// <summary>Legacy and aggregated (apidiscovery.k8s.io/v2) discovery documents, built from the registry.</summary>
internal sealed class Discovery(ResourceRegistry registry, Func<string> serverAddress)
{
    public JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress() }),
    };

    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var g in registry.Groups.Where(g => g.Name.Length > 0))
        {
            groups.Add(GroupEntry(g));
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public JsonObject? Group(string name)
    {
        var g = registry.Groups.FirstOrDefault(x => x.Name == name && name.Length > 0);
        if (g is null)
        {
            return null;
        }

        var entry = GroupEntry(g);
        entry["kind"] = "APIGroup";
        entry["apiVersion"] = "v1";
        return entry;
    }

    private static JsonObject GroupEntry(GroupInfo g) => new()
    {
        ["name"] = g.Name,
        ["versions"] = new JsonArray(g.Versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{g.Name}/{v}", ["version"] = v }).ToArray()),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g.Name}/{g.Versions[0]}", ["version"] = g.Versions[0] },
    };

    public JsonObject? ResourceList(string group, string version)
    {
        if (!registry.IsServed(group, version))
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in registry.InGroupVersion(group, version))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Strings(type.Verbs),
            };
            if (type.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(type.ShortNames);
            }

            if (type.Categories.Count > 0)
            {
                entry["categories"] = Strings(type.Categories);
            }

            entry["storageVersionHash"] = StorageVersionHash(type);
            resources.Add(entry);
            foreach (var (name, kind, subGroup, subVersion, verbs) in Subresources(type))
            {
                var sub = new JsonObject
                {
                    ["name"] = $"{type.Plural}/{name}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                };
                if (subGroup is not null)
                {
                    sub["group"] = subGroup;
                    sub["version"] = subVersion;
                }

                sub["kind"] = kind;
                sub["verbs"] = Strings(verbs);
                resources.Add(sub);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>The aggregated discovery document for the core group (<c>/api</c>) or all named groups (<c>/apis</c>).</summary>
    public JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var g in registry.Groups.Where(g => (g.Name.Length == 0) == core))
        {
            var versions = new JsonArray();
            foreach (var version in g.Versions)
            {
                var resources = new JsonArray();
                foreach (var type in registry.InGroupVersion(g.Name, version))
                {
                    var entry = new JsonObject
                    {
                        ["resource"] = type.Plural,
                        ["responseKind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
                        ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = type.Singular,
                        ["verbs"] = Strings(type.Verbs),
                    };
                    if (type.ShortNames.Count > 0)
                    {
                        entry["shortNames"] = Strings(type.ShortNames);
                    }

                    if (type.Categories.Count > 0)
                    {
                        entry["categories"] = Strings(type.Categories);
                    }

                    var subs = Subresources(type).ToList();
                    if (subs.Count > 0)
                    {
                        entry["subresources"] = new JsonArray(subs.Select(s => (JsonNode)new JsonObject
                        {
                            ["subresource"] = s.Name,
                            ["responseKind"] = new JsonObject { ["group"] = s.Group ?? type.Group, ["version"] = s.Version ?? type.Version, ["kind"] = s.Kind },
                            ["verbs"] = Strings(s.Verbs),
                        }).ToArray());
                    }

                    resources.Add(entry);
                }

                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }

            items.Add(new JsonObject
            {
                ["metadata"] = g.Name.Length == 0 ? new JsonObject { ["creationTimestamp"] = null } : new JsonObject { ["name"] = g.Name, ["creationTimestamp"] = null },
                ["versions"] = versions,
            });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static IEnumerable<(string Name, string Kind, string? Group, string? Version, IReadOnlyList<string> Verbs)> Subresources(ResourceType type)
    {
        if (type.Plural == "namespaces" && type.Group.Length == 0)
        {
            yield return ("finalize", "Namespace", null, null, ["update"]);
        }

        if (type.Scale is not null)
        {
            yield return ("scale", "Scale", "autoscaling", "v1", ["get", "patch", "update"]);
        }

        if (type.HasStatus)
        {
            yield return ("status", type.Kind, null, null, ["get", "patch", "update"]);
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    private static string StorageVersionHash(ResourceType type)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{type.Group}/{type.StorageVersion}/{type.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }
}
