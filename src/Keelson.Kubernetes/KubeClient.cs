using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Discovery;
using Keelson.Kubernetes.Http;
using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes;

/// <summary>
/// A thin client for one cluster: unstructured objects (<see cref="JsonObject"/>) addressed by <see cref="ApiResource"/>.
/// Thread-safe; share one per cluster. Errors from the server are <see cref="KubeApiException"/>; 429 and 5xx answers
/// are retried (bounded, honouring Retry-After) and requests are rate limited on the client.
/// </summary>
public sealed partial class KubeClient : IDisposable
{
    private readonly KubeClientConfig _config;
    private readonly KubeClientOptions _options;
    private readonly ClusterTransport _transport;
    private readonly TokenBucket? _limiter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KubeClient(KubeClientConfig config, KubeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _options = options ?? new KubeClientOptions();
        _time = _options.TimeProvider;
        _logger = _options.LoggerFactory.CreateLogger<KubeClient>();
        _transport = new ClusterTransport(config);
        _limiter = _options.Qps > 0 ? new TokenBucket(_options.Qps, Math.Max(1, _options.Burst), _time) : null;
        Mapper = new RestMapper(this, _options);
    }

    public KubeClientConfig Config => _config;

    public KubeClientOptions Options => _options;

    /// <summary>The namespace of the kubeconfig context, or the pod's own namespace in a cluster.</summary>
    public string DefaultNamespace => _config.Namespace;

    /// <summary>Discovery: which resource serves a kind, cached and refreshed when a kind is unknown.</summary>
    public RestMapper Mapper { get; }

    public void Dispose() => _transport.Dispose();

