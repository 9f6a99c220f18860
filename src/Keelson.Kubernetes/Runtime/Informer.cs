using System.Text.Json.Nodes;
using System.Threading.Channels;
using Keelson.Kubernetes.Http;
using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public sealed record InformerOptions
{
    /// <summary>Watch one namespace only; null watches all (or the resource is cluster-scoped).</summary>
    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Every period, every cached object is delivered again as an update (old and new the same). Null: never.</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>
    /// Applied to every object before it is cached and delivered, to keep only what the caller needs in memory (see
    /// <see cref="InformerTransforms"/>). Must keep metadata.name and namespace.
    /// </summary>
    public Func<JsonObject, JsonObject>? Transform { get; init; }

    /// <summary>
    /// Cache each object as compact UTF-8 JSON and hand out a fresh parse on every read and callback. A JsonObject
    /// that has been read through costs about ten times its JSON (an Application with its status: ~50 KB against
    /// ~5 KB), which across thousands of objects is most of a controller's memory; a parse of one costs microseconds.
    /// </summary>
    public bool Compact { get; init; }

    /// <summary>Page size of the initial list and of relists.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Server-side watch timeout; each watch asks for a random time between this and twice this.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First wait after a failed list or watch; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Callbacks of an informer. They run one at a time, in order, off the watch loop: keep them quick (enqueue a key).</summary>
public sealed record InformerHandler
{
    public Action<JsonObject>? OnAdd { get; init; }

    /// <summary>Old and new object; the same object twice on a resync.</summary>
    public Action<JsonObject, JsonObject>? OnUpdate { get; init; }

    /// <summary>The last state of the object (as the delete event or the last list had it).</summary>
    public Action<JsonObject>? OnDelete { get; init; }

    /// <summary>One callback for every kind of change, given the newest object.</summary>
    public static InformerHandler ForAnyChange(Action<JsonObject> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        return new InformerHandler { OnAdd = changed, OnUpdate = (_, n) => changed(n), OnDelete = changed };
    }
}

/// <summary>Transforms that shrink cached objects.</summary>
public static class InformerTransforms
{
    /// <summary>Drops metadata.managedFields and the kubectl last-applied annotation, usually the bulk of an object.</summary>
    public static JsonObject StripManagedFields(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
            (meta["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
        }

        return obj;
    }
}

/// <summary>
/// Keeps an in-memory copy of one resource (optionally one namespace or a label selection) by listing and then
/// watching, and tells handlers what changed. A dropped watch resumes from the last resourceVersion seen; when that is
/// too old (410) it lists again and delivers exactly the differences, so no change is lost or delivered twice.
/// </summary>
public sealed partial class Informer
{
    private readonly KubeClient _client;
    private readonly InformerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _items = new(StringComparer.Ordinal);
    private readonly Channel<Notification> _notifications = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InformerHandler[] _handlers = [];
    private string? _resourceVersion;
    private int _running;

    public Informer(KubeClient client, ApiResource resource, InformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resource);
        _client = client;
        Resource = resource;
        _name = resource.ToString();
        _options = options ?? new InformerOptions();
        _time = client.Options.TimeProvider;
        _logger = client.Options.LoggerFactory.CreateLogger<Informer>();
    }

    public ApiResource Resource { get; }

    /// <summary>True once the first list is in the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache is at (last list, event or bookmark).</summary>
    public string? ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Number of lists done (the first one and every relist after a 410).</summary>
    public int ListCount { get; private set; }

    /// <summary>Number of watch requests opened.</summary>
    public int WatchCount { get; private set; }

    /// <summary>
    /// The cached object with this key (<c>namespace/name</c> or <c>name</c>), or null. Do not modify it (with
    /// <see cref="InformerOptions.Compact"/> it is a copy of its own).
    /// </summary>
    public JsonObject? Get(string key)
    {
        Entry? entry;
        lock (_gate)
        {
            entry = _items.GetValueOrDefault(key);
        }

        return entry?.Object;
    }

    /// <summary>Whether an object with this key is cached (without reading it).</summary>
    public bool Contains(string key)
    {
        lock (_gate)
        {
            return _items.ContainsKey(key);
        }
    }

    public JsonObject? Get(string? ns, string name) => Get(KubeObject.Key(ns, name));

    /// <summary>A snapshot of the cached objects, optionally of one namespace.</summary>
    public IReadOnlyList<JsonObject> List(string? ns = null)
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = ns is null ? [.. _items.Values] : [.. _items.Values.Where(e => e.Namespace == ns)];
        }

        return [.. entries.Select(e => e.Object)];
    }

    /// <summary>
    /// Registers callbacks. A handler added after the cache is filled first gets an add for every cached object.
    /// Dispose the result to stop its callbacks.
    /// </summary>
    public IDisposable AddHandler(InformerHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            if (_synced.Task.IsCompleted)
            {
                _notifications.Writer.TryWrite(new Notification(NotificationKind.Replay, null, null, [handler], [.. _items.Values]));
            }
        }

        return new Registration(this, handler);
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists, watches and delivers changes until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"the informer of {Resource} is already running");
        }

        var dispatcher = Task.Run(DispatchAsync, CancellationToken.None);
        using var resync = _options.ResyncPeriod is { } period && period > TimeSpan.Zero
            ? _time.CreateTimer(_ => Resync(), null, period, period)
            : null;
        try
        {
            await LoopAsync(cancellationToken);
        }
        finally
        {
            _notifications.Writer.TryComplete();
            await dispatcher;
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var needList = true;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = 0;
            try
            {
                if (needList)
                {
                    await ListAndReplaceAsync(cancellationToken);
                    needList = false;
                    failures = 0;
                }

                var seconds = (int)(_options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
                var options = new WatchOptions
                {
                    ResourceVersion = ResourceVersion,
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    AllowBookmarks = true,
                    TimeoutSeconds = Math.Max(1, seconds),
                };
                WatchCount++;
                await foreach (var evt in _client.WatchAsync(Resource, _options.Namespace, options, cancellationToken))
                {
                    received++;
                    Apply(evt);
                }

                // The server ended the watch (its timeout, a restart). Watch again at once, unless it ends every
                // watch straight away, which would otherwise become a busy loop.
                if (received == 0)
                {
                    await BackoffAsync(failures++, "the watch ended without events", null, cancellationToken);
                }
                else
                {
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeApiException ex) when (ex.IsGone)
            {
                LogRelist(_name, ResourceVersion);
                needList = true;
            }
            catch (Exception ex) when (received > 0)
            {
                // A stream that broke after delivering events: resume at once; back off only if that fails too.
                LogResume(_name, ex.Message);
                failures = 0;
            }
            catch (Exception ex)
            {
                try
                {
                    await BackoffAsync(failures++, needList ? "list failed" : "watch failed", ex, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private async Task BackoffAsync(int attempt, string what, Exception? error, CancellationToken cancellationToken)
    {
        var delay = Backoff.Delay(attempt, _options.InitialBackoff, _options.MaxBackoff);
        LogRetry(_name, what, delay, error?.Message ?? "");
        await Task.Delay(delay, _time, cancellationToken);
    }

    private async Task ListAndReplaceAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var listOptions = new ListOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            Limit = _options.PageSize,
        };
        string resourceVersion;
        try
        {
            resourceVersion = await ListPagesAsync(listOptions, fresh, cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsGone)
        {
            // The continue token expired between pages: one unpaged list instead.
            fresh.Clear();
            resourceVersion = await ListPagesAsync(listOptions with { Limit = null }, fresh, cancellationToken);
        }

        ListCount++;
        lock (_gate)
        {
            var targets = _handlers;
            foreach (var (key, old) in _items)
            {
                if (!fresh.ContainsKey(key))
                {
                    Notify(NotificationKind.Delete, null, old, targets);
                }
            }

            var previous = new Dictionary<string, Entry>(_items, StringComparer.Ordinal);
            _items.Clear();
            foreach (var (key, entry) in fresh)
            {
                if (!previous.TryGetValue(key, out var old))
                {
                    _items[key] = entry;
                    Notify(NotificationKind.Add, null, entry, targets);
                }
                else if (old.ResourceVersion != entry.ResourceVersion)
                {
                    _items[key] = entry;
                    Notify(NotificationKind.Update, old, entry, targets);
                }
                else
                {
                    // Unchanged: keep the instance handlers have already seen.
                    _items[key] = old;
                }
            }

            _resourceVersion = resourceVersion;
        }

        LogListed(_name, fresh.Count, resourceVersion);
        _synced.TrySetResult();
    }

    private async Task<string> ListPagesAsync(ListOptions options, Dictionary<string, Entry> into, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await _client.ListAsync(Resource, _options.Namespace, options, cancellationToken);
            foreach (var item in page.Items)
            {
                var entry = ToEntry(item);
                if (entry is not null)
                {
                    into[entry.Key] = entry;
                }
            }

            if (page.Continue is null)
            {
                return page.ResourceVersion;
            }

            options = options with { Continue = page.Continue };
        }
    }

    private void Apply(WatchEvent evt)
    {
        var rv = evt.ResourceVersion;
        if (evt.Type == WatchEventType.Bookmark)
        {
            lock (_gate)
            {
                _resourceVersion = rv ?? _resourceVersion;
            }

            return;
        }

        var entry = ToEntry(evt.Object);
        lock (_gate)
        {
            if (rv is not null)
            {
                _resourceVersion = rv;
            }

            if (entry is null)
            {
                return;
            }

            var exists = _items.TryGetValue(entry.Key, out var old);
            if (evt.Type == WatchEventType.Deleted)
            {
                if (exists)
                {
                    _items.Remove(entry.Key);
                    Notify(NotificationKind.Delete, null, entry, _handlers);
                }

                return;
            }

            if (exists && old!.ResourceVersion == entry.ResourceVersion)
            {
                return; // already seen (a resumed watch repeating its starting point)
            }

            _items[entry.Key] = entry;
            if (exists)
            {
                Notify(NotificationKind.Update, old, entry, _handlers);
            }
            else
            {
                Notify(NotificationKind.Add, null, entry, _handlers);
            }
        }
    }

    private Entry? ToEntry(JsonObject obj)
    {
        var name = obj.GetName();
        if (name is null)
        {
            return null;
        }

        var ns = obj.GetNamespace();
        var rv = obj.GetResourceVersion();
        var kept = _options.Transform is { } transform ? transform(obj) : obj;
        return new Entry(KubeObject.Key(ns, name), ns, rv, _options.Compact ? Json.ToUtf8(kept) : kept);
    }

    private void Resync()
    {
        lock (_gate)
        {
            foreach (var entry in _items.Values)
            {
                Notify(NotificationKind.Update, entry, entry, _handlers);
            }
        }
    }

    private void Notify(NotificationKind kind, Entry? old, Entry? current, InformerHandler[] targets)
    {
        if (targets.Length > 0)
        {
            _notifications.Writer.TryWrite(new Notification(kind, old, current, targets, null));
        }
    }

    private async Task DispatchAsync()
    {
        await foreach (var n in _notifications.Reader.ReadAllAsync())
        {
            foreach (var handler in n.Targets)
            {
                try
                {
                    switch (n.Kind)
                    {
                        case NotificationKind.Add:
                            handler.OnAdd?.Invoke(n.Current!.Object);
                            break;
                        case NotificationKind.Update:
                            var current = n.Current!.Object;
                            handler.OnUpdate?.Invoke(ReferenceEquals(n.Old, n.Current) ? current : n.Old!.Object, current);
                            break;
                        case NotificationKind.Delete:
                            handler.OnDelete?.Invoke(n.Current!.Object);
                            break;
                        case NotificationKind.Replay:
                            foreach (var entry in n.Snapshot!)
                            {
                                handler.OnAdd?.Invoke(entry.Object);
                            }

                            break;
                    }
                }
                catch (Exception ex)
                {
                    LogHandlerFailed(_name, ex);
                }
            }
        }
    }

    private void RemoveHandler(InformerHandler handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => !ReferenceEquals(h, handler))];
        }
    }

    /// <summary>A cached object: the JsonObject itself, or (compact) its UTF-8 JSON, parsed afresh on each read.</summary>
    private sealed record Entry(string Key, string? Namespace, string? ResourceVersion, object Stored)
    {
        public JsonObject Object => Stored as JsonObject ?? (JsonObject)JsonNode.Parse((byte[])Stored, documentOptions: Json.DocumentOptions)!;
    }

    private enum NotificationKind
    {
        Add,
        Update,
        Delete,
        Replay,
    }

    private sealed record Notification(NotificationKind Kind, Entry? Old, Entry? Current, InformerHandler[] Targets, Entry[]? Snapshot);

    private sealed class Registration(Informer owner, InformerHandler handler) : IDisposable
    {
        public void Dispose() => owner.RemoveHandler(handler);
    }
}
