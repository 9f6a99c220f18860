using System.Threading.Channels;
using Keelson.ApiServer.Resources;

namespace Keelson.ApiServer.Storage;

internal enum WatchItemType
{
    Added = 0,
    Modified = 1,
    Deleted = 2,
    Bookmark = 3,
}

/// <summary>
/// What a watcher sends next. <see cref="ResourceVersion"/> differs from the object's own when an object left the
/// watch's selector: the previous state is sent as DELETED, stamped with the event's resourceVersion.
/// </summary>
internal readonly record struct WatchItem(WatchItemType Type, StoredObject? Object, long ResourceVersion, bool InitialEventsEnd = false);

/// <summary>Which objects a watch or subscription receives.</summary>
internal sealed record WatchFilter(string? Namespace, Func<StoredObject, bool>? Predicate)
{
    public static readonly WatchFilter All = new(null, null);

    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && (Predicate is null || Predicate(obj));
}

internal enum WatchEnd
{
    None,
    Dropped,
    TooSlow,
    Removed,
}

/// <summary>
/// One open watch. Events are offered under the store's write lock (so the order is the commit order and no event
/// is lost between the initial replay and live delivery) and queued without blocking; the HTTP side drains the queue.
/// A watcher that falls too far behind is ended, as kube-apiserver ends slow watchers; the client re-establishes it.
/// </summary>
internal sealed class Watcher
{
    private readonly Channel<WatchItem> _channel = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxPending;
    private int _pending;
    private int _ended;

    public Watcher(GroupResource resource, WatchFilter filter, bool bookmarks, int maxPending, object? tag)
    {
        Resource = resource;
        Filter = filter;
        Bookmarks = bookmarks;
        _maxPending = maxPending;
        Tag = tag;
    }

    public GroupResource Resource { get; }

    public WatchFilter Filter { get; }

    public bool Bookmarks { get; }

    /// <summary>Caller-supplied data (the HTTP request description for fault injection).</summary>
    public object? Tag { get; }

    /// <summary>Events at or below this resourceVersion were delivered by the initial replay.</summary>
    public long StartAfter { get; set; }

    public WatchEnd EndReason { get; private set; }

    public ChannelReader<WatchItem> Reader => _channel.Reader;

    public void Consumed() => Interlocked.Decrement(ref _pending);

    /// <summary>Translates a store event for this watch's selector and queues it. Called under the store lock.</summary>
    public void Offer(StoreEvent e)
    {
        if (e.ResourceVersion <= StartAfter)
        {
            return;
        }

        var now = Filter.Matches(e.Object);
        var before = e.Previous is not null && Filter.Matches(e.Previous);
        switch (e.Type)
        {
            case StoreEventType.Added when now:
                Enqueue(new WatchItem(WatchItemType.Added, e.Object, e.ResourceVersion));
                break;
            case StoreEventType.Modified when now && before:
                Enqueue(new WatchItem(WatchItemType.Modified, e.Object, e.ResourceVersion));
                break;
            case StoreEventType.Modified when now:
                Enqueue(new WatchItem(WatchItemType.Added, e.Object, e.ResourceVersion));
                break;
            case StoreEventType.Modified when before:
                Enqueue(new WatchItem(WatchItemType.Deleted, e.Previous, e.ResourceVersion));
                break;
            case StoreEventType.Deleted when now || before:
                Enqueue(new WatchItem(WatchItemType.Deleted, e.Object, e.ResourceVersion));
                break;
        }
    }

    public void Enqueue(WatchItem item)
    {
        if (Volatile.Read(ref _ended) != 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _pending) > _maxPending)
        {
            End(WatchEnd.TooSlow);
            return;
        }

        _channel.Writer.TryWrite(item);
    }

    public void End(WatchEnd reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            EndReason = reason;
            _channel.Writer.TryComplete();
        }
    }
}
