using System.Text.Json.Nodes;
using Keelson.Engine.Health;
using Keelson.Engine.Render;
using Keelson.Engine.Source;
using Keelson.Kubernetes;
using Keelson.Operator.Applications;
using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Sync;

/// <summary>
/// A small stand-in for the engine's composer (Diff, Apply, prune and the live-state cache are being written on the
/// engine branch): Source and Render from the engine, then a server-side-apply dry-run comparison, ordered applies,
/// tracking-checked prune and health. It exists so the reconciler, the host and their tests run end to end today;
/// <see cref="IApplicationPipeline"/> is the seam where the composer replaces it.
/// </summary>
internal sealed partial class InterimPipeline : IApplicationPipeline
{
    private const int MaxParallel = 4;

    private readonly KubeClient _client;
    private readonly GitSource _source;
    private readonly ManifestRenderer _renderer;
    private readonly HealthAssessor _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LiveWatches _watches;

    public InterimPipeline(KubeClient client, GitSource source, ManifestRenderer renderer, TimeProvider time, ILogger<InterimPipeline> logger)
    {
        _client = client;
        _source = source;
        _renderer = renderer;
        _time = time;
        _logger = logger;
        _health = new HealthAssessor(time);
        _watches = new LiveWatches(client);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public IDisposable OnManagedObjectChanged(Action<string> owner) => _watches.Subscribe(owner);

    public ValueTask DisposeAsync() => _watches.DisposeAsync();

    public async Task<PipelineResult> RunAsync(PipelineRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        SourceSnapshot snapshot;
        try
        {
            snapshot = await _source.ResolveAsync(request.Source, cancellationToken);
        }
        catch (SourceException ex)
        {
            return Failed(request, null, null, new PipelineError(PipelinePhase.Source, ex.Reason.ToString(), ex.Message));
        }

        using (snapshot)
        {
            RenderResult rendered;
            try
            {
                rendered = await _renderer.RenderAsync(
                    new RenderRequest
                    {
                        RepoRoot = snapshot.RootPath,
                        Path = request.Path,
                        Directory = request.Directory,
                        CacheKey = $"{snapshot.RepoUrl}@{snapshot.Commit.Sha}",
                        Hard = request.Source.Hard,
                    },
                    cancellationToken);
            }
            catch (RenderException ex)
            {
                return Failed(request, snapshot.Commit, null, new PipelineError(PipelinePhase.Render, "RenderFailed", ex.Message));
            }

            try
            {
                return await CompareAndSyncAsync(request, snapshot.Commit, rendered, cancellationToken);
            }
            catch (PipelineFailure failure)
            {
                return Failed(request, snapshot.Commit, rendered.Renderer, failure.Error);
            }
            catch (KubeApiException ex)
            {
                return Failed(request, snapshot.Commit, rendered.Renderer, new PipelineError(request.Mode == PipelineMode.Sync ? PipelinePhase.Apply : PipelinePhase.Diff, ex.Reason is { Length: > 0 } r ? r : "ApiError", ex.Message));
            }
        }
    }

    public async Task<DeletionProgress> DeleteAllAsync(string owner, IReadOnlyList<InventoryItem> inventory, CancellationToken cancellationToken)
    {
        var remaining = 0;
        var failures = new List<string>();
        foreach (var item in inventory.OrderByDescending(i => KindOrder.Rank(ParseId(i)?.Kind ?? "")))
        {
            if (ParseId(item) is not { } id || await ResolveAsync(id.Group, item.Version, id.Kind, cancellationToken) is not { } resource)
            {
                continue;
            }

            var live = await _client.TryGetAsync(resource, id.Namespace, id.Name, cancellationToken);
            if (live is null || Tracking.OwnerOf(Tracking.IdOf(live)) != owner)
            {
                continue;
            }

            remaining++;
            if (live.GetDeletionTimestamp() is not null)
            {
                continue;
            }

            try
            {
                await _client.DeleteAsync(resource, id.Namespace, id.Name, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground }, cancellationToken);
            }
            catch (KubeApiException ex) when (ex.IsNotFound)
            {
                remaining--;
            }
            catch (KubeApiException ex)
            {
                failures.Add($"{id.Kind} {id.Namespace}/{id.Name}: {ex.Message}");
            }
        }

        return new DeletionProgress(remaining, failures);
    }

