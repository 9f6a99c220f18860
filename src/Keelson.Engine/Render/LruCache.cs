namespace Keelson.Engine.Render;

/// <summary>A thread-safe map that drops its least recently used entries to stay within a total weight and count.</summary>
internal sealed class LruCache<T>(long maxWeight, int maxEntries)
    where T : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _order = new();
    private long _weight;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _map.Count;
            }
        }
    }

    public long Weight
    {
        get
        {
            lock (_gate)
            {
                return _weight;
            }
        }
    }

    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Adds or replaces an entry; one heavier than the whole cache is not kept (nor is the one it replaces).</summary>
    public void Add(string key, T value, long weight)
    {
        lock (_gate)
        {
            if (_map.Remove(key, out var old))
            {
                _order.Remove(old);
                _weight -= old.Value.Weight;
            }

            // Keeping it would only push everything else out.
            if (weight > maxWeight || maxEntries <= 0)
            {
                return;
            }

            _map[key] = _order.AddFirst(new Entry(key, value, weight));
            _weight += weight;
            while (_weight > maxWeight || _map.Count > maxEntries)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
                _weight -= last.Value.Weight;
            }
        }
    }

    private sealed record Entry(string Key, T Value, long Weight);
}
