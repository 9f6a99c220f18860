using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Storage;

internal enum StoreEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// One committed change. For deletions <see cref="Object"/> is the last state stamped with the deletion's
/// resourceVersion (what watchers receive) and <see cref="Previous"/> the state before.
/// </summary>
internal sealed record StoreEvent(StoreEventType Type, GroupResource Resource, StoredObject Object, StoredObject? Previous, long Timestamp)
{
    public long ResourceVersion => Object.ResourceVersion;
}

/// <summary>
/// The recent events of one resource, so watches can resume from a resourceVersion. Events older than the window
/// (by count or age) are compacted away; resuming from before the window is answered with 410 Expired.
/// </summary>
internal sealed class EventHistory(int capacity)
{
    private readonly StoreEvent[] _ring = new StoreEvent[Math.Max(capacity, 1)];
    private int _start;
    private int _count;

    /// <summary>Every event with a resourceVersion above this one is still held: a watch may start from here on.</summary>
    public long StartResourceVersion { get; private set; }

    /// <summary>
    /// What storage itself (etcd) has compacted: paging snapshots older than this are gone. It moves with
    /// <see cref="StartResourceVersion"/>, except on <see cref="Reset"/>, which only empties the watch cache.
    /// </summary>
    public long CompactedResourceVersion { get; private set; }

    public void Append(StoreEvent e)
    {
        if (_count == _ring.Length)
        {
            StartResourceVersion = CompactedResourceVersion = _ring[_start].ResourceVersion;
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        _ring[(_start + _count) % _ring.Length] = e;
        _count++;
    }

    /// <summary>Drops events older than the given timestamp.</summary>
    public void DropOlderThan(long timestamp)
    {
        while (_count > 0 && _ring[_start].Timestamp < timestamp)
        {
            StartResourceVersion = CompactedResourceVersion = _ring[_start].ResourceVersion;
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }
    }

    /// <summary>Forgets everything up to and including the given resourceVersion.</summary>
    public void Compact(long resourceVersion)
    {
        Reset(resourceVersion);
        CompactedResourceVersion = Math.Max(CompactedResourceVersion, resourceVersion);
    }

    /// <summary>
    /// Empties the watch cache up to and including the given resourceVersion, as a restarted kube-apiserver's cache
    /// starts from its first list; storage keeps its own history (<see cref="CompactedResourceVersion"/>).
    /// </summary>
    public void Reset(long resourceVersion)
    {
        while (_count > 0 && _ring[_start].ResourceVersion <= resourceVersion)
        {
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        StartResourceVersion = Math.Max(StartResourceVersion, resourceVersion);
    }

    public bool CanServe(long resourceVersion) => resourceVersion >= StartResourceVersion;

    public IEnumerable<StoreEvent> After(long resourceVersion)
    {
        for (var i = 0; i < _count; i++)
        {
            var e = _ring[(_start + i) % _ring.Length];
            if (e.ResourceVersion > resourceVersion)
            {
                yield return e;
            }
        }
    }
}
