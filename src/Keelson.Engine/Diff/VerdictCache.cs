namespace Keelson.Engine.Diff;

/// <summary>
/// Remembers, per object, the last (desired digest, live digest) pair found in sync, so an object whose desired state
/// and live state are both unchanged since needs no dry-run: in a steady state a comparison makes no API calls.
/// The live digest covers only compared fields, so status updates (a Deployment becoming ready) do not invalidate it.
/// Bounded: the least recently used entries go first.
/// </summary>
internal sealed class VerdictCache(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _order = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public bool IsSynced(string key, UInt128 desired, UInt128 live)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return false;
            }

            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Desired == desired && node.Value.Live == live;
        }
    }

    public void SetSynced(string key, UInt128 desired, UInt128 live)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                node.Value = new Entry(key, desired, live);
                _order.AddFirst(node);
                return;
            }

            _entries[key] = _order.AddFirst(new Entry(key, desired, live));
            while (_entries.Count > capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }
    }

    public void Forget(string key)
    {
        lock (_gate)
        {
            if (_entries.Remove(key, out var node))
            {
                _order.Remove(node);
            }
        }
    }

    private readonly record struct Entry(string Key, UInt128 Desired, UInt128 Live);
}
