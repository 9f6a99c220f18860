using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Keelson.Engine.Apply;
using Keelson.Engine.Diff;
using Keelson.Engine.Health;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;
using Keelson.Engine.Source.Helm;
using Keelson.Kubernetes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Engine;

/// <summary>
/// The pipeline: Source → Render → Diff → Apply (and prune) → Health, for one owner per call, returning everything
/// as data (<see cref="SyncResult"/>). Knows nothing of the Application type. Thread-safe and meant to be shared:
/// one per process, with one client, one live cache, one source and one renderer, so discovery, renders, live
/// state and in-sync verdicts are shared by all owners. Calls for different owners may run at once; calls for one
/// owner must not overlap (the operator's work queue guarantees it).
/// <para>
/// Cost per call in a steady state (nothing changed in Git or the cluster): the source's cheap check, a cached
/// render, a cached desired state, cache lookups and remembered verdicts — no API calls and no writes.
/// </para>
/// </summary>
public sealed partial class SyncEngine
{
    private readonly KubeClient _client;
    private readonly GitSource _source;
    private readonly ManifestRenderer _renderer;
    private readonly SyncEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HealthAssessor _health;
    private readonly VerdictCache _verdicts;
    private readonly Differ _differ;
    private readonly Applier _applier;
    private readonly Pruner _pruner;
    private readonly ChartSource _charts;

    // Desired states hang off the (cached, shared) render they came from, and go when it goes.
    private readonly ConditionalWeakTable<RenderResult, ConcurrentDictionary<string, DesiredSet>> _prepared = [];