    private async Task<PipelineResult> CompareAndSyncAsync(PipelineRequest request, CommitInfo commit, RenderResult rendered, CancellationToken cancellationToken)
    {
        var desired = await PrepareAsync(request, rendered, cancellationToken);
        var compared = new Compared[desired.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, desired.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = cancellationToken },
            async (i, ct) => compared[i] = await CompareAsync(desired[i], ct));

        var desiredIds = desired.Select(d => d.InventoryId).ToHashSet(StringComparer.Ordinal);
        var stale = await FindStaleAsync(request, desiredIds, cancellationToken);

        if (request.Mode == PipelineMode.Compare)
        {
            // Still ours: stale objects that exist, rendered objects carrying our id, and rendered ones we had before.
            var inventory = stale.Select(s => s.Item).ToList();
            inventory.AddRange(compared.Where(c => c.Live is not null && c.OwnedByUs).Select(c => c.Desired.Item));
            inventory.AddRange(request.Inventory.Where(i => desiredIds.Contains(i.Id)));
            return Result(commit, rendered.Renderer, desired.Count, compared.Select(c => c.ToResource(_health, null, null)).Concat(stale.Select(s => s.ToResource(null))), inventory, new SyncCounts(), null);
        }

        return await SyncAsync(request, commit, rendered.Renderer, compared, stale, cancellationToken);
    }

    private async Task<PipelineResult> SyncAsync(
        PipelineRequest request, CommitInfo commit, string renderer, Compared[] compared, List<Stale> stale, CancellationToken cancellationToken)
    {
        if (request.Prune && compared.Length == 0 && stale.Count > 0 && !request.AllowEmpty)
        {
            throw new PipelineFailure(new PipelineError(
                PipelinePhase.Apply, "EmptyRender", $"Refusing to prune all {stale.Count} objects: the render is empty. Set syncPolicy.automated.allowEmpty to allow it."));
        }

        if (request.CreateNamespace && request.DestinationNamespace is { } ns)
        {
            await EnsureNamespaceAsync(ns, cancellationToken);
        }

        var results = new (string Action, string? Message, JsonObject? Live)[compared.Length];
        var order = Enumerable.Range(0, compared.Length).OrderBy(i => KindOrder.Rank(compared[i].Desired.Kind)).ToList();
        var failed = 0;
        string? firstFailure = null;
        foreach (var i in order)
        {
            var c = compared[i];
            if (c.Synced)
            {
                results[i] = ("Unchanged", null, c.Live);
                continue;
            }

            try
            {
                var resource = c.Desired.Resource ?? await ResolveAsync(c.Desired.Group, c.Desired.Version, c.Desired.Kind, cancellationToken)
                    ?? throw new PipelineFailure(new PipelineError(PipelinePhase.Apply, "UnknownKind", $"{c.Desired.Describe()}: no resource serves {c.Desired.ApiVersion} {c.Desired.Kind} (is its CRD installed?)"));
                var applied = await _client.ApplyAsync(resource, c.Desired.Object, new ApplyOptions { FieldManager = ApplicationNames.FieldManager, Force = true }, cancellationToken);
                _watches.Ensure(resource);
                results[i] = (c.Live is null ? "Created" : "Configured", null, applied);
                if (c.Desired.Kind == "CustomResourceDefinition" && c.Desired.Group == "apiextensions.k8s.io")
                {
                    await WaitEstablishedAsync(resource, c.Desired.Name, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is KubeApiException or PipelineFailure)
            {
                failed++;
                var message = ex is PipelineFailure pf ? pf.Error.Message : $"{c.Desired.Describe()}: {ex.Message}";
                firstFailure ??= message;
                results[i] = ("Failed", message, c.Live);
            }
        }

        var pruneResults = new (string Action, string? Message)[stale.Count];
        var pruneOrder = Enumerable.Range(0, stale.Count).OrderByDescending(i => KindOrder.Rank(stale[i].Kind)).ToList();
        foreach (var i in pruneOrder)
        {
            var s = stale[i];
            if (!request.Prune || failed > 0)
            {
                pruneResults[i] = ("PruneSkipped", failed > 0 ? "not pruned because applying failed" : "prune is off");
                continue;
            }

            try
            {
                await _client.DeleteAsync(s.Resource, s.Namespace, s.Name, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, cancellationToken);
                pruneResults[i] = ("Pruned", null);
            }
            catch (KubeApiException ex) when (ex.IsNotFound)
            {
                pruneResults[i] = ("Pruned", null);
            }
            catch (KubeApiException ex)
            {
                failed++;
                var message = $"{s.Kind} {s.Namespace}/{s.Name}: {ex.Message}";
                firstFailure ??= message;
                pruneResults[i] = ("Failed", message);
            }
        }

        var inventory = new List<InventoryItem>();
        for (var i = 0; i < compared.Length; i++)
        {
            if (results[i].Action != "Failed" || compared[i].Live is not null)
            {
                inventory.Add(compared[i].Desired.Item);
            }
        }

        for (var i = 0; i < stale.Count; i++)
        {
            if (pruneResults[i].Action != "Pruned")
            {
                inventory.Add(stale[i].Item);
            }
        }

        var counts = new SyncCounts(
            Created: results.Count(r => r.Action == "Created"),
            Configured: results.Count(r => r.Action == "Configured"),
            Unchanged: results.Count(r => r.Action == "Unchanged"),
            Pruned: pruneResults.Count(r => r.Action == "Pruned"),
            PruneSkipped: pruneResults.Count(r => r.Action == "PruneSkipped"),
            Failed: failed);
        PipelineError? error = failed > 0
            ? new PipelineError(PipelinePhase.Apply, "ApplyFailed", failed == 1 ? firstFailure! : $"{failed} objects failed; first: {firstFailure}")
            : null;
        var resources = compared.Select((c, i) => c.ToResource(_health, results[i].Action, results[i].Message, results[i].Live))
            .Concat(stale.Select((s, i) => s.ToResource(pruneResults[i].Action, pruneResults[i].Message)));
        return Result(commit, renderer, compared.Length, resources, inventory, counts, error);
    }

    private static PipelineResult Result(
        CommitInfo commit, string renderer, int desiredCount, IEnumerable<PipelineResource> all, List<InventoryItem> inventory, SyncCounts counts, PipelineError? error)
    {
        var resources = all.ToList();
        var present = resources.Where(r => r.Action != "Pruned").ToList();
        var health = HealthAssessor.Aggregate(present
            .Where(r => r.Health is not null && !r.RequiresPruning)
            .Select(r => new ResourceHealth(r.Kind, r.Namespace, r.Name, r.Health!)));
        var sync = present.Any(r => r.SyncStatus != SyncCodes.Synced || r.RequiresPruning) ? SyncCodes.OutOfSync : SyncCodes.Synced;
        return new PipelineResult
        {
            Commit = commit,
            SourceType = renderer,
            Resources = resources,
            DesiredCount = desiredCount,
            SyncStatus = sync,
            Health = health,
            Inventory = [.. inventory.DistinctBy(i => i.Id).OrderBy(i => i.Id, StringComparer.Ordinal)],
            Counts = counts,
            Error = error,
        };
    }

    private static PipelineResult Failed(PipelineRequest request, CommitInfo? commit, string? renderer, PipelineError error) => new()
    {
        Commit = commit,
        SourceType = renderer,
        Inventory = request.Inventory,
        Error = error,
    };

    private async Task<List<Desired>> PrepareAsync(PipelineRequest request, RenderResult rendered, CancellationToken cancellationToken)
    {
        var desired = new List<Desired>(rendered.Objects.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // Kinds defined by CRDs of this very render: their scope is known before the CRD exists on the server.
        var crdScopes = rendered.Objects
            .Where(o => o.Object["kind"]?.GetValue<string>() == "CustomResourceDefinition")
            .Select(o => o.Object["spec"] as JsonObject)
            .Where(s => s is not null)
            .ToDictionary(
                s => $"{s!["group"]}/{(s["names"] as JsonObject)?["kind"]}",
                s => s!["scope"]?.GetValue<string>() == "Namespaced",
                StringComparer.Ordinal);
        foreach (var r in rendered.Objects)
        {
            var obj = r.Object.DeepClone().AsObject();
            var gvk = GroupVersionKind.Of(obj);
            var name = obj.GetName() ?? throw new PipelineFailure(new PipelineError(PipelinePhase.Render, "InvalidObject", $"{r.SourceFile}: a {gvk.Kind} has no metadata.name"));
            var resource = await _client.Mapper.TryResolveAsync(gvk, cancellationToken);
            bool namespaced;
            if (resource is not null)
            {
                namespaced = resource.Namespaced;
            }
            else if (crdScopes.TryGetValue($"{gvk.Group}/{gvk.Kind}", out var scoped))
            {
                namespaced = scoped;
            }
            else
            {
                throw new PipelineFailure(new PipelineError(
                    PipelinePhase.Diff, "UnknownKind", $"{r.SourceFile}: {gvk.Kind} {name}: the cluster serves no {gvk.Kind} in {gvk.ApiVersion} (is its CRD installed?)"));
            }

            if (namespaced && obj.GetNamespace() is null)
            {
                obj.SetNamespace(request.DestinationNamespace ?? "default");
            }
            else if (!namespaced)
            {
                obj.SetNamespace(null);
            }

            var ns = obj.GetNamespace();
            obj.SetAnnotation(Tracking.Annotation, Tracking.Id(request.Owner, gvk.Group, gvk.Kind, ns, name));
            obj.SetLabel(Tracking.ManagedLabel, "true");
            var d = new Desired(obj, resource, gvk.Group, gvk.Version, gvk.Kind, ns, name, request.Owner);
            if (!keys.Add(d.InventoryId))
            {
                throw new PipelineFailure(new PipelineError(PipelinePhase.Render, "DuplicateObject", $"{r.SourceFile}: {d.Describe()} is rendered more than once"));
            }

            if (resource is not null)
            {
                _watches.Ensure(resource);
            }

            desired.Add(d);
        }

        return desired;
    }

    private async Task<Compared> CompareAsync(Desired d, CancellationToken cancellationToken)
    {
        if (d.Resource is null)
        {
            return new Compared(d, null, false, false, $"{d.Kind} is defined by a CRD of this application and is not served yet");
        }

        var live = await _client.TryGetAsync(d.Resource, d.Namespace, d.Name, cancellationToken);
        if (live is null)
        {
            return new Compared(d, null, false, false, null);
        }

        var ours = Tracking.IdOf(live) == Tracking.IdOf(d.Object);
        JsonObject dryRun;
        try
        {
            dryRun = await _client.ApplyAsync(d.Resource, d.Object, new ApplyOptions { FieldManager = ApplicationNames.FieldManager, Force = true, DryRun = true }, cancellationToken);
        }
        catch (KubeApiException ex) when (!ex.IsServerError)
        {
            return new Compared(d, live, false, ours, $"dry-run failed: {ex.Message}");
        }

        return new Compared(d, live, JsonNode.DeepEquals(Normalize(dryRun), Normalize(live)), ours, null);
    }

    private async Task<List<Stale>> FindStaleAsync(PipelineRequest request, HashSet<string> desiredIds, CancellationToken cancellationToken)
    {
        var stale = new List<Stale>();
        foreach (var item in request.Inventory)
        {
            if (desiredIds.Contains(item.Id) || ParseId(item) is not { } id)
            {
                continue;
            }

            if (await ResolveAsync(id.Group, item.Version, id.Kind, cancellationToken) is not { } resource)
            {
                continue;
            }

            var live = await _client.TryGetAsync(resource, id.Namespace, id.Name, cancellationToken);
            // Only objects still carrying exactly this owner's tracking id are ever pruned.
            if (live is null || Tracking.OwnerOf(Tracking.IdOf(live)) != request.Owner || live.GetDeletionTimestamp() is not null)
            {
                continue;
            }

            _watches.Ensure(resource);
            stale.Add(new Stale(item, resource, id.Group, item.Version, id.Kind, id.Namespace, id.Name));
        }

        return stale;
    }

    private async Task<ApiResource?> ResolveAsync(string group, string version, string kind, CancellationToken cancellationToken) =>
        await _client.Mapper.TryResolveAsync(new GroupVersionKind(group, version, kind), cancellationToken);

    private async Task EnsureNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        if (await _client.TryGetAsync(ApiResource.Namespaces, null, ns, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await _client.CreateAsync(ApiResource.Namespaces, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
            }, cancellationToken: cancellationToken);
            LogNamespaceCreated(ns);
        }
        catch (KubeApiException ex) when (ex.IsAlreadyExists)
        {
            // Created meanwhile by someone else: just as good.
        }
        catch (KubeApiException ex)
        {
            throw new PipelineFailure(new PipelineError(PipelinePhase.Apply, "NamespaceFailed", $"Namespace {ns} could not be created: {ex.Message}"));
        }
    }

    private async Task WaitEstablishedAsync(ApiResource crds, string name, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (_time.GetUtcNow() < deadline)
        {
            var crd = await _client.TryGetAsync(crds, null, name, cancellationToken);
            var established = (crd?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
                .Any(c => c["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True") ?? false;
            if (established)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }

        throw new PipelineFailure(new PipelineError(PipelinePhase.Apply, "CrdNotEstablished", $"CustomResourceDefinition {name} was not established within 30 s"));
    }

    // What the comparison ignores: fields the server owns or rewrites on every write.
    internal static JsonObject Normalize(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject meta)
        {
            foreach (var field in new[] { "managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink" })
            {
                meta.Remove(field);
            }
        }

        return copy;
    }

    private static (string Group, string Kind, string? Namespace, string Name)? ParseId(InventoryItem item)
    {
        var parts = item.Id.Split('_');
        return parts.Length == 4 && parts[1].Length > 0 && parts[3].Length > 0
            ? (parts[2], parts[3], parts[0].Length == 0 ? null : parts[0], parts[1])
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created namespace {Namespace}")]
    private partial void LogNamespaceCreated(string @namespace);

    private sealed record Desired(JsonObject Object, ApiResource? Resource, string Group, string Version, string Kind, string? Namespace, string Name, string Owner)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

        public string InventoryId => $"{Namespace}_{Name}_{Group}_{Kind}";

        public InventoryItem Item => new(InventoryId, Version);

        public string Describe() => Namespace is { Length: > 0 } ns ? $"{Kind} {ns}/{Name}" : $"{Kind} {Name}";
    }

    private sealed record Compared(Desired Desired, JsonObject? Live, bool Synced, bool OwnedByUs, string? Message)
    {
        public PipelineResource ToResource(HealthAssessor health, string? action, string? message, JsonObject? after = null) => new()
        {
            Group = Desired.Group,
            Version = Desired.Version,
            Kind = Desired.Kind,
            Namespace = Desired.Namespace,
            Name = Desired.Name,
            SyncStatus = action is "Created" or "Configured" || (action is null or "Unchanged" && Synced) ? SyncCodes.Synced : SyncCodes.OutOfSync,
            Health = health.Assess(after ?? Live),
            Action = action,
            Message = message ?? Message,
        };
    }

    private sealed record Stale(InventoryItem Item, ApiResource Resource, string Group, string Version, string Kind, string? Namespace, string Name)
    {
        public PipelineResource ToResource(string? action, string? message = null) => new()
        {
            Group = Group,
            Version = Version,
            Kind = Kind,
            Namespace = Namespace,
            Name = Name,
            SyncStatus = action == "Pruned" ? SyncCodes.Synced : SyncCodes.OutOfSync,
            RequiresPruning = action != "Pruned",
            Action = action,
            Message = message,
        };
    }

    private sealed class PipelineFailure(PipelineError error) : Exception(error.Message)
    {
        public PipelineError Error { get; } = error;
    }
}
