using System.Text.Json.Nodes;
using Keelson.Engine;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;
using Keelson.Operator.Applications;
using Keelson.Operator.Metrics;
using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Reconciliation;

/// <summary>
/// The Application controller: an informer on Applications feeds a work queue keyed by <c>namespace/name</c>; each
/// reconcile asks the <see cref="SyncEngine"/> to compare (and, when the policy says so, to sync) and writes the
/// status back only when it changed. The engine's live cache reports changes made by others to managed objects,
/// which re-queues their owner (self-heal and health updates).
/// </summary>
internal sealed partial class ApplicationReconciler : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly SyncEngine _engine;
    private readonly EventRecorder _events;
    private readonly ReconcilerOptions _options;
    private readonly OperatorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Informer _informer;
    private readonly WorkQueue<string> _queue;
    private readonly IDisposable _liveSubscription;
    private readonly IDisposable _informerSubscription;

    // Source or render failures in a row per Application and spec generation, for the retry backoff (no sync attempt
    // records them). A new spec (a fixed URL, say) starts again from the shortest wait. With them, the sync request
    // (the annotation's value) that could not run because of them and is kept for later.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long? Generation, int Count, string? SyncRequest)> _comparisonFailures = new(StringComparer.Ordinal);

    // The resourceVersion each Application had after this process last wrote it. The informer's copy is as good as a
    // GET unless it has not caught up with such a write (or someone wrote after it); then, and only then, read it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    // Syncs this process marked Running and finished but whose end it could not write: the start of the mark as
    // stored, and the status that ends it. The next reconcile records that end instead of running the sync again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset? Mark, ApplicationStatus Status)> _unrecorded = new(StringComparer.Ordinal);

    // Credentials read from the Secrets Applications name, with when they were read (the clock's timestamp): without
    // them every reconcile of every Application on a private repository would GET its Secret. Kept for
    // SecretCacheTtl; a refresh reads afresh (a rotated password, a Secret just fixed). Misses are not kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (GitCredentials Credentials, long ReadAt)> _secrets = new(StringComparer.Ordinal);

    // The cluster's version and API versions for charts' .Capabilities, asked for at most once a minute.
    private ClusterCapabilities? _capabilities;

    public ApplicationReconciler(
        KubeClient client,
        SyncEngine engine,
        EventRecorder events,
        ReconcilerOptions options,
        OperatorMetrics metrics,
        TimeProvider time,
        ILogger<ApplicationReconciler> logger)
    {
        _client = client;
        _engine = engine;
        _events = events;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _informer = new Informer(client, ApplicationNames.Resource, new InformerOptions { Namespace = options.Namespace, Transform = InformerTransforms.StripManagedFields, Compact = true });
        _queue = new WorkQueue<string>(new WorkQueueOptions { Name = "applications", TimeProvider = time, Logger = logger, BaseDelay = TimeSpan.FromMilliseconds(500), DrainTimeout = options.ShutdownGrace });
        _informerSubscription = _informer.AddHandler(new InformerHandler
        {
            OnAdd = app => Enqueue(app),
            OnUpdate = (old, app) =>
            {
                if (NeedsReconcile(old, app))
                {
                    Enqueue(app);
                }
            },
            OnDelete = app => Enqueue(app),
        });
        _liveSubscription = engine.LiveCache.Subscribe(change => _queue.Add(change.Owner));
    }

    /// <summary>True once the Applications have been listed.</summary>
    public bool HasSynced => _informer.HasSynced;

    /// <summary>Keys waiting or in progress (a gauge for /metrics).</summary>
    public int QueueDepth => _queue.Count + _queue.WaitingCount + _queue.ProcessingCount;

    /// <summary>Runs the informer and the workers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var informer = _informer.RunAsync(cancellationToken);
        try
        {
            await _informer.WaitForSyncAsync(cancellationToken);
            LogStarted(_informer.Count, _options.Concurrency);
            await _queue.RunAsync(ReconcileAsync, _options.Concurrency, cancellationToken);
        }
        finally
        {
            try
            {
                await informer;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _liveSubscription.Dispose();
        _informerSubscription.Dispose();
        await _queue.ShutDownAsync();
        _queue.Dispose();
    }

    private void Enqueue(JsonObject app)
    {
        if (app.GetKey() is { } key)
        {
            _queue.Add(key);
        }
    }

    // Our own status writes come back as updates; only what a user changed needs a reconcile.
    private static bool NeedsReconcile(JsonObject old, JsonObject app) =>
        old.GetGeneration() != app.GetGeneration()
        || old.GetAnnotation(ApplicationNames.RefreshAnnotation) != app.GetAnnotation(ApplicationNames.RefreshAnnotation)
        || old.GetAnnotation(ApplicationNames.SyncAnnotation) != app.GetAnnotation(ApplicationNames.SyncAnnotation)
        || old.GetDeletionTimestamp() != app.GetDeletionTimestamp()
        || !old.GetFinalizers().SequenceEqual(app.GetFinalizers());

    private async Task<WorkResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        // The stored status is what decides what was handled, and the informer may lag behind our own last write.
        var (ns, name) = KubeObject.SplitKey(key);
        var app = _informer.Get(key);
        if (app is not null && _written.TryGetValue(key, out var written) && written != app.GetResourceVersion())
        {
            app = await _client.TryGetAsync(ApplicationNames.Resource, ns, name, cancellationToken);
        }

        if (app is null)
        {
            _written.TryRemove(key, out _);
            _unrecorded.TryRemove(key, out _);
            // Deleted (without the finalizer, its objects stay): stop watching kinds only it needed.
            await _engine.ForgetAsync(key);
            _metrics.Forget(key);
            _comparisonFailures.TryRemove(key, out _);
            RecheckShared(key);
            return WorkResult.Done;
        }

        var started = _time.GetTimestamp();
        try
        {
            return app.GetDeletionTimestamp() is not null
                ? await FinalizeAsync(key, app, cancellationToken)
                : await SyncAsync(key, app, cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsConflict || ex.IsNotFound)
        {
            _written.TryRemove(key, out _);
            // Someone changed or deleted the Application meanwhile; its informer event re-queues it.
            LogStale(key, ex.Message);
            return WorkResult.Done;
        }
        catch (KubeApiException ex)
        {
            LogApiError(key, ex.Message);
            return WorkResult.Retry;
        }
        finally
        {
            _metrics.ObserveReconcile(_time.GetElapsedTime(started));
        }
    }

    private async Task<WorkResult> FinalizeAsync(string key, JsonObject app, CancellationToken cancellationToken)
    {
        if (!app.GetFinalizers().Contains(ApplicationNames.ResourcesFinalizer))
        {
            return WorkResult.Done;
        }

        var previous = ApplicationStatus.FromObject(app);
        var inventory = previous.Inventory.Select(i => new InventoryEntry(i.Id, i.Version)).ToList();
        var result = await _engine.DeleteAllAsync(key, inventory, cancellationToken);
        if (result.Inventory.Count > 0)
        {
            await WriteStatusAsync(app, previous, StatusBuilder.Deleting(previous, app.GetGeneration(), result), cancellationToken);
            if (result.Error is not null)
            {
                _events.Record(app, EventType.Warning, "DeleteFailed", "Delete", result.Error.Message);
            }

            return WorkResult.RequeueAfter(_options.DeletionPollInterval);
        }

        _events.Record(app, EventType.Normal, "ResourcesDeleted", "Delete", $"deleted {inventory.Count} resources");
        var finalizers = new JsonArray([.. app.GetFinalizers().Where(f => f != ApplicationNames.ResourcesFinalizer).Select(f => (JsonNode)JsonValue.Create(f))]);
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = app.GetResourceVersion() },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/finalizers", ["value"] = finalizers });
        Wrote(await _client.PatchAsync(ApplicationNames.Resource, app.GetNamespace(), app.GetName()!, PatchType.Json, patch, null, cancellationToken));
        await _engine.ForgetAsync(key);
        LogFinalized(key, inventory.Count);
        return WorkResult.Done;
    }

    private async Task<WorkResult> SyncAsync(string key, JsonObject app, CancellationToken cancellationToken)
    {
        var stored = ApplicationStatus.FromObject(app);
        var previous = stored;
        if (stored.Operation is { Phase: OperationPhases.Running } shown && _unrecorded.TryGetValue(key, out var ended) && ended.Mark == shown.StartedAt)
        {
            previous = stored with { Operation = ended.Status.Operation, History = ended.Status.History };
        }
        var generation = app.GetGeneration();
        var refresh = app.GetAnnotation(ApplicationNames.RefreshAnnotation);
        var syncRequest = app.GetAnnotation(ApplicationNames.SyncAnnotation);
        // Both annotations are removed once handled (as Argo CD does with its refresh annotation), so writing the
        // same value again (`hard`, say) asks again.
        var refreshRequested = refresh is not null;
        var syncRequested = syncRequest is not null;

        ApplicationSpec spec;
        try
        {
            spec = ApplicationSpec.Parse(app);
        }
        catch (SpecException ex)
        {
            var invalid = StatusBuilder.InvalidSpec(previous, generation, ex) with { LastHandledRefresh = refresh, LastHandledSync = syncRequest };
            if (await WriteStatusAsync(app, stored, invalid, cancellationToken))
            {
                _events.Record(app, EventType.Warning, ConditionTypes.InvalidSpecError, "Reconcile", ex.Message);
            }

            if (refreshRequested || syncRequested)
            {
                await RemoveAnnotationsAsync(app, refreshRequested, syncRequested, cancellationToken);
            }

            return WorkResult.Done;
        }

        var request = Request(key, spec, previous, hard: refreshRequested && string.Equals(refresh, "hard", StringComparison.OrdinalIgnoreCase));
        // A person asking (a refresh, or a sync: "sync now" means the commit pushed a moment ago) gets the server's
        // refs as they are now, not a few seconds' cached answer, and a server that failed a moment ago is asked
        // again. Once: a sync request kept because the source failed waits on the source's own backoff after that.
        var freshSync = syncRequested && !(_comparisonFailures.TryGetValue(key, out var failing) && failing.SyncRequest == syncRequest);
        request = request with { Source = request.Source with { FreshRefs = refreshRequested || freshSync }, OwnerExists = ApplicationExists };
        request = request with { Render = request.Render with { Helm = await WithCapabilitiesAsync(spec.Source.Helm, cancellationToken) } };
        var (credentials, dependencyCredentials, credentialError) = await CredentialsAsync(app, spec, fresh: refreshRequested, cancellationToken);
        request = request with { Source = request.Source with { Credentials = credentials, DependencyCredentials = dependencyCredentials } };
        // The engine asks whether to sync once it has compared, and syncs on that same comparison. Every sync decided
        // here is a whole sync operation and runs its hooks, as Argo CD's does: one the user asked for, or the retry of
        // a failed one (the failure may have been a post-sync hook), runs them even when nothing drifted. Decide syncs
        // automatically only when something differs, so a steady state runs none.
        Decision? decision = null;
        string? compared = null;
        Task<(JsonObject App, ApplicationStatus Status)?>? running = null;
        request = request with
        {
            SyncIf = c =>
            {
                compared = c.Revision;
                return (decision = Decide(spec, previous, generation, c, syncRequested)).Trigger is not null;
            },
            WhileWaiting = () =>
            {
                // A sync waiting on hooks shows that it runs (operationState Running), not the last result, for the
                // minutes a migration Job may take. Written once, beside the wait; the final status write follows it.
                running ??= MarkRunningAsync(app, previous, generation, compared, decision, cancellationToken);
                return _queue.Lend();
            },
            RunHooks = true,
        };
        var result = credentialError is null
            ? await _engine.SyncAsync(request, cancellationToken)
            : new Engine.SyncResult
            {
                Owner = key,
                Mode = SyncMode.Compare,
                Sync = Engine.SyncStatus.Unknown,
                Health = new Engine.Health.HealthResult(Engine.Health.HealthStatus.Unknown, null),
                Inventory = request.PreviousInventory,
                Error = credentialError,
            };
        var compare = result.Comparison ?? result;
        if (compare.Error is { Stage: SyncStage.Source })
        {
            // Perhaps refused with what the Secret said a minute ago: the next attempt reads it again.
            ForgetSecrets(app, spec);
        }

        _metrics.ObserveRun(compare);

        // Without a comparison (the source or render failed) the engine did not ask.
        decision ??= Decide(spec, previous, generation, compare, syncRequested);
        SyncAttempt? attempt = null;
        if (result.Comparison is not null && decision.Trigger is { } trigger)
        {
            _metrics.ObserveRun(result);
            var finishedAt = _time.GetUtcNow();
            attempt = new SyncAttempt(trigger, finishedAt - result.Duration, finishedAt, result, decision.RetryCount, decision.SelfHealCount);
            RecordSync(app, attempt);
        }
        else if (compare.Error is not null && compare.Error.Message != previous.Conditions.FirstOrDefault(c => c.Type == compare.Error.Condition)?.Message)
        {
            _events.Record(app, EventType.Warning, compare.Error.Condition, "Compare", compare.Error.Message);
        }

        var status = StatusBuilder.Build(previous, generation, compare, attempt, spec.SyncPolicy, _options.MaxStatusResources) with
        {
            LastHandledRefresh = refresh,
            // A sync request kept for later (the comparison failed) is not handled yet.
            LastHandledSync = syncRequested && attempt is null ? previous.LastHandledSync : syncRequest,
        };
        // After a Running mark the stored status is that mark: the final write compares with it and patches over it.
        var (written, writtenStatus) = running is not null && await running is { } marked ? marked : (app, stored);
        try
        {
            await WriteStatusAsync(written, writtenStatus, status, cancellationToken);
            _unrecorded.TryRemove(key, out _);
        }
        catch (Exception) when (writtenStatus.Operation is { Phase: OperationPhases.Running } mark)
        {
            _unrecorded[key] = (mark.StartedAt, status);
            throw;
        }

        if (Shared(status) is { } shared && Shared(previous)?.Message != shared.Message)
        {
            _events.Record(app, EventType.Warning, SyncWarning.SharedResource, "Compare", shared.Message ?? "");
        }

        if (attempt?.Result.Counts.Pruned > 0)
        {
            // What this one no longer renders may be what another one was kept from applying.
            RecheckShared(key);
        }

        // A sync asked for while the source or render fails did not run: the request stays until it can.
        var syncHandled = syncRequested && attempt is not null;

        if (refreshRequested || syncHandled)
        {
            await RemoveAnnotationsAsync(app, refreshRequested, syncHandled, cancellationToken);
        }

        _metrics.Observe(key, status);
        var failures = compare.Error is not null && attempt is null
            ? _comparisonFailures.AddOrUpdate(
                key, (generation, 1, syncRequest), (_, n) => (generation, n.Generation == generation ? n.Count + 1 : 1, syncRequest)).Count
            : 0;
        if (failures == 0)
        {
            _comparisonFailures.TryRemove(key, out _);
        }

        return WorkResult.RequeueAfter(NextCheck(spec, status, attempt, decision, failures));
    }

    private static Condition? Shared(ApplicationStatus status) =>
        status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.SharedResourceWarning && c.IsTrue);

    /// <summary>
    /// Whether the Application a tracking id names still exists (objects of one that is gone may be adopted). One in a
    /// namespace this operator does not watch cannot be known to be gone, so it counts as existing.
    /// </summary>
    private bool ApplicationExists(string owner) =>
        (_options.Namespace is { Length: > 0 } watched && KubeObject.SplitKey(owner).Namespace != watched) || _informer.Contains(owner);

    /// <summary>
    /// Re-queues the Applications that leave objects to another one: <paramref name="changed"/> is gone or pruned
    /// something, so they may now apply what they render. Rare (deletes and prunes), and a reconcile that finds nothing
    /// new writes nothing.
    /// </summary>
    private void RecheckShared(string changed)
    {
        foreach (var app in _informer.List())
        {
            if (app.GetKey() is { } key && key != changed && Conditions.IsTrue(app, ConditionTypes.SharedResourceWarning))
            {
                _queue.Add(key);
            }
        }
    }

    private static readonly ApiResource Secrets = new("", "v1", "secrets", "Secret", Namespaced: true);

    /// <summary>
    /// Reads <c>spec.source.secretRef</c> (a Secret in the Application's namespace, like Argo CD's repository secrets:
    /// username, password, sshPrivateKey, knownHosts, caFile) and the Secrets of <c>spec.source.helm.repositories</c>
    /// (username, password, caFile; each for the Helm repositories under its URL, used for a chart's dependencies).
    /// An Application only ever uses Secrets of its own namespace that its spec names. The values only go to the source.
    /// </summary>
    private async Task<(GitCredentials? Credentials, IReadOnlyList<RepositoryCredentials> Dependencies, SyncError? Error)> CredentialsAsync(
        JsonObject app, ApplicationSpec spec, bool fresh, CancellationToken cancellationToken)
    {
        GitCredentials? credentials = null;
        if (spec.Source.SecretName is { } name)
        {
            (credentials, var error) = await ReadCredentialsAsync(app, name, "spec.source.secretRef", fresh, cancellationToken);
            if (error is not null)
            {
                return (null, [], error);
            }
        }

        var dependencies = new List<RepositoryCredentials>();
        for (var i = 0; i < spec.Source.DependencyRepositories.Count; i++)
        {
            var repo = spec.Source.DependencyRepositories[i];
            var (read, error) = await ReadCredentialsAsync(app, repo.SecretName, $"spec.source.helm.repositories[{i}].secretRef", fresh, cancellationToken);
            if (error is not null)
            {
                return (credentials, [], error);
            }

            dependencies.Add(new RepositoryCredentials { Url = repo.Url, Credentials = read! });
        }

        return (credentials, dependencies, null);
    }

    private async Task<(GitCredentials? Credentials, SyncError? Error)> ReadCredentialsAsync(
        JsonObject app, string name, string field, bool fresh, CancellationToken cancellationToken)
    {
        var key = KubeObject.Key(app.GetNamespace(), name);
        if (!fresh && _secrets.TryGetValue(key, out var cached) && _time.GetElapsedTime(cached.ReadAt) < _options.SecretCacheTtl)
        {
            return (cached.Credentials, null);
        }

        var secret = await _client.TryGetAsync(Secrets, app.GetNamespace(), name, cancellationToken);
        if (secret is null)
        {
            _secrets.TryRemove(key, out _);
            return (null, new SyncError(SyncStage.Source, "SecretNotFound", $"the Secret {app.GetNamespace()}/{name} named by {field} does not exist"));
        }

        var credentials = Credentials(secret);
        ForgetExpiredSecrets();
        _secrets[key] = (credentials, _time.GetTimestamp());
        return (credentials, null);
    }

    private void ForgetSecrets(JsonObject app, ApplicationSpec spec)
    {
        foreach (var name in spec.Source.DependencyRepositories.Select(r => r.SecretName).Append(spec.Source.SecretName).OfType<string>())
        {
            _secrets.TryRemove(KubeObject.Key(app.GetNamespace(), name), out _);
        }
    }

    /// <summary>Drops expired entries once there are many (Secrets no Application names any more).</summary>
    private void ForgetExpiredSecrets()
    {
        if (_secrets.Count < 1024)
        {
            return;
        }

        foreach (var (key, entry) in _secrets)
        {
            if (_time.GetElapsedTime(entry.ReadAt) >= _options.SecretCacheTtl)
            {
                _secrets.TryRemove(key, out _);
            }
        }
    }

    private static GitCredentials Credentials(JsonObject secret)
    {
        string? Read(string field)
        {
            if (JsonRead.String(JsonRead.Object(secret, "data"), field) is not { } encoded)
            {
                return null;
            }

            try
            {
                return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return new GitCredentials
        {
            Username = Read("username"),
            Password = Read("password"),
            SshPrivateKey = Read("sshPrivateKey"),
            KnownHosts = Read("knownHosts"),
            CaCertificate = Read("caFile"),
        };
    }

    private static SyncRequest Request(string key, ApplicationSpec spec, ApplicationStatus previous, bool hard) => new()
    {
        Owner = key,
        Source = new SourceRequest { RepoUrl = spec.Source.RepoUrl, Revision = spec.Source.TargetRevision, Chart = spec.Source.Chart, Hard = hard },
        Render = new RenderOptions { Path = spec.Source.Path, Directory = spec.Source.Directory, Helm = spec.Source.Helm },
        DestinationNamespace = spec.Destination.Namespace,
        Options = new SyncOptions
        {
            CreateNamespace = spec.SyncPolicy.CreateNamespace,
            Replace = spec.SyncPolicy.Replace,
            Prune = spec.SyncPolicy.Automated?.Prune ?? false,
            AllowEmpty = spec.SyncPolicy.Automated?.AllowEmpty ?? false,
        },
        Mode = SyncMode.Compare,
        PreviousInventory = [.. previous.Inventory.Select(i => new InventoryEntry(i.Id, i.Version))],
    };

    private sealed record ClusterCapabilities(string? KubeVersion, IReadOnlyList<string> ApiVersions, long FetchedAt);

    /// <summary>
    /// Fills <c>.Capabilities</c> from the target cluster unless the spec overrides them: the version from /version and
    /// the API versions from discovery, both as group/version and group/version/Kind, as Helm lists them.
    /// </summary>
    private async Task<HelmSourceOptions> WithCapabilitiesAsync(HelmSourceOptions helm, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(helm.KubeVersion) && helm.ApiVersions.Count > 0)
        {
            return helm;
        }

        var capabilities = Volatile.Read(ref _capabilities);
        if (capabilities is null || _time.GetElapsedTime(capabilities.FetchedAt) > TimeSpan.FromMinutes(1))
        {
            try
            {
                var version = await _client.GetJsonAsync("/version", cancellationToken) is JsonObject v ? JsonRead.String(v, "gitVersion") : null;
                // Every served version, as helm install sees it: a chart checking .Capabilities.APIVersions.Has for
                // a CRD's older version still served must find it.
                var served = await _client.Mapper.GetServedAsync(cancellationToken);
                var apis = served.Select(s => s.GroupVersion)
                    .Concat(served.SelectMany(s => s.Resources.Select(r => $"{s.GroupVersion}/{r.Kind}")))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                capabilities = new ClusterCapabilities(version, apis, _time.GetTimestamp());
                Volatile.Write(ref _capabilities, capabilities);
            }
            catch (Exception ex) when (ex is KubeApiException or HttpRequestException)
            {
                // The comparison will report the cluster as unreachable; until then Helm's defaults stand in.
                LogCapabilitiesUnavailable(ex.Message);
                capabilities ??= new ClusterCapabilities(null, [], 0);
            }
        }

        return helm with
        {
            KubeVersion = string.IsNullOrEmpty(helm.KubeVersion) ? capabilities.KubeVersion : helm.KubeVersion,
            ApiVersions = helm.ApiVersions.Count > 0 ? helm.ApiVersions : capabilities.ApiVersions,
        };
    }

    private sealed record Decision(string? Trigger, int RetryCount, int SelfHealCount, TimeSpan? Wait);

    /// <summary>
    /// Whether to sync now (Argo CD's rules): on request; automatically only when something to apply differs, once per
    /// (revision, spec) unless self-heal is on; a failed sync is retried with the retry policy's backoff, even when
    /// nothing differs any more (Argo CD retries the operation, hooks included, not the drift).
    /// </summary>
    private Decision Decide(ApplicationSpec spec, ApplicationStatus previous, long? generation, Engine.SyncResult compare, bool syncRequested)
    {
        if (compare.Error is not null || compare.Revision is null)
        {
            return new Decision(null, 0, 0, null);
        }

        if (syncRequested)
        {
            return new Decision("Manual", 0, 0, null);
        }

        // A sync still shown Running when a reconcile starts was cut short: this process runs one reconcile of an
        // Application at a time and reads back what it wrote, so the operator stopped mid-sync (a rollout, a crash, a
        // lost lease) or could not record the end. Run it again, hooks included, as Argo CD resumes an operation it
        // finds running; manual apps too, since someone asked for it.
        if (previous.Operation is { Phase: OperationPhases.Running } cut)
        {
            return new Decision("Resumed", cut.RetryCount, cut.SelfHealCount, null);
        }

        if (spec.SyncPolicy.Automated is not { } automated)
        {
            return new Decision(null, 0, 0, null);
        }

        var last = previous.Operation;
        var sameTarget = last is not null && last.Revision == compare.Revision && last.Generation == generation;
        var now = _time.GetUtcNow();
        if (sameTarget && last!.Phase is OperationPhases.Failed or OperationPhases.Error)
        {
            // Used up, the failure stands (StatusBuilder keeps it visible) until a new revision, spec or manual sync.
            if (spec.SyncPolicy.Retry is not { } retry || last.RetryCount >= retry.Limit)
            {
                return new Decision(null, 0, 0, null);
            }

            var due = (last.FinishedAt ?? now) + retry.DelayBefore(last.RetryCount + 1);
            return due <= now ? new Decision("Retry", last.RetryCount + 1, 0, null) : new Decision(null, 0, 0, due - now);
        }

        // An object another Application holds is no reason to sync: no sync can change it.
        var toApply = compare.Resources.Any(r => !r.Hook && !r.RequiresPruning && r.OwnedBy is null && r.Status == Engine.SyncStatus.OutOfSync);
        var toPrune = automated.Prune && compare.Resources.Any(r => r.RequiresPruning);
        if (!toApply && !toPrune)
        {
            return new Decision(null, 0, 0, null);
        }

        // Objects the last sync left to another Application are free now (it was deleted, or dropped them): that sync
        // did not apply them, so this is not a repeat of it.
        var freed = Shared(previous) is not null && !compare.Warnings.Any(w => w.Reason == SyncWarning.SharedResource);
        if (!sameTarget || freed)
        {
            return new Decision("Automated", 0, 0, null);
        }

        if (!automated.SelfHeal)
        {
            return new Decision(null, 0, 0, null);
        }

        // Self-heal backs off when something keeps undoing it (another controller fighting over a field).
        var count = last!.SelfHealCount;
        var wait = count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(_options.SelfHealMaxBackoff.Ticks, _options.SelfHealBackoff.Ticks << Math.Min(count - 1, 20)));
        var healDue = (last.FinishedAt ?? now) + wait;
        return healDue <= now ? new Decision("SelfHeal", 0, count + 1, null) : new Decision(null, 0, 0, healDue - now);
    }

    private TimeSpan NextCheck(ApplicationSpec spec, ApplicationStatus status, SyncAttempt? attempt, Decision decision, int comparisonFailures)
    {
        var interval = _options.ReconcileInterval;
        var jitter = TimeSpan.FromTicks((long)(interval.Ticks * _options.Jitter * Random.Shared.NextDouble()));
        var next = interval + jitter;
        if (decision.Wait is { } wait && wait < next)
        {
            next = wait;
        }

        // A sync that failed is retried on the policy's schedule, not the polling one.
        if (attempt?.Result.Error is not null && spec.SyncPolicy.Retry is { } retry && attempt.RetryCount < retry.Limit)
        {
            var delay = retry.DelayBefore(attempt.RetryCount + 1);
            next = delay < next ? delay : next;
        }

        // A source or render failure (no sync attempted) is retried on the same backoff, so a fixed repo recovers soon
        // and a broken one is not hammered.
        if (attempt is null && status.Conditions.Any(c => c.Type == ConditionTypes.ComparisonError && c.IsTrue)
            && ComparisonRetryDelay(spec.SyncPolicy.Retry, comparisonFailures) is { } backoff)
        {
            next = backoff < next ? backoff : next;
        }

        return next;
    }

    /// <summary>
    /// The wait after the <paramref name="failures"/>-th source or render failure in a row: the retry policy's
    /// backoff (Argo CD's defaults without one); null once its limit is used up, leaving the periodic check.
    /// </summary>
    internal static TimeSpan? ComparisonRetryDelay(RetryPolicy? policy, int failures)
    {
        policy ??= new RetryPolicy();
        return failures < 1 || failures > policy.Limit ? null : policy.DelayBefore(failures);
    }

    private void RecordSync(JsonObject app, SyncAttempt attempt)
    {
        var r = attempt.Result;
        var revision = ApplicationStatus.ShortRevision(r.Revision);
        if (r.Error is not null)
        {
            _events.Record(app, EventType.Warning, r.Error.Condition, "Sync", $"sync to {revision} failed: {r.Error.Message}");
            LogSyncFailed(r.Owner, revision, r.Error.Message);
            return;
        }

        var pruneSkipped = r.Resources.Count(x => x.Action == ResourceAction.PruneSkipped);
        var note = $"synced {revision} ({attempt.Trigger}): {r.Counts.Created} created, {r.Counts.Configured} configured, {r.Counts.Pruned} pruned"
            + (pruneSkipped > 0 ? $", {pruneSkipped} not pruned (owned by someone else)" : "");
        if (r.Counts.Changed > 0)
        {
            _events.Record(app, EventType.Normal, "Synced", "Sync", note);
        }

        LogSynced(r.Owner, revision, attempt.Trigger, r.Counts.Created, r.Counts.Configured, r.Counts.Pruned);
    }

    /// <summary>
    /// Removes the request annotations this reconcile handled, each only if it still holds the value read: one written
    /// again meanwhile (a sync asked for during a long hook wait) stays, and its change queues another reconcile.
    /// </summary>
    private async Task RemoveAnnotationsAsync(JsonObject app, bool refresh, bool sync, CancellationToken cancellationToken)
    {
        foreach (var (name, handled) in new[] { (ApplicationNames.RefreshAnnotation, refresh), (ApplicationNames.SyncAnnotation, sync) })
        {
            if (!handled || app.GetAnnotation(name) is not { } value)
            {
                continue;
            }

            var path = "/metadata/annotations/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            var patch = new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = path, ["value"] = value },
                new JsonObject { ["op"] = "remove", ["path"] = path });
            try
            {
                Wrote(await _client.PatchAsync(
                    ApplicationNames.Resource, app.GetNamespace(), app.GetName()!, PatchType.Json, patch,
                    new PatchOptions { FieldManager = ApplicationNames.StatusFieldManager }, cancellationToken));
            }
            catch (KubeApiException ex) when (ex.Code == 422)
            {
                // Written again (or removed by hand) since it was read: not this reconcile's to remove.
            }
        }
    }

    private void Wrote(JsonObject app)
    {
        if (app.GetKey() is { } key && app.GetResourceVersion() is { } version)
        {
            _written[key] = version;
        }
    }

    /// <summary>
    /// Marks the sync under way as Running in the stored status; returns the Application as written and its status,
    /// or null when the mark could not be written (the final write then patches over what it read before).
    /// </summary>
    private async Task<(JsonObject App, ApplicationStatus Status)?> MarkRunningAsync(
        JsonObject app, ApplicationStatus previous, long? generation, string? revision, Decision? decision, CancellationToken cancellationToken)
    {
        // Off the engine's thread: the engine goes on with its hooks while this is written.
        await Task.Yield();
        var marked = previous with
        {
            Operation = new OperationState
            {
                Phase = OperationPhases.Running,
                Message = "running hooks",
                Revision = revision,
                Generation = generation,
                Trigger = decision?.Trigger,
                StartedAt = _time.GetUtcNow(),
                RetryCount = decision?.RetryCount ?? 0,
                SelfHealCount = decision?.SelfHealCount ?? 0,
            },
        };
        try
        {
            var updated = await PatchStatusAsync(app, marked.ToJson(), cancellationToken);
            return (updated, ApplicationStatus.FromObject(updated));
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            // The status stays as it was until the final write; nothing depends on the mark.
            LogApiError(app.GetKey() ?? "", ex.Message);
            return null;
        }
    }

    /// <summary>Writes the status when it differs from the stored one; returns whether it wrote.</summary>
    private async Task<bool> WriteStatusAsync(JsonObject app, ApplicationStatus previous, ApplicationStatus status, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        status = StatusBuilder.Stamp(status, now);
        var unchanged = JsonNode.DeepEquals(
            (status with { ReconciledAt = null }).ToJson(),
            (previous with { ReconciledAt = null }).ToJson());
        if (unchanged)
        {
            return false;
        }

        await PatchStatusAsync(app, (status with { ReconciledAt = now }).ToJson(), cancellationToken);
        return true;
    }

    /// <summary>Patches the stored status (as read in <paramref name="app"/>) to <paramref name="status"/>; returns the Application written.</summary>
    private async Task<JsonObject> PatchStatusAsync(JsonObject app, JsonObject status, CancellationToken cancellationToken)
    {
        var patch = new JsonObject { ["status"] = MergePatch.Diff(app["status"] as JsonObject, status) };
        var written = await _client.PatchStatusAsync(
            ApplicationNames.Resource, app.GetNamespace(), app.GetName()!, PatchType.Merge, patch, new PatchOptions { FieldManager = ApplicationNames.StatusFieldManager }, cancellationToken);
        Wrote(written);
        _metrics.StatusWrites.Add(1);
        return written;
    }
}
