using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Storage;

internal enum CommitFailure
{
    NotFound,
    AlreadyExists,
    Conflict,
}

internal sealed class StoreException(CommitFailure failure) : Exception(failure.ToString())
{
    public CommitFailure Failure { get; } = failure;
}

/// <summary>Identifies one object across all resources.</summary>
internal readonly record struct ObjectKey(GroupResource Resource, string Namespace, string Name);

/// <summary>
/// A watch that was asked to start before the retained history. The message is upstream's, which names the oldest
/// resourceVersion a watch may still start from (watch_cache.go: "too old resource version: %d (%d)", rv, oldest-1).
/// </summary>
internal sealed class HistoryExpiredException(long requested, long start) : Exception($"too old resource version: {requested} ({start})")
{
    public long Requested { get; } = requested;

    public long Start { get; } = start;
}

/// <summary>Where a watch starts.</summary>
internal abstract record WatchStart
{
    /// <summary>Synthetic ADDED events for every current object, then changes (resourceVersion unset or "0").</summary>
    public sealed record CurrentState(bool InitialEventsBookmark) : WatchStart;

    /// <summary>Changes after the given resourceVersion.</summary>
    public sealed record After(long ResourceVersion) : WatchStart;
}

/// <summary>
/// The object store: per-resource immutable snapshots (reads take no lock), one global monotonic resourceVersion,
/// per-resource event history for resumable watches, and fan-out to watchers and in-process subscribers.
/// Writes are serialised by one short lock held only to check the precondition, stamp the resourceVersion,
/// serialise the object once and publish; all expensive work (patching, defaulting, validation) happens before it.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<GroupResource, Bucket> _buckets = new();
    private readonly ConcurrentDictionary<string, ObjectKey> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ObjectKey>> _dependents = new(StringComparer.Ordinal);
    private readonly Lock _snapshotGate = new();
    private readonly LinkedList<(GroupResource Resource, long Rv, BucketState State)> _pagingSnapshots = new();
    private readonly TimeProvider _time;
    private readonly int _historyLimit;
    private readonly TimeSpan _historyWindow;
    private readonly int _maxPendingPerWatch;
    private ImmutableArray<Subscription> _subscriptions = [];
    private long _rv;
    private long _watchCacheStart;
    private long _published;
    private long _writes;

    public ObjectStore(TimeProvider time, int historyLimit, TimeSpan historyWindow, int maxPendingPerWatch)
    {
        _time = time;
        _historyLimit = historyLimit;
        _historyWindow = historyWindow;
        _maxPendingPerWatch = maxPendingPerWatch;
    }

    /// <summary>The newest resourceVersion whose effects are visible to readers.</summary>
    public long ResourceVersion => Volatile.Read(ref _published);

    /// <summary>Number of committed changes since start.</summary>
    public long Writes => Volatile.Read(ref _writes);

    public int ObjectCount => _buckets.Values.Sum(b => b.State.Count);

    public IEnumerable<GroupResource> Resources => _buckets.Keys;

    /// <summary>The current snapshot of a resource and the resourceVersion it is consistent at.</summary>
    public BucketState Snapshot(GroupResource resource, out long resourceVersion)
    {
        var published = ResourceVersion;
        var state = GetBucket(resource).State;
        resourceVersion = Math.Max(published, state.ResourceVersion);
        return state;
    }

    public StoredObject? Get(GroupResource resource, string ns, string name) => GetBucket(resource).State.Get(ns, name);

    public ObjectKey? FindByUid(string uid) => _byUid.TryGetValue(uid, out var key) ? key : null;

    public StoredObject? GetByUid(string uid) => FindByUid(uid) is { } key ? Get(key.Resource, key.Namespace, key.Name) : null;

    /// <summary>The objects whose ownerReferences name the given owner uid.</summary>
    public List<ObjectKey> Dependents(string ownerUid)
    {
        lock (_gate)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }

    /// <summary>
    /// Writes a new version (obj non-null) or deletes (obj null). <paramref name="expected"/> null means the object must
    /// not exist yet; otherwise it must exist at exactly that resourceVersion. Throws <see cref="StoreException"/>.
    /// The store takes ownership of <paramref name="obj"/>.
    /// </summary>
    public StoredObject Commit(GroupResource resource, string ns, string name, long? expected, JsonObject? obj, DateTimeOffset? changedAt = null, object? schemaToken = null)
    {
        if (obj is not null)
        {
            StoredObject.Materialize(obj);
        }

        var bucket = GetBucket(resource);
        var now = _time.GetUtcNow();
        StoreEvent committed;
        lock (_gate)
        {
            var state = bucket.State;
            var current = state.Get(ns, name);
            if (expected is null && current is not null)
            {
                throw new StoreException(CommitFailure.AlreadyExists);
            }

            if (expected is not null && current is null)
            {
                throw new StoreException(CommitFailure.NotFound);
            }

            if (expected is { } rvExpected && current!.ResourceVersion != rvExpected)
            {
                throw new StoreException(CommitFailure.Conflict);
            }

            var rv = _rv + 1;
            StoredObject stored;
            StoreEvent e;
            if (obj is not null)
            {
                ((JsonObject)obj["metadata"]!)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                stored = StoredObject.Create(obj, rv, changedAt ?? current?.ChangedAt ?? now, schemaToken ?? current?.SchemaToken);
                bucket.State = state.Set(stored, rv);
                e = new StoreEvent(current is null ? StoreEventType.Added : StoreEventType.Modified, resource, stored, current, now.UtcTicks);
            }
            else
            {
                var last = (JsonObject)current!.Object.DeepClone();
                ((JsonObject)last["metadata"]!)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                stored = StoredObject.Create(last, rv, current.ChangedAt, current.SchemaToken);
                e = new StoreEvent(StoreEventType.Deleted, resource, stored, current, now.UtcTicks);
                Removing?.Invoke(e);
                bucket.State = state.Remove(ns, name, rv);
            }

            _rv = rv;
            Index(resource, current, obj is null ? null : stored);
            bucket.History.Append(e);
            if (_historyWindow > TimeSpan.Zero)
            {
                bucket.History.DropOlderThan((now - _historyWindow).UtcTicks);
            }

            foreach (var watcher in bucket.Watchers)
            {
                watcher.Offer(e);
            }

            foreach (var subscription in _subscriptions)
            {
                subscription.Offer(e);
            }

            _writes++;
            Volatile.Write(ref _published, rv);
            committed = e;
        }

        Committed?.Invoke(committed);
        return committed.Object;
    }

    /// <summary>Called on the committing thread after each commit, outside the lock (CRD registration hooks in here).</summary>
    public Action<StoreEvent>? Committed { get; set; }

    /// <summary>
    /// Called inside the commit lock for each final delete, before a reader or watcher can see the object gone: a client
    /// that waits for a CRD to disappear (kubectl delete does) must then find its resource unserved. Must not write.
    /// </summary>
    public Action<StoreEvent>? Removing { get; set; }

    private void Index(GroupResource resource, StoredObject? before, StoredObject? after)
    {
        if (before is not null)
        {
            if (after is null)
            {
                _byUid.TryRemove(before.Uid, out _);
            }

            foreach (var owner in before.Owners)
            {
                if (_dependents.TryGetValue(owner.Uid, out var set))
                {
                    set.Remove(new ObjectKey(resource, before.Namespace, before.Name));
                    if (set.Count == 0)
                    {
                        _dependents.Remove(owner.Uid);
                    }
                }
            }
        }

        if (after is not null)
        {
            if (after.Uid.Length > 0)
            {
                _byUid[after.Uid] = new ObjectKey(resource, after.Namespace, after.Name);
            }

            foreach (var owner in after.Owners)
            {
                if (!_dependents.TryGetValue(owner.Uid, out var set))
                {
                    set = [];
                    _dependents[owner.Uid] = set;
                }

                set.Add(new ObjectKey(resource, after.Namespace, after.Name));
            }
        }
    }

    /// <summary>Opens a watch; throws <see cref="HistoryExpiredException"/> when the start is older than the history.</summary>
    public Watcher Watch(GroupResource resource, WatchFilter filter, WatchStart start, bool bookmarks, object? tag = null)
    {
        var bucket = GetBucket(resource);
        var watcher = new Watcher(resource, filter, bookmarks, _maxPendingPerWatch, tag);
        lock (_gate)
        {
            if (_historyWindow > TimeSpan.Zero)
            {
                bucket.History.DropOlderThan((_time.GetUtcNow() - _historyWindow).UtcTicks);
            }

            switch (start)
            {
                case WatchStart.After after:
                    if (!bucket.History.CanServe(after.ResourceVersion))
                    {
                        throw new HistoryExpiredException(after.ResourceVersion, bucket.History.StartResourceVersion);
                    }

                    foreach (var e in bucket.History.After(after.ResourceVersion))
                    {
                        watcher.Offer(e);
                    }

                    break;
                case WatchStart.CurrentState current:
                    foreach (var obj in bucket.State.Enumerate(filter.Namespace))
                    {
                        if (filter.Matches(obj))
                        {
                            watcher.Enqueue(new WatchItem(WatchItemType.Added, obj, obj.ResourceVersion));
                        }
                    }

                    if (current.InitialEventsBookmark)
                    {
                        watcher.Enqueue(new WatchItem(WatchItemType.Bookmark, null, _rv, InitialEventsEnd: true));
                    }

                    break;
            }

            watcher.StartAfter = _rv;
            bucket.Watchers = bucket.Watchers.Add(watcher);
        }

        return watcher;
    }

    public void Unwatch(Watcher watcher)
    {
        var bucket = GetBucket(watcher.Resource);
        lock (_gate)
        {
            bucket.Watchers = bucket.Watchers.Remove(watcher);
        }

        watcher.End(WatchEnd.Removed);
    }

    /// <summary>Ends matching watches (the HTTP side closes their connections); returns how many.</summary>
    public int DropWatches(Func<Watcher, bool> which)
    {
        var dropped = 0;
        lock (_gate)
        {
            foreach (var bucket in _buckets.Values)
            {
                foreach (var watcher in bucket.Watchers)
                {
                    if (which(watcher))
                    {
                        bucket.Watchers = bucket.Watchers.Remove(watcher);
                        watcher.End(WatchEnd.Dropped);
                        dropped++;
                    }
                }
            }
        }

        return dropped;
    }

    public int WatchCount => _buckets.Values.Sum(b => b.Watchers.Length);

    /// <summary>Queues a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var bucket in _buckets.Values)
            {
                foreach (var watcher in bucket.Watchers)
                {
                    if (watcher.Bookmarks)
                    {
                        watcher.Enqueue(new WatchItem(WatchItemType.Bookmark, null, _rv));
                    }
                }
            }
        }
    }

    /// <summary>In-process event feed of every resource, for the lifecycle machinery and simulated controllers.</summary>
    public Subscription Subscribe()
    {
        var subscription = new Subscription(this);
        lock (_gate)
        {
            _subscriptions = _subscriptions.Add(subscription);
        }

        return subscription;
    }

    internal void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Forgets all watch history and paging snapshots, as an etcd compaction would.</summary>
    public void CompactAll()
    {
        lock (_gate)
        {
            foreach (var bucket in _buckets.Values)
            {
                bucket.History.Compact(_rv);
            }
        }

        lock (_snapshotGate)
        {
            _pagingSnapshots.Clear();
        }
    }

    /// <summary>
    /// Empties every resource's watch history up to now, as a restarted kube-apiserver rebuilds its watch cache from a
    /// fresh list of etcd: a watch resumed from an older resourceVersion gets 410 Expired and its client lists again.
    /// Objects, their resourceVersions and paging snapshots stay, as etcd keeps them. Returns the new start.
    /// </summary>
    public long RestartWatchCache()
    {
        lock (_gate)
        {
            Volatile.Write(ref _watchCacheStart, _rv);
            foreach (var bucket in _buckets.Values)
            {
                bucket.History.Reset(_rv);
            }

            return _rv;
        }
    }

    /// <summary>Keeps a snapshot for paged lists that continue from it.</summary>
    public void KeepSnapshot(GroupResource resource, long resourceVersion, BucketState state)
    {
        lock (_snapshotGate)
        {
            foreach (var entry in _pagingSnapshots)
            {
                if (entry.Resource == resource && entry.Rv == resourceVersion)
                {
                    return;
                }
            }

            _pagingSnapshots.AddFirst((resource, resourceVersion, state));
            while (_pagingSnapshots.Count > 256)
            {
                _pagingSnapshots.RemoveLast();
            }
        }
    }

    /// <summary>The snapshot a continue token refers to, or null once it is compacted away.</summary>
    public BucketState? FindSnapshot(GroupResource resource, long resourceVersion)
    {
        var oldest = GetBucket(resource).History.CompactedResourceVersion;
        lock (_snapshotGate)
        {
            if (resourceVersion < oldest)
            {
                return null;
            }

            foreach (var entry in _pagingSnapshots)
            {
                if (entry.Resource == resource && entry.Rv == resourceVersion)
                {
                    return entry.State;
                }
            }
        }

        return null;
    }

    /// <summary>Drops an (emptied) resource, when its CRD goes away.</summary>
    public void RemoveResource(GroupResource resource)
    {
        if (_buckets.TryRemove(resource, out var bucket))
        {
            lock (_gate)
            {
                foreach (var watcher in bucket.Watchers)
                {
                    watcher.End(WatchEnd.Removed);
                }
            }
        }
    }

    private Bucket GetBucket(GroupResource resource) => _buckets.GetOrAdd(resource, NewBucket);

    // A resource first touched after a restart has seen no change since then, so its watch cache starts there too.
    private Bucket NewBucket(GroupResource resource)
    {
        var bucket = new Bucket(resource, _historyLimit);
        bucket.History.Reset(Volatile.Read(ref _watchCacheStart));
        return bucket;
    }

    private sealed class Bucket(GroupResource resource, int historyLimit)
    {
        public GroupResource Resource { get; } = resource;

        public volatile BucketState State = BucketState.Empty;

        public EventHistory History { get; } = new(historyLimit);

        public ImmutableArray<Watcher> Watchers = [];
    }
}

/// <summary>An unfiltered in-process feed of committed events.</summary>
internal sealed class Subscription(ObjectStore store) : IDisposable
{
    private readonly Channel<StoreEvent> _channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<StoreEvent> Reader => _channel.Reader;

    internal void Offer(StoreEvent e) => _channel.Writer.TryWrite(e);

    public void Dispose()
    {
        store.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
