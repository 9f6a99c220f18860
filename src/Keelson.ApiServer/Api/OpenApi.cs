using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Api;

/// <summary>
/// OpenAPI v3 documents, as far as kubectl needs them: an index of group-versions and, per group-version, the PATCH
/// operations declaring the <c>fieldValidation</c> parameter (so kubectl validates on the server, as against a real
/// cluster) and the kinds' schemas (the CRD's own schema for custom resources, so <c>kubectl explain</c> works).
/// Strategic merge patch is not declared, so client-side apply computes patches from kubectl's compiled-in types.
/// </summary>
internal sealed class OpenApi(ResourceRegistry registry)
{
    private readonly Lock _gate = new();
    private long _generation = -1;
    private Dictionary<string, (byte[] Body, string Hash)> _documents = [];

    public byte[] Index()
    {
        var docs = Documents();
        var paths = new JsonObject();
        foreach (var (path, doc) in docs.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={doc.Hash}" };
        }

        return Responses.Serialize(new JsonObject { ["paths"] = paths });
    }

    /// <summary>The document for "api/v1" or "apis/group/version", or null.</summary>
    public byte[]? Document(string path) => Documents().TryGetValue(path, out var doc) ? doc.Body : null;

    private Dictionary<string, (byte[] Body, string Hash)> Documents()
    {
        lock (_gate)
        {
            if (_generation == registry.Generation)
            {
                return _documents;
            }

            var docs = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
            foreach (var group in registry.Groups)
            {
                foreach (var version in group.Versions)
                {
                    var path = group.Name.Length == 0 ? $"api/{version}" : $"apis/{group.Name}/{version}";
                    var body = Responses.Serialize(Build(group.Name, version));
                    docs[path] = (body, Convert.ToHexString(SHA256.HashData(body))[..32]);
                }
            }

            _documents = docs;
            _generation = registry.Generation;
            return docs;
        }
    }

    private JsonObject Build(string group, string version)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject
        {
            ["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] = new JsonObject
            {
                ["description"] = "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
            },
        };
        var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        foreach (var type in registry.InGroupVersion(group, version))
        {
            var schemaName = SchemaName(type);
            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            var itemPath = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            var reference = new JsonObject { ["$ref"] = $"#/components/schemas/{schemaName}" };
            paths[itemPath] = new JsonObject
            {
                ["get"] = Operation("get", type, gvk, reference, []),
                ["put"] = Operation("put", type, gvk, reference, ["dryRun", "fieldManager", "fieldValidation"]),
                ["patch"] = Operation("patch", type, gvk, reference, ["dryRun", "fieldManager", "fieldValidation", "force"]),
                ["delete"] = Operation("delete", type, gvk, reference, ["dryRun", "gracePeriodSeconds", "propagationPolicy"]),
            };
            schemas[schemaName] = KindSchema(type);
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(string method, ResourceType type, JsonObject gvk, JsonObject reference, IEnumerable<string> queryParameters)
    {
        var operation = new JsonObject
        {
            ["operationId"] = $"{method}{type.Kind}",
            ["x-kubernetes-action"] = method == "put" ? "put" : method,
            ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
            ["parameters"] = new JsonArray(queryParameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p,
                ["in"] = "query",
                ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
            }).ToArray()),
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = reference.DeepClone() } },
                },
            },
        };
        if (method == "patch")
        {
            var patchSchema = new JsonObject { ["type"] = "object" };
            operation["requestBody"] = new JsonObject
            {
                ["content"] = new JsonObject
                {
                    ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = patchSchema.DeepClone() },
                    ["application/json-patch+json"] = new JsonObject { ["schema"] = patchSchema.DeepClone() },
                    ["application/merge-patch+json"] = new JsonObject { ["schema"] = patchSchema.DeepClone() },
                },
                ["required"] = true,
            };
        }

        return operation;
    }

    private static JsonObject KindSchema(ResourceType type)
    {
        JsonObject schema;
        if (type.Custom?.Schema is { } custom)
        {
            schema = (JsonObject)custom.Source.DeepClone();
            var properties = schema.Ensure("properties");
            properties["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = "APIVersion defines the versioned schema of this representation of an object." };
            properties["kind"] = new JsonObject { ["type"] = "string", ["description"] = "Kind is a string value representing the REST resource this object represents." };
            properties["metadata"] = new JsonObject
            {
                ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }),
                ["description"] = "Standard object's metadata.",
            };
        }
        else
        {
            schema = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        }

        schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind });
        return schema;
    }

    private static string SchemaName(ResourceType type)
    {
        if (type.IsCustom)
        {
            var reversed = string.Join('.', type.Group.Split('.').Reverse());
            return $"{reversed}.{type.Version}.{type.Kind}";
        }

        var groupPart = type.Group.Length == 0 ? "core" : type.Group.Split('.')[0];
        return $"io.k8s.api.{groupPart}.{type.Version}.{type.Kind}";
    }
}