    /// <summary>
    /// Builds the engine on shared parts: the client (its discovery is used to resolve kinds), the Git source and the
    /// renderer (both cache by commit), and the live cache (which the engine tells which kinds each owner needs).
    /// </summary>
    public SyncEngine(
        KubeClient client,
        GitSource source,
        ManifestRenderer renderer,
        LiveCache liveCache,
        SyncEngineOptions? options = null,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(liveCache);
        _client = client;
        _source = source;
        _renderer = renderer;
        LiveCache = liveCache;
        _options = options ?? new SyncEngineOptions();
        _time = time ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<SyncEngine>();
        _health = new HealthAssessor(_time);
        _verdicts = new VerdictCache(_options.VerdictCacheSize);
        _differ = new Differ(client, liveCache, _verdicts, _options, loggerFactory.CreateLogger<Differ>());
        _applier = new Applier(client, liveCache, _verdicts, _health, _options, _time, loggerFactory.CreateLogger<Applier>());
        _pruner = new Pruner(client, liveCache, _differ, loggerFactory.CreateLogger<Pruner>());
        var helmCache = _options.HelmCacheDirectory ?? Path.Combine(Path.GetTempPath(), "keelson-helm");
        var helmRepositories = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = helmCache }, loggerFactory.CreateLogger<HelmRepoSource>(), _time, meterFactory);
        _charts = new ChartSource(helmRepositories, helmCache);
    }

    /// <summary>The live state the engine compares against; subscribe to it to hear of changes made by others.</summary>
    public LiveCache LiveCache { get; }

    /// <summary>
    /// Runs the pipeline once for one owner: Source → Render → Diff, then in <see cref="SyncMode.Sync"/> Apply and
    /// Prune, then Health. Expected failures (unreachable repository, bad YAML, API rejections) come back in
    /// <see cref="SyncResult.Error"/>; a source or render failure applies and deletes nothing and returns the previous
    /// inventory. Store <see cref="SyncResult.Inventory"/> and pass it back as
    /// <see cref="SyncRequest.PreviousInventory"/> next time.
    /// </summary>
    /// <exception cref="ArgumentException">The owner is not <c>namespace/name</c>.</exception>
    public async Task<SyncResult> SyncAsync(SyncRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Tracking.IsValidOwner(request.Owner))
        {
            throw new ArgumentException($"the owner must be \"namespace/name\", got \"{request.Owner}\"", nameof(request));
        }

        var run = new Run(request, _time.GetTimestamp());

        // Source
        SourceSnapshot snapshot;
        try
        {
            snapshot = request.Source.Chart is { } chart
                ? await _charts.ResolveAsync(request.Source, chart, cancellationToken)
                : await _source.ResolveAsync(request.Source, cancellationToken);
        }
        catch (SourceException ex)
        {
            return Fail(run, new SyncError(SyncStage.Source, ex.Reason.ToString(), ex.Message));
        }

        run.Commit = snapshot.Commit;

        // Render
        RenderResult render;
        using (snapshot)
        {
            try
            {
                // A chart source's root is the chart itself; the app path only applies to Git.
                var path = request.Source.Chart is null ? request.Render.Path : "";
                render = await _renderer.RenderAsync(
                    new RenderRequest
                    {
                        RepoRoot = snapshot.RootPath,
                        Path = path,
                        Directory = request.Render.Directory,
                        Kustomize = request.Render.Kustomize,
                        Helm = await HelmOptionsAsync(request, snapshot.RootPath, path, cancellationToken),
                        // A chart's root is named by its archive's digest: a version republished is another render.
                        CacheKey = request.Source.Chart is { } c ? $"helm:{snapshot.RepoUrl}#{c}@{snapshot.Commit.Sha}#{Path.GetFileName(snapshot.RootPath)}" : $"{snapshot.RepoUrl}@{snapshot.Commit.Sha}",
                        Hard = request.Source.Hard,
                    },
                    cancellationToken);
            }
            catch (SourceException ex)
            {
                // Fetching the chart's dependencies is part of the source; nothing has been rendered yet.
                return Fail(run, new SyncError(SyncStage.Source, ex.Reason.ToString(), ex.Message));
            }
            catch (HelmException ex)
            {
                return Fail(run, new SyncError(SyncStage.Render, "RenderFailed", ex.Message));
            }
            catch (RenderException ex)
            {
                return Fail(run, new SyncError(SyncStage.Render, "RenderFailed", ex.Message) { File = ex.File, Line = ex.Line, Column = ex.Column });
            }
        }

        run.Renderer = render.Renderer;

        DesiredSet desired;
        try
        {
            desired = await PrepareAsync(request, render, cancellationToken);
            await LiveCache.TrackAsync(request.Owner, await KindsAsync(desired, request.PreviousInventory, cancellationToken), cancellationToken);
        }
        catch (DesiredStateException ex)
        {
            return Fail(run, new SyncError(SyncStage.Render, "InvalidManifest", ex.Message) { File = ex.File });
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            return Fail(run, new SyncError(SyncStage.Diff, "ClusterUnavailable", ClusterMessage(ex)));
        }

        return request.Mode == SyncMode.Compare && request.SyncIf is { } syncIf
            ? await CompareThenSyncAsync(run, desired, syncIf, cancellationToken)
            : await CompareAndSyncAsync(run, desired, cancellationToken);
    }

    /// <summary>
    /// Compares, asks <paramref name="syncIf"/>, and syncs on the same comparison when it says so. Objects missing
    /// from the live cache are only looked up when no sync follows, so an initial sync costs an apply per object and
    /// nothing more; a drifted object costs one dry-run and one apply.
    /// </summary>
    private async Task<SyncResult> CompareThenSyncAsync(Run run, DesiredSet desired, Func<SyncResult, bool> syncIf, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var settings = new DiffSettings { ConfirmAbsent = false, BypassVerdicts = request.Source.Hard, Owner = request.Owner, OwnerExists = request.OwnerExists };
        try
        {
            run.Diff = await _differ.DiffAsync(desired.Objects, settings, cancellationToken);
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            return Fail(run, new SyncError(SyncStage.Diff, "ClusterUnavailable", ClusterMessage(ex)));
        }

        // A comparison with unconfirmed absences is provisional: logged only once it is the one reported.
        var unconfirmed = run.Diff.Any(d => d.Unconfirmed);
        run.Provisional = unconfirmed;
        var compare = await CompareAndSyncAsync(run, desired, cancellationToken);
        if (syncIf(compare))
        {
            var syncRun = new Run(request with { Mode = SyncMode.Sync, SyncIf = null }, _time.GetTimestamp())
            {
                Commit = run.Commit,
                Renderer = run.Renderer,
                Diff = run.Diff,
            };
            return await CompareAndSyncAsync(syncRun, desired, cancellationToken) with { Comparison = compare };
        }

        if (!unconfirmed)
        {
            return compare;
        }

        try
        {
            run.Diff = await _differ.ConfirmAsync(run.Diff, settings, cancellationToken);
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            return Fail(run, new SyncError(SyncStage.Diff, "ClusterUnavailable", ClusterMessage(ex)));
        }

        run.Provisional = false;
        return await CompareAndSyncAsync(run, desired, cancellationToken);
    }

    /// <summary>
    /// For a chart, has the source fetch the dependencies it neither vendors in charts/ nor names with file://
    /// (with <see cref="SourceRequest.DependencyCredentials"/>) and lists their archives in the options.
    /// </summary>
    /// <exception cref="SourceException">A dependency cannot be fetched.</exception>
    private async Task<HelmSourceOptions?> HelmOptionsAsync(SyncRequest request, string root, string path, CancellationToken cancellationToken)
    {
        var helm = request.Render.Helm;
        var (_, directory) = RepoTree.Open(root).ResolveAppPath(path);
        if (helm is null || !File.Exists(Path.Combine(directory, "Chart.yaml")))
        {
            return helm;
        }

        var fetched = await _charts.DependenciesAsync(request.Source, directory, cancellationToken);
        return fetched.Count == 0 ? helm : helm with { FetchedDependencies = fetched };
    }

    /// <summary>
    /// Deletes every object of an inventory that still carries the owner's tracking id (for an Application deleted
    /// with the resources finalizer). Objects that fail to delete stay in the returned inventory.
    /// </summary>
    public async Task<SyncResult> DeleteAllAsync(string owner, IReadOnlyList<InventoryEntry> inventory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (!Tracking.IsValidOwner(owner))
        {
            throw new ArgumentException($"the owner must be \"namespace/name\", got \"{owner}\"", nameof(owner));
        }

        var run = new Run(new SyncRequest { Owner = owner, Source = new SourceRequest { RepoUrl = "" }, Mode = SyncMode.Sync, PreviousInventory = inventory }, _time.GetTimestamp());
        List<PruneOutcome> outcomes;
        try
        {
            outcomes = await _pruner.PruneAsync(owner, inventory, delete: true, cancellationToken);
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            return Fail(run, new SyncError(SyncStage.Apply, "ClusterUnavailable", ClusterMessage(ex)));
        }

        var resources = outcomes.Where(o => o.State is not PruneState.Gone).Select(o => StaleResult(o, SyncMode.Sync)).ToList();
        var failed = outcomes.Count(o => o.State == PruneState.Failed);
        return new SyncResult
        {
            Owner = owner,
            Mode = SyncMode.Sync,
            Sync = failed > 0 ? SyncStatus.OutOfSync : SyncStatus.Synced,
            Health = HealthResult.Healthy(),
            Resources = resources,
            // An object still terminating stays until it is gone: deleting an Application with the resources
            // finalizer ends only once its objects are gone, finalizers and all (as Argo CD's foreground deletion).
            Inventory = [.. outcomes.Where(o => o.Keep).Select(o => o.Entry).OrderBy(e => e.Id, StringComparer.Ordinal)],
            Counts = new SyncCounts(0, 0, 0, outcomes.Count(o => o.Deleted), failed),
            Error = failed > 0 ? new SyncError(SyncStage.Apply, "PruneFailed", Summarize("could not be deleted", resources.Where(r => r.Action == ResourceAction.Failed).ToList(), outcomes.Count)) : null,
            Duration = _time.GetElapsedTime(run.Started),
        };
    }

    /// <summary>Forgets an owner that was deleted: the kinds only it needed stop being watched.</summary>
    public Task ForgetAsync(string owner) => LiveCache.ReleaseAsync(owner);

    private async Task<SyncResult> CompareAndSyncAsync(Run run, DesiredSet desired, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var sync = request.Mode == SyncMode.Sync;
        DiffEntry[] diff;
        try
        {
            diff = run.Diff ?? await _differ.DiffAsync(
                desired.Objects,
                new DiffSettings { ConfirmAbsent = !sync, BypassVerdicts = request.Source.Hard, Owner = request.Owner, OwnerExists = request.OwnerExists },
                cancellationToken);
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            return Fail(run, new SyncError(SyncStage.Diff, "ClusterUnavailable", ClusterMessage(ex)));
        }

        // A hook is never stale: an object that turned into a hook is run as one, not pruned after it ran.
        var rendered = desired.Objects.Concat(desired.Hooks).Select(o => o.Ref.InventoryId).ToHashSet(StringComparer.Ordinal);
        var stale = request.PreviousInventory.Where(e => !rendered.Contains(e.Id)).DistinctBy(e => e.Id).ToList();
        var outcomes = new Dictionary<string, ApplyOutcome>(StringComparer.Ordinal);
        var hookOutcomes = new List<ApplyOutcome>();
        var errors = new List<SyncError>();
        var applied = true;
        var pruneDelete = false;
        var hooksDue = false;
        var failures = false;
        string? pruneNote = null;

        try
        {
            if (sync)
            {
                var drifted = diff.Where(d => d.Action is DiffAction.Create or DiffAction.Update).Select(d => new ApplyItem(d.Desired!, d)).ToList();

                // Hooks run with a sync that changes something (applies or prunes), or one asked to run them (a manual
                // sync, a retry), never with an automated one that finds nothing to do, so a steady state writes
                // nothing: Argo CD runs hooks once per sync operation, and automated syncs happen only when the app is
                // OutOfSync.
                hooksDue = desired.Hooks.Count > 0
                    && (request.RunHooks || drifted.Count > 0 || (stale.Count > 0 && request.Options.Prune && (desired.Objects.Count > 0 || request.Options.AllowEmpty)));
                applied = await ApplyAsync(run, desired, drifted, hooksDue, outcomes, hookOutcomes, errors, cancellationToken);
                failures = outcomes.Values.Any(o => !o.Succeeded) || diff.Any(d => d.Action == DiffAction.Failed) || !applied;
                if (stale.Count > 0 && request.Options.Prune)
                {
                    if (desired.Objects.Count == 0 && !request.Options.AllowEmpty)
                    {
                        errors.Add(new SyncError(SyncStage.Apply, "PruneRefused",
                            $"refusing to prune all {stale.Count} objects: the source rendered no objects (allow empty syncs to let this happen)"));
                    }
                    else if (failures)
                    {
                        pruneNote = "not pruned: some objects failed to apply; pruning waits for a clean sync";
                    }
                    else
                    {
                        pruneDelete = true;
                    }
                }
            }

            var pruned = stale.Count == 0 ? [] : await _pruner.PruneAsync(request.Owner, stale, pruneDelete, cancellationToken);
            if (hooksDue && desired.Hooks.Any(h => h.Hook!.RunsIn(HookPhase.After))
                && !failures && errors.Count == 0 && pruned.All(p => p.State != PruneState.Failed))
            {
                await WhileWaitingAsync(request, async () =>
                {
                    await RunPostHooksAsync(desired, diff, outcomes, hookOutcomes, errors, cancellationToken);
                    return true;
                });
            }

            return Finish(run, desired, diff, outcomes, hookOutcomes, stale, pruned, pruneNote, errors, applied);
        }
        catch (Exception ex) when (IsClusterFailure(ex))
        {
            // Applies catch their own failures; this is a lookup (prune, hooks) failing. Report what was done; the stale
            // entries stay in the inventory (Finish keeps every one not settled), so the next run prunes or lists them.
            errors.Add(new SyncError(sync ? SyncStage.Apply : SyncStage.Diff, "ClusterUnavailable", ClusterMessage(ex)));
            return Finish(run, desired, diff, outcomes, hookOutcomes, stale, [], null, errors, applied);
        }
    }

    /// <summary>Creates the namespace, runs the pre-hooks, applies. False when nothing could be applied.</summary>
    private async Task<bool> ApplyAsync(
        Run run, DesiredSet desired, List<ApplyItem> drifted, bool hooksDue, Dictionary<string, ApplyOutcome> outcomes, List<ApplyOutcome> hookOutcomes,
        List<SyncError> errors, CancellationToken cancellationToken)
    {
        var request = run.Request;
        if (drifted.Count == 0 && !hooksDue)
        {
            return true;
        }

        if (request.Options.CreateNamespace && request.DestinationNamespace is { Length: > 0 } ns)
        {
            if (await _applier.EnsureNamespaceAsync(ns, cancellationToken) is { } problem)
            {
                errors.Add(new SyncError(SyncStage.Apply, "NamespaceFailed", problem));
                return false;
            }
        }

        if (hooksDue)
        {
            var (before, ok) = await WhileWaitingAsync(request, () => _applier.RunHooksAsync(desired.Hooks, HookPhase.Before, cancellationToken));
            hookOutcomes.AddRange(before);
            if (!ok)
            {
                errors.Add(new SyncError(SyncStage.Apply, "HookFailed", $"{before[^1].Ref}: {before[^1].Message}; nothing else was applied"));
                return false;
            }
        }

        foreach (var outcome in await _applier.ApplyAsync(drifted, request.Options.Replace, cancellationToken))
        {
            outcomes[outcome.Ref.Key] = outcome;
        }

        return true;
    }

    /// <summary>Runs a wait (hooks, health before post-hooks) inside the caller's <see cref="SyncRequest.WhileWaiting"/> lease.</summary>
    private static async Task<T> WhileWaitingAsync<T>(SyncRequest request, Func<Task<T>> wait)
    {
        using (request.WhileWaiting?.Invoke())
        {
            return await wait();
        }
    }

    /// <summary>
    /// After a clean apply and prune (with post-hooks to run): waits for the objects to be healthy, then runs them. Argo CD runs
    /// PostSync hooks only once the synced resources are Healthy (a smoke test or a notification must not run against
    /// a half-rolled-out Deployment); Helm waits only with --wait. Keelson follows Argo CD.
    /// </summary>
    private async Task RunPostHooksAsync(
        DesiredSet desired, DiffEntry[] diff, Dictionary<string, ApplyOutcome> outcomes, List<ApplyOutcome> hookOutcomes, List<SyncError> errors,
        CancellationToken cancellationToken)
    {
        var objects = diff.Where(d => d.Desired is not null)
            .Select(d => (d.Desired!, outcomes.TryGetValue(d.Resource.Key, out var o) ? o.Live : d.LiveState))
            .ToList();
        var refreshed = new Dictionary<string, LiveObject>(StringComparer.Ordinal);
        var problem = await _applier.WaitHealthyAsync(objects, refreshed, cancellationToken);

        // The result reports the health the wait saw, not the one from just after the apply.
        foreach (var (key, live) in refreshed)
        {
            if (outcomes.TryGetValue(key, out var outcome) && outcome.Succeeded)
            {
                outcomes[key] = outcome with { Live = live };
            }
        }

        if (problem is not null)
        {
            errors.Add(new SyncError(SyncStage.Apply, "PostHooksNotRun", $"post-install/post-upgrade hooks not run: {problem}"));
            return;
        }

        var (after, ok) = await _applier.RunHooksAsync(desired.Hooks, HookPhase.After, cancellationToken);
        hookOutcomes.AddRange(after);
        if (!ok)
        {
            errors.Add(new SyncError(SyncStage.Apply, "HookFailed", $"{after[^1].Ref}: {after[^1].Message}"));
        }
    }

    private SyncResult Finish(
        Run run, DesiredSet desired, DiffEntry[] diff, Dictionary<string, ApplyOutcome> outcomes, List<ApplyOutcome> hookOutcomes,
        List<InventoryEntry> stale, List<PruneOutcome> pruned, string? pruneNote, List<SyncError> errors, bool applied)
    {
        var request = run.Request;
        var sync = request.Mode == SyncMode.Sync;
        var resources = new List<ResourceResult>(diff.Length + pruned.Count + hookOutcomes.Count);
        var healths = new List<ResourceHealth>(diff.Length);
        int created = 0, configured = 0, unchanged = 0, failed = 0;
        var rejected = new List<ResourceResult>();
        var shared = new List<ResourceResult>();
        foreach (var entry in diff)
        {
            var result = ResourceResult.For(entry.Resource);
            LiveObject? live;
            outcomes.TryGetValue(entry.Resource.Key, out var outcome);
            if (entry.Action == DiffAction.OwnedElsewhere)
            {
                live = entry.LiveState;
                result = result with
                {
                    Status = SyncStatus.OutOfSync,
                    OwnedBy = entry.OtherOwner,
                    Message = $"owned by Application {entry.OtherOwner}; not applied (remove it from one of the two, or delete that Application)",
                };
                shared.Add(result);
            }
            else if (entry.Action == DiffAction.Failed)
            {
                live = entry.LiveState;
                result = result with { Status = SyncStatus.OutOfSync, Message = entry.Message, Action = sync ? ResourceAction.Failed : null };
                failed++;
                rejected.Add(result);
            }
            else if (outcome is not null)
            {
                live = outcome.Succeeded ? outcome.Live : entry.LiveState;
                result = result with
                {
                    Status = outcome.Succeeded ? SyncStatus.Synced : SyncStatus.OutOfSync,
                    Action = outcome.Action,
                    Message = outcome.Message,
                };
                switch (outcome.Action)
                {
                    case ResourceAction.Created:
                        created++;
                        break;
                    case ResourceAction.Configured:
                        configured++;
                        break;
                    default:
                        failed++;
                        rejected.Add(result);
                        break;
                }
            }
            else
            {
                live = entry.LiveState;
                var inSync = entry.Action == DiffAction.None;
                result = result with
                {
                    Status = inSync ? SyncStatus.Synced : SyncStatus.OutOfSync,
                    Action = sync && inSync ? ResourceAction.Unchanged : null,
                    Message = inSync ? null : entry.Immutable ? $"{entry.Message} (immutable field)" : entry.Message,
                };
                if (sync && inSync)
                {
                    unchanged++;
                }
            }

            var health = _health.Assess(live?.ToJson());
            healths.Add(new ResourceHealth(entry.Resource.Kind, entry.Resource.Namespace, entry.Resource.Name, health));
            resources.Add(result with { Health = health });
        }

        var prunedCount = 0;
        foreach (var outcome in pruned)
        {
            if (outcome.State == PruneState.Gone || (!sync && outcome.State == PruneState.NotOwned))
            {
                continue;
            }

            var result = StaleResult(outcome, request.Mode);
            if (pruneNote is not null && outcome.State == PruneState.Kept)
            {
                result = result with { Message = pruneNote };
            }

            if (outcome.Terminating)
            {
                // Still running until its finalizers are done: Progressing, as Argo CD shows an object pending deletion.
                var health = HealthResult.Progressing(outcome.Message ?? "being deleted");
                healths.Add(new ResourceHealth(outcome.Ref.Kind, outcome.Ref.Namespace, outcome.Ref.Name, health));
                result = result with { Health = health };
            }

            prunedCount += outcome.Deleted ? 1 : 0;
            if (outcome.State == PruneState.Failed)
            {
                failed++;
                rejected.Add(result);
            }

            resources.Add(result);
        }

        foreach (var hook in hookOutcomes)
        {
            resources.Add(ResourceResult.For(hook.Ref) with
            {
                Hook = true,
                Status = hook.Succeeded ? SyncStatus.Synced : SyncStatus.OutOfSync,
                Action = hook.Action,
                Message = hook.Message,
            });
        }

        if (rejected.Count > 0)
        {
            var what = sync ? "failed" : "were rejected by the API server";
            errors.Insert(0, new SyncError(sync ? SyncStage.Apply : SyncStage.Diff, sync ? "ApplyFailed" : "InvalidObjects", Summarize(what, rejected, diff.Length + pruned.Count)));
        }

        var outOfSync = resources.Any(r => !r.Hook && (r.Status != SyncStatus.Synced || r.RequiresPruning));
        // A stale entry leaves the inventory only once its fate is known (gone, pruned, someone else's): one the prune
        // never reached (a lookup failed, the run was cut short) stays, or its object would never be pruned or listed
        // again — the orphan Flux users met when an inventory was rewritten after a failed prune.
        var settled = pruned.Where(p => !p.Keep).Select(p => p.Entry.Id).ToHashSet(StringComparer.Ordinal);
        var inventory = applied
            ? desired.Objects.Select(o => InventoryEntry.Of(o.Ref)).Concat(stale.Where(e => e.ToRef() is not null && !settled.Contains(e.Id)))
            : request.PreviousInventory;
        var error = errors.Count == 0 ? null : errors.Count == 1 ? errors[0] : errors[0] with { Message = string.Join("; ", errors.Select(e => e.Message)) };
        var result2 = new SyncResult
        {
            Owner = request.Owner,
            Mode = request.Mode,
            Commit = run.Commit,
            Renderer = run.Renderer,
            Sync = outOfSync || error is not null ? SyncStatus.OutOfSync : SyncStatus.Synced,
            Health = HealthAssessor.Aggregate(healths),
            Resources = resources,
            Inventory = [.. inventory.DistinctBy(e => e.Id).OrderBy(e => e.Id, StringComparer.Ordinal)],
            Counts = new SyncCounts(created, configured, unchanged, prunedCount, failed),
            Diff = diff,
            Error = error,
            Warnings = shared.Count == 0 ? [] : [new SyncWarning(SyncWarning.SharedResource, SharedSummary(shared))],
            Duration = _time.GetElapsedTime(run.Started),
        };
        if (!run.Provisional)
        {
            LogFinished(request.Owner, request.Mode, run.Commit?.Sha, result2.Sync, created, configured, prunedCount, failed, result2.Duration.TotalMilliseconds);
        }

        return result2;
    }

    private static ResourceResult StaleResult(PruneOutcome outcome, SyncMode mode)
    {
        var result = ResourceResult.For(outcome.Ref) with { Message = outcome.Message };
        return outcome.State switch
        {
            PruneState.Pruned => result with { Status = SyncStatus.Synced, Action = ResourceAction.Pruned },
            PruneState.NotOwned => result with { Status = SyncStatus.Synced, Action = ResourceAction.PruneSkipped },
            PruneState.Failed => result with { Status = SyncStatus.OutOfSync, RequiresPruning = true, Action = ResourceAction.Failed },
            _ => result with { Status = SyncStatus.OutOfSync, RequiresPruning = true, Action = mode == SyncMode.Sync ? null : null },
        };
    }

    private async Task<DesiredSet> PrepareAsync(SyncRequest request, RenderResult render, CancellationToken cancellationToken)
    {
        var key = $"{request.Owner}\n{request.DestinationNamespace}";
        var sets = _prepared.GetValue(render, _ => new ConcurrentDictionary<string, DesiredSet>(StringComparer.Ordinal));
        if (sets.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var prepared = await DesiredState.PrepareAsync(request.Owner, render, request.DestinationNamespace, _client.Mapper, cancellationToken);
        if (prepared.Complete)
        {
            sets[key] = prepared;
        }

        return prepared;
    }

    /// <summary>The kinds an owner needs watched: what it renders and what its inventory still names.</summary>
    private async Task<List<ApiResource>> KindsAsync(DesiredSet desired, IReadOnlyList<InventoryEntry> inventory, CancellationToken cancellationToken)
    {
        var kinds = new Dictionary<(string, string, string), ApiResource>();
        foreach (var obj in desired.Objects)
        {
            if (obj.Resource is { } r)
            {
                kinds.TryAdd((r.Group, r.Version, r.Resource), r);
            }
        }

        foreach (var entry in inventory)
        {
            if (entry.ToRef() is { } reference && !desired.Objects.Any(o => o.Ref.Group == reference.Group && o.Ref.Version == reference.Version && o.Ref.Kind == reference.Kind)
                && await _client.Mapper.TryResolveAsync(reference.GroupVersionKind, cancellationToken) is { } r)
            {
                kinds.TryAdd((r.Group, r.Version, r.Resource), r);
            }
        }

        return [.. kinds.Values];
    }

    private SyncResult Fail(Run run, SyncError error)
    {
        LogFailed(run.Request.Owner, error.Stage, error.Message);
        return new SyncResult
        {
            Owner = run.Request.Owner,
            Mode = run.Request.Mode,
            Commit = run.Commit,
            Renderer = run.Renderer,
            Sync = SyncStatus.Unknown,
            Health = new HealthResult(HealthStatus.Unknown, $"not assessed: {error.Message}"),
            Inventory = run.Request.PreviousInventory,
            Error = error,
            Duration = _time.GetElapsedTime(run.Started),
        };
    }

    private static string Summarize(string what, List<ResourceResult> failures, int total)
    {
        var shown = string.Join("; ", failures.Take(3).Select(f => $"{f}: {f.Message}"));
        var more = failures.Count > 3 ? $" (and {failures.Count - 3} more)" : "";
        return $"{failures.Count} of {total} objects {what}: {shown}{more}";
    }

    private static string SharedSummary(List<ResourceResult> shared)
    {
        var shown = string.Join("; ", shared.Take(3).Select(r => $"{r} (owned by {r.OwnedBy})"));
        var more = shared.Count > 3 ? $" (and {shared.Count - 3} more)" : "";
        var what = shared.Count == 1
            ? "1 rendered object belongs to another Application and was not applied"
            : $"{shared.Count} rendered objects belong to other Applications and were not applied";
        return $"{what}: {shown}{more}";
    }

    private static bool IsClusterFailure(Exception ex) =>
        ex is KubeApiException or HttpRequestException or IOException or Kubernetes.Discovery.UnknownKindException
        || (ex is TaskCanceledException && ex.InnerException is TimeoutException);

    private static string ClusterMessage(Exception ex) => ex switch
    {
        KubeApiException api => $"the API server answered: {api.Status.Message} ({api.Status.Code})",
        _ => $"the API server could not be reached: {ex.Message}",
    };

    /// <summary>What one call knows as it goes.</summary>
    private sealed class Run(SyncRequest request, long started)
    {
        public SyncRequest Request { get; } = request;

        public long Started { get; } = started;

        public CommitInfo? Commit { get; set; }

        public string? Renderer { get; set; }

        /// <summary>The comparison, when made before the call that completes the run.</summary>
        public DiffEntry[]? Diff { get; set; }

        /// <summary>A comparison that may be replaced by a fuller one; not logged.</summary>
        public bool Provisional { get; set; }
    }
}
