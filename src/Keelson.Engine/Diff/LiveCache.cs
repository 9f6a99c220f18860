using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Diff;

public sealed record LiveCacheOptions
{
    /// <summary>Only objects matching this selector are watched and kept: those Keelson applied.</summary>
    public string LabelSelector { get; init; } = Tracking.ManagedSelector;

    /// <summary>How long <see cref="LiveCache.TrackAsync"/> waits for a newly watched kind's first list.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Server-side timeout of each watch request (it is renewed at once).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an object Keelson just wrote is served from its own write while the watch has not delivered it yet.
    /// The watch normally catches up within milliseconds; this only bounds the case where the event never comes.
    /// </summary>
    public TimeSpan OwnWriteTtl { get; init; } = TimeSpan.FromSeconds(30);
}

public enum LiveChangeType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>An object of <see cref="Owner"/> was changed by someone other than Keelson (or by a controller).</summary>
public sealed record LiveChange(string Owner, ApiResource Resource, string? Namespace, string Name, LiveChangeType Type);

/// <summary>
/// The live state of the objects Keelson manages, kept by list+watch of only the kinds some owner needs (a watch starts
/// when the first owner needs a kind and stops when the last one lets go), selected on the server by the managed
/// label. Each object is kept compactly (<see cref="LiveObject"/>) and indexed by the owner its tracking annotation
/// names. Subscribers hear of every change an owner did not make itself, with the owner's id, so the operator can
/// re-check that owner (self-heal, health changes).
/// <para>
/// Objects Keelson writes are served from the write's answer until the watch delivers that same version, so a sync
/// that follows at once never sees its own writes as missing, and those writes are not reported to subscribers (except
/// to an owner a write took the object from).
/// </para>
/// </summary>
public sealed partial class LiveCache : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly LiveCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _ownerKinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, LiveObject>> _byOwner = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<JsonObject, LiveObject> _attached = [];
    private readonly ConditionalWeakTable<JsonObject, LiveObject> _initial = [];
    private readonly ConcurrentDictionary<string, OwnWrite> _ownWrites = new(StringComparer.Ordinal);
    private Action<LiveChange>[] _subscribers = [];
    private bool _disposed;

    public LiveCache(KubeClient client, LiveCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new LiveCacheOptions();
        _time = client.Options.TimeProvider;
        _logger = client.Options.LoggerFactory.CreateLogger<LiveCache>();
    }

    /// <summary>Objects held, over all watched kinds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _watches.Values.Sum(w => w.Informer.Count);
            }
        }
    }

    /// <summary>The kinds being watched (one resource per group, version and plural).</summary>
    public IReadOnlyList<ApiResource> Watched
    {
        get
        {
            lock (_gate)
            {
                return [.. _watches.Values.Select(w => w.Resource)];
            }
        }
    }

    /// <summary>
    /// Hears of changes to managed objects made by anyone but this process's engine. Called on the watch's delivery
    /// thread, one change at a time: keep it quick (enqueue the owner). Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Action<LiveChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChange];
        }

        return new Subscription(this, onChange);
    }

    /// <summary>
    /// Declares the kinds <paramref name="owner"/> needs: watches start for new ones (the call that starts a watch
    /// waits, bounded by <see cref="LiveCacheOptions.SyncTimeout"/>, for its first list) and stop for kinds no owner
    /// needs any more. Cheap when nothing changed.
    /// A kind whose first list has not arrived is simply not served from the cache (<see cref="TryGet"/> says so).
    /// </summary>
    public async Task TrackAsync(string owner, IReadOnlyCollection<ApiResource> resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(resources);
        var keys = resources.ToDictionary(WatchKey, r => r, StringComparer.Ordinal);
        List<Watch> started = [];
        List<Watch> stopped = [];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _ownerKinds.TryGetValue(owner, out var previous);
            if (previous is null || !previous.SetEquals(keys.Keys))
            {
                foreach (var (key, resource) in keys)
                {
                    if (!_watches.TryGetValue(key, out var watch))
                    {
                        watch = StartWatch(key, resource);
                        _watches[key] = watch;
                        started.Add(watch);
                    }

                    watch.Owners.Add(owner);
                }

                if (previous is not null)
                {
                    foreach (var key in previous.Where(k => !keys.ContainsKey(k)))
                    {
                        if (Unwatch(key, owner) is { } done)
                        {
                            stopped.Add(done);
                        }
                    }
                }

                _ownerKinds[owner] = [.. keys.Keys];
            }
        }

        await StopAsync(stopped);

        // Only the caller that started a watch waits for it: a kind that cannot be listed must not stall every run.
        foreach (var watch in started)
        {
            try
            {
                await watch.Informer.WaitForSyncAsync(cancellationToken).WaitAsync(_options.SyncTimeout, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                LogSyncSlow(watch.Resource, _options.SyncTimeout);
            }
        }
    }

    /// <summary>Forgets an owner (deleted): kinds only it needed stop being watched.</summary>
    public async Task ReleaseAsync(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        List<Watch> stopped = [];
        lock (_gate)
        {
            if (_ownerKinds.Remove(owner, out var kinds))
            {
                foreach (var key in kinds)
                {
                    if (Unwatch(key, owner) is { } done)
                    {
                        stopped.Add(done);
                    }
                }
            }
        }

        await StopAsync(stopped);
    }

    /// <summary>
    /// Looks an object up. Returns false when the cache cannot answer for this kind (not watched, or its first list
    /// has not arrived): ask the server. Returns true with a null object when the object does not exist or does not
    /// carry the managed label.
    /// </summary>
    public bool TryGet(ApiResource resource, string? ns, string name, out LiveObject? obj)
    {
        ArgumentNullException.ThrowIfNull(resource);
        obj = null;
        Watch? watch;
        lock (_gate)
        {
            _watches.TryGetValue(WatchKey(resource), out watch);
        }

        if (watch is null || !watch.Informer.HasSynced)
        {
            return false;
        }

        var key = KubeObject.Key(resource.Namespaced ? ns : null, name);
        var cached = watch.Informer.Get(key) is { } slim && _attached.TryGetValue(slim, out var found) ? found : null;
        var ownKey = OwnKey(watch.Key, key);
        if (_ownWrites.TryGetValue(ownKey, out var own))
        {
            if (_time.GetElapsedTime(own.At) > _options.OwnWriteTtl || Supersedes(cached, own))
            {
                _ownWrites.TryRemove(KeyValuePair.Create(ownKey, own));
            }
            else
            {
                obj = own.Object;
                return true;
            }
        }

        obj = cached;
        return true;
    }

    /// <summary>The cached objects whose tracking annotation names <paramref name="owner"/>.</summary>
    public IReadOnlyList<LiveObject> ObjectsOf(string owner)
    {
        lock (_gate)
        {
            return _byOwner.TryGetValue(owner, out var objects) ? [.. objects.Values] : [];
        }
    }

    /// <summary>Bytes held by the compact copies of all cached objects (a rough memory figure).</summary>
    public long BodyBytes()
    {
        List<Watch> watches;
        lock (_gate)
        {
            watches = [.. _watches.Values];
        }

        long total = 0;
        foreach (var watch in watches)
        {
            foreach (var slim in watch.Informer.List())
            {
                if (_attached.TryGetValue(slim, out var live))
                {
                    total += live.Size;
                }
            }
        }

        return total;
    }

    /// <summary>Records an object this process just wrote (the server's answer, which this takes ownership of).</summary>
    internal LiveObject NoteWritten(ApiResource resource, JsonObject written)
    {
        var live = LiveObject.From(resource, written);
        var key = KubeObject.Key(resource.Namespaced ? live.Namespace : null, live.Name);
        _ownWrites[OwnKey(WatchKey(resource), key)] = new OwnWrite(live, _time.GetTimestamp());
        return live;
    }

    /// <summary>Records that this process deleted an object (so the deletion is not reported to subscribers).</summary>
    internal void NoteDeleted(ApiResource resource, string? ns, string name)
    {
        var key = KubeObject.Key(resource.Namespaced ? ns : null, name);
        _ownWrites[OwnKey(WatchKey(resource), key)] = new OwnWrite(null, _time.GetTimestamp());
    }

    public async ValueTask DisposeAsync()
    {
        List<Watch> all;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _watches.Values];
            _watches.Clear();
            _ownerKinds.Clear();
            _byOwner.Clear();
        }

        await StopAsync(all);
    }

    private Watch StartWatch(string key, ApiResource resource)
    {
        Informer? informer = null;
        var options = new InformerOptions
        {
            LabelSelector = _options.LabelSelector,
            WatchTimeout = _options.WatchTimeout,
            Transform = full =>
            {
                // The informer keeps only a stub; the compact entry rides along, attached to the stub instance.
                var live = LiveObject.From(resource, full);
                var meta = new JsonObject { ["name"] = live.Name };
                if (live.Namespace is not null)
                {
                    meta["namespace"] = live.Namespace;
                }

                meta["resourceVersion"] = live.ResourceVersion;
                var stub = new JsonObject { ["metadata"] = meta };
                _attached.AddOrUpdate(stub, live);
                if (informer is { HasSynced: false })
                {
                    // Objects of the first list are the starting state, not changes anyone should hear about.
                    _initial.AddOrUpdate(stub, live);
                }

                return stub;
            },
        };
        informer = new Informer(_client, resource, options);
        var watch = new Watch(key, resource, informer, new CancellationTokenSource());
        informer.AddHandler(new InformerHandler
        {
            OnAdd = stub => Changed(watch, null, stub, LiveChangeType.Added),
            OnUpdate = (old, stub) =>
            {
                if (!ReferenceEquals(old, stub))
                {
                    Changed(watch, old, stub, LiveChangeType.Modified);
                }
            },
            OnDelete = stub => Changed(watch, stub, null, LiveChangeType.Deleted),
        });
        watch.Run = Task.Run(() => informer.RunAsync(watch.Stop.Token), CancellationToken.None);
        LogWatchStarted(resource);
        return watch;
    }

    private void Changed(Watch watch, JsonObject? oldStub, JsonObject? newStub, LiveChangeType type)
    {
        var old = oldStub is not null && _attached.TryGetValue(oldStub, out var o) ? o : null;
        var current = newStub is not null && _attached.TryGetValue(newStub, out var n) ? n : null;
        var subject = current ?? old;
        if (subject is null)
        {
            return;
        }

        var key = KubeObject.Key(watch.Resource.Namespaced ? subject.Namespace : null, subject.Name);
        Index(key, old, current);
        if (newStub is not null && type == LiveChangeType.Added && _initial.TryGetValue(newStub, out _))
        {
            _initial.Remove(newStub);
            return;
        }

        var owners = new HashSet<string>(StringComparer.Ordinal);
        var ownKey = OwnKey(watch.Key, key);
        if (_ownWrites.TryGetValue(ownKey, out var own)
            && (type == LiveChangeType.Deleted ? own.Object is null : own.Object?.ResourceVersion == current?.ResourceVersion))
        {
            _ownWrites.TryRemove(KeyValuePair.Create(ownKey, own));

            // The writer knows what it wrote, but an owner it took the object from did not make this change: that
            // owner must hear of it, or its status keeps saying Synced about an object that is no longer its own.
            if (current is not null && old?.Owner is { } from && from != current.Owner)
            {
                owners.Add(from);
            }
        }
        else
        {
            if (current?.Owner is { } now)
            {
                owners.Add(now);
            }

            // An object taken from one owner by another concerns both.
            if (old?.Owner is { } before)
            {
                owners.Add(before);
            }
        }

        if (owners.Count == 0)
        {
            return;
        }

        Action<LiveChange>[] subscribers;
        lock (_gate)
        {
            subscribers = _subscribers;
        }

        foreach (var owner in owners)
        {
            var change = new LiveChange(owner, watch.Resource, subject.Namespace, subject.Name, type);
            foreach (var subscriber in subscribers)
            {
                try
                {
                    subscriber(change);
                }
                catch (Exception ex)
                {
                    LogSubscriberFailed(ex);
                }
            }
        }
    }

    private void Index(string key, LiveObject? old, LiveObject? current)
    {
        lock (_gate)
        {
            var indexKey = current is not null ? IndexKey(current, key) : IndexKey(old!, key);
            if (old?.Owner is { } before && _byOwner.TryGetValue(before, out var previous))
            {
                previous.Remove(indexKey);
                if (previous.Count == 0)
                {
                    _byOwner.Remove(before);
                }
            }

            if (current?.Owner is { } owner)
            {
                if (!_byOwner.TryGetValue(owner, out var objects))
                {
                    objects = new Dictionary<string, LiveObject>(StringComparer.Ordinal);
                    _byOwner[owner] = objects;
                }

                objects[indexKey] = current;
            }
        }
    }

    private static string IndexKey(LiveObject obj, string key) => WatchKey(obj.Resource) + " " + key;

    private Watch? Unwatch(string key, string owner)
    {
        if (!_watches.TryGetValue(key, out var watch))
        {
            return null;
        }

        watch.Owners.Remove(owner);
        if (watch.Owners.Count > 0)
        {
            return null;
        }

        _watches.Remove(key);
        foreach (var objects in _byOwner.Values)
        {
            foreach (var stale in objects.Where(p => WatchKey(p.Value.Resource) == key).Select(p => p.Key).ToList())
            {
                objects.Remove(stale);
            }
        }

        return watch;
    }

    private async Task StopAsync(List<Watch> watches)
    {
        foreach (var watch in watches)
        {
            await watch.Stop.CancelAsync();
            try
            {
                await watch.Run!;
            }
            catch (Exception ex) when (ex is OperationCanceledException)
            {
            }

            watch.Stop.Dispose();
            LogWatchStopped(watch.Resource);
        }
    }

    /// <summary>True when the cached state is the write or newer (resourceVersions are etcd revisions in practice).</summary>
    private static bool Supersedes(LiveObject? cached, OwnWrite own)
    {
        if (own.Object is null)
        {
            return cached is null;
        }

        if (cached is null)
        {
            return false;
        }

        if (cached.ResourceVersion == own.Object.ResourceVersion)
        {
            return true;
        }

        return long.TryParse(cached.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(own.Object.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            && a > b;
    }

    private static string WatchKey(ApiResource resource) => $"{resource.Group}/{resource.Version}/{resource.Resource}";

    private static string OwnKey(string watchKey, string objectKey) => watchKey + " " + objectKey;

    private void Unsubscribe(Action<LiveChange> handler)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, handler))];
        }
    }

    private sealed record OwnWrite(LiveObject? Object, long At);

    private sealed class Watch(string key, ApiResource resource, Informer informer, CancellationTokenSource stop)
    {
        public string Key { get; } = key;

        public ApiResource Resource { get; } = resource;

        public Informer Informer { get; } = informer;

        public CancellationTokenSource Stop { get; } = stop;

        public Task? Run { get; set; }

        public HashSet<string> Owners { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Subscription(LiveCache cache, Action<LiveChange> handler) : IDisposable
    {
        public void Dispose() => cache.Unsubscribe(handler);
    }
}