    public Task<JsonObject> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken = default) =>
        SendForObjectAsync(new Request(HttpMethod.Get, ObjectPath(resource, ns, name, null)), cancellationToken);

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<JsonObject?> TryGetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(resource, ns, name, cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// One page of a list. <paramref name="ns"/> null lists across all namespaces. Items get apiVersion and kind
    /// filled in (the server leaves them out of list items).
    /// </summary>
    public async Task<ObjectList> ListAsync(ApiResource resource, string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var query = new Query()
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit?.ToString())
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("resourceVersionMatch", options.ResourceVersionMatch)
            .Add("timeoutSeconds", options.TimeoutSeconds?.ToString());
        var list = await SendForObjectAsync(new Request(HttpMethod.Get, CollectionPath(resource, ns) + query), cancellationToken);
        return ToObjectList(list, resource);
    }

    /// <summary>Every object, fetched page by page (<see cref="ListOptions.Limit"/>, 500 when unset) as the caller reads.</summary>
    public async IAsyncEnumerable<JsonObject> ListAllAsync(
        ApiResource resource, string? ns = null, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        if (options.Limit is null)
        {
            options = options with { Limit = 500 };
        }

        while (true)
        {
            var page = await ListAsync(resource, ns, options, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(page.Continue))
            {
                yield break;
            }

            options = options with { Continue = page.Continue, ResourceVersion = null, ResourceVersionMatch = null };
        }
    }

    public Task<JsonObject> CreateAsync(ApiResource resource, JsonObject obj, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var ns = NamespaceOf(resource, obj);
        var query = WriteQuery(options?.FieldManager, options?.DryRun ?? false, options?.FieldValidation);
        // A create answered with a 500 or 504 may have happened: sent again, one with generateName makes a second
        // object and a named one comes back AlreadyExists, hiding what happened. As client-go, only a server that
        // says it did nothing (429, 503, Retry-After) gets it again.
        return SendForObjectAsync(
            new Request(HttpMethod.Post, CollectionPath(resource, ns) + query) { Body = Json.ToUtf8(obj), Idempotent = false },
            cancellationToken);
    }

    /// <summary>Replaces the object. With metadata.resourceVersion set, fails with a conflict if it changed since.</summary>
    public Task<JsonObject> UpdateAsync(ApiResource resource, JsonObject obj, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        Put(resource, obj, null, options, cancellationToken);

    public Task<JsonObject> UpdateStatusAsync(ApiResource resource, JsonObject obj, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        Put(resource, obj, "status", options, cancellationToken);

    /// <summary>
    /// Reads the object, lets <paramref name="mutate"/> change it and writes it back, starting over on a conflict
    /// (at most 5 times). <paramref name="mutate"/> returns false to skip the write.
    /// </summary>
    public async Task<JsonObject> GetAndUpdateAsync(
        ApiResource resource, string? ns, string name, Func<JsonObject, bool> mutate, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetAsync(resource, ns, name, cancellationToken);
            if (!mutate(current))
            {
                return current;
            }

            try
            {
                return await UpdateAsync(resource, current, options, cancellationToken);
            }
            catch (KubeApiException ex) when (ex.IsConflict && attempt < 4)
            {
                LogConflictRetry(resource.Resource, name);
            }
        }
    }

    public Task<JsonObject> PatchAsync(
        ApiResource resource, string? ns, string name, PatchType type, JsonNode patch, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        Patch(resource, ns, name, null, type, patch, options, cancellationToken);

    public Task<JsonObject> PatchStatusAsync(
        ApiResource resource, string? ns, string name, PatchType type, JsonNode patch, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        Patch(resource, ns, name, "status", type, patch, options, cancellationToken);

    /// <summary>
    /// Server-side apply: the server merges <paramref name="obj"/> (apiVersion, kind, name and the fields this manager
    /// owns) into the live object, creating it if needed. A field owned by another manager fails with a conflict
    /// (<see cref="KubeApiException.IsFieldManagerConflict"/>) unless <see cref="ApplyOptions.Force"/>.
    /// </summary>
    public Task<JsonObject> ApplyAsync(ApiResource resource, JsonObject obj, ApplyOptions options, CancellationToken cancellationToken = default) =>
        Apply(resource, obj, null, options, cancellationToken);

    public Task<JsonObject> ApplyStatusAsync(ApiResource resource, JsonObject obj, ApplyOptions options, CancellationToken cancellationToken = default) =>
        Apply(resource, obj, "status", options, cancellationToken);

    /// <summary>Server-side apply of any object, its resource found by discovery from apiVersion and kind.</summary>
    public async Task<JsonObject> ApplyAsync(JsonObject obj, ApplyOptions options, CancellationToken cancellationToken = default)
    {
        var resource = await Mapper.ResolveAsync(GroupVersionKind.Of(obj), cancellationToken);
        return await ApplyAsync(resource, obj, options, cancellationToken);
    }

    /// <summary>
    /// Deletes an object. Returns the object when it still exists afterwards (finalizers pending, or foreground
    /// deletion), otherwise null.
    /// </summary>
    public async Task<JsonObject?> DeleteAsync(
        ApiResource resource, string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new Request(HttpMethod.Delete, ObjectPath(resource, ns, name, null) + DryRunQuery(options?.DryRun ?? false))
        {
            Body = DeleteBody(options),
            Idempotent = true,
        };
        var answer = await SendForJsonAsync(request, cancellationToken) as JsonObject;
        return answer is null || answer.GetKind() == "Status" ? null : answer;
    }

    /// <summary>Deletes every object matching the selectors (in <paramref name="ns"/>, or cluster-wide when null).</summary>
    public async Task DeleteCollectionAsync(
        ApiResource resource, string? ns, ListOptions? selection = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new Query()
            .Add("labelSelector", selection?.LabelSelector)
            .Add("fieldSelector", selection?.FieldSelector)
            .Add("dryRun", options?.DryRun == true ? "All" : null);
        var request = new Request(HttpMethod.Delete, CollectionPath(resource, ns) + query) { Body = DeleteBody(options) };
        await SendForJsonAsync(request, cancellationToken);
    }

    /// <summary>A GET of any API path (e.g. <c>/version</c>, discovery documents); null for an empty answer.</summary>
    public Task<JsonNode?> GetJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return SendForJsonAsync(new Request(HttpMethod.Get, path), cancellationToken);
    }

    /// <summary>The path of a collection: <c>/apis/apps/v1/namespaces/ns/deployments</c>.</summary>
    public static string CollectionPath(ApiResource resource, string? ns)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var path = new StringBuilder(64);
        path.Append(resource.Group.Length == 0 ? "/api/" : $"/apis/{resource.Group}/").Append(resource.Version);
        if (resource.Namespaced && !string.IsNullOrEmpty(ns))
        {
            path.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        return path.Append('/').Append(resource.Resource).ToString();
    }

    /// <summary>The path of one object (and optionally a subresource such as <c>status</c>).</summary>
    public static string ObjectPath(ApiResource resource, string? ns, string name, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (resource.Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"{resource} is namespaced: a namespace is required for {name}", nameof(ns));
        }

        var path = CollectionPath(resource, ns) + "/" + Uri.EscapeDataString(name);
        return subresource is null ? path : path + "/" + subresource;
    }

    private Task<JsonObject> Put(ApiResource resource, JsonObject obj, string? subresource, WriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var path = ObjectPath(resource, NamespaceOf(resource, obj), NameOf(obj), subresource)
            + WriteQuery(options?.FieldManager, options?.DryRun ?? false, options?.FieldValidation);
        return SendForObjectAsync(new Request(HttpMethod.Put, path) { Body = Json.ToUtf8(obj) }, cancellationToken);
    }

    private Task<JsonObject> Patch(
        ApiResource resource, string? ns, string name, string? subresource, PatchType type, JsonNode patch, PatchOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var contentType = type switch
        {
            PatchType.Merge => "application/merge-patch+json",
            PatchType.Json => "application/json-patch+json",
            PatchType.Strategic => "application/strategic-merge-patch+json",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        var path = ObjectPath(resource, ns, name, subresource) + WriteQuery(options?.FieldManager, options?.DryRun ?? false, options?.FieldValidation);
        // A JSON patch may not be idempotent (an "add" to a list applies twice), so it is not sent again after a
        // 500 or 504; merge and strategic patches set values and are.
        return SendForObjectAsync(
            new Request(HttpMethod.Patch, path) { Body = Json.ToUtf8(patch), ContentType = contentType, Idempotent = type != PatchType.Json },
            cancellationToken);
    }

    private Task<JsonObject> Apply(ApiResource resource, JsonObject obj, string? subresource, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.FieldManager);
        var query = WriteQuery(options.FieldManager, options.DryRun, options.FieldValidation).Add("force", options.Force ? "true" : null);
        var path = ObjectPath(resource, NamespaceOf(resource, obj), NameOf(obj), subresource) + query;
        // JSON is YAML, so the body is sent as JSON under the apply content type.
        return SendForObjectAsync(
            new Request(HttpMethod.Patch, path) { Body = Json.ToUtf8(obj), ContentType = "application/apply-patch+yaml" }, cancellationToken);
    }

    private static Query WriteQuery(string? fieldManager, bool dryRun, string? fieldValidation) =>
        new Query().Add("dryRun", dryRun ? "All" : null).Add("fieldManager", fieldManager).Add("fieldValidation", fieldValidation);

    private static Query DryRunQuery(bool dryRun) => new Query().Add("dryRun", dryRun ? "All" : null);

    private static byte[]? DeleteBody(DeleteOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var body = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1" };
        if (options.PropagationPolicy is { } policy)
        {
            body["propagationPolicy"] = policy.ToString();
        }

        if (options.GracePeriodSeconds is { } grace)
        {
            body["gracePeriodSeconds"] = grace;
        }

        if (options.PreconditionUid is not null || options.PreconditionResourceVersion is not null)
        {
            var pre = new JsonObject();
            if (options.PreconditionUid is { } uid)
            {
                pre["uid"] = uid;
            }

            if (options.PreconditionResourceVersion is { } rv)
            {
                pre["resourceVersion"] = rv;
            }

            body["preconditions"] = pre;
        }

        if (options.DryRun)
        {
            body["dryRun"] = new JsonArray("All");
        }

        return Json.ToUtf8(body);
    }

    private static string? NamespaceOf(ApiResource resource, JsonObject obj)
    {
        if (!resource.Namespaced)
        {
            return null;
        }

        return obj.GetNamespace() ?? throw new ArgumentException(
            $"{resource.Kind} {obj.GetName() ?? obj.GetGenerateName() ?? "(unnamed)"} is namespaced but has no metadata.namespace", nameof(obj));
    }

    private static string NameOf(JsonObject obj) =>
        obj.GetName() is { Length: > 0 } name ? name : throw new ArgumentException("the object has no metadata.name", nameof(obj));

    internal static ObjectList ToObjectList(JsonObject list, ApiResource resource)
    {
        var listKind = list.GetKind();
        var apiVersion = list.GetApiVersion() ?? resource.ApiVersion;
        var kind = listKind is { Length: > 4 } k && k.EndsWith("List", StringComparison.Ordinal) ? k[..^4] : resource.Kind;
        var items = new List<JsonObject>();
        if (list["items"] is JsonArray array)
        {
            var nodes = array.ToList();
            array.Clear(); // detach, so callers may put items into other documents
            foreach (var node in nodes.OfType<JsonObject>())
            {
                if (node["kind"] is null)
                {
                    node.Insert(0, "apiVersion", apiVersion);
                    node.Insert(1, "kind", kind);
                }

                items.Add(node);
            }
        }

        var meta = Json.Object(list, "metadata");
        return new ObjectList(items, Json.String(meta, "resourceVersion") ?? "", Json.String(meta, "continue") is { Length: > 0 } c ? c : null)
        {
            RemainingItemCount = Json.Long(meta, "remainingItemCount"),
        };
    }

    /// <summary>A query string built from the parameters that are set.</summary>
    private sealed class Query
    {
        private readonly StringBuilder _text = new();

        public Query Add(string name, string? value)
        {
            if (value is not null)
            {
                _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }

            return this;
        }

        public static string operator +(string path, Query query) => path + query._text;

        public override string ToString() => _text.ToString();
    }
}
