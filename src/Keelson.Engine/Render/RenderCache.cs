namespace Keelson.Engine.Render;

/// <summary>Least-recently-used renders, bounded by count and by the bytes they stand for. Thread-safe.</summary>
internal sealed class RenderCache(int maxEntries, long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    public bool TryGet(string key, out RenderResult result)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                result = node.Value.Result;
                return true;
            }
        }

        result = null!;
        return false;
    }

    public void Set(string key, RenderResult result, long bytes)
    {
        lock (_gate)
        {
            if (_index.Remove(key, out var old))
            {
                _order.Remove(old);
                _bytes -= old.Value.Bytes;
            }

            // A render larger than the whole budget is not kept: it would only push everything else out.
            if (bytes > maxBytes || maxEntries <= 0)
            {
                return;
            }

            _index[key] = _order.AddFirst(new Entry(key, result, bytes));
            _bytes += bytes;
            while (_index.Count > maxEntries || _bytes > maxBytes)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _index.Remove(last.Value.Key);
                _bytes -= last.Value.Bytes;
            }
        }
    }

    private sealed record Entry(string Key, RenderResult Result, long Bytes);
}
