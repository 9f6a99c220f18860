using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

/// <summary>
/// The extracted trees on disk, shared by every caller on the same commit. Each caller holds a lease while it reads
/// a tree; when more than the configured number of trees exist, the least recently used ones nobody holds are
/// deleted. A tree is first renamed out of the way (so a new extraction of the same commit never collides with a
/// deletion in progress), then removed.
/// </summary>
internal sealed partial class TreeStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _max;
    private readonly ILogger _logger;
    private readonly SourceMetrics _metrics;
    private long _clock;

    public TreeStore(int max, ILogger logger, SourceMetrics metrics)
    {
        _max = Math.Max(1, max);
        _logger = logger;
        _metrics = metrics;
    }

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

    /// <summary>Leases a tree that is on disk and known; null when it is not (it has to be extracted).</summary>
    public TreeLease? TryAcquire(string path)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(path, out var entry))
            {
                return null;
            }

            entry.Leases++;
            entry.LastUse = ++_clock;
            return new TreeLease(this, entry);
        }
    }

    /// <summary>Records a tree that was just extracted (or found complete on disk) as the most recently used.</summary>
    public void Add(string path)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(path))
            {
                _entries[path] = new Entry(path) { LastUse = ++_clock };
            }
        }

        Collect();
    }

    /// <summary>Drops a tree that vanished from disk, unless someone holds it.</summary>
    public void Forget(string path)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(path, out var entry) && entry.Leases == 0)
            {
                _entries.Remove(path);
            }
        }
    }

    /// <summary>Whether a tree directly under <paramref name="dir"/> is leased (someone reads its files).</summary>
    public bool AnyLeasedIn(string dir)
    {
        lock (_gate)
        {
            return _entries.Values.Any(e => e.Leases > 0 && InDir(e, dir));
        }
    }

    /// <summary>Forgets the unleased trees directly under <paramref name="dir"/>, whose directory is being removed whole.</summary>
    public void ForgetAllIn(string dir)
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values.Where(e => e.Leases == 0 && InDir(e, dir)).ToList())
            {
                _entries.Remove(entry.Path);
            }
        }
    }

    /// <summary>Records trees found on disk at start-up, oldest first, as older than anything used since.</summary>
    public void Adopt(IEnumerable<string> pathsOldestFirst)
    {
        lock (_gate)
        {
            var rank = long.MinValue / 2;
            foreach (var path in pathsOldestFirst)
            {
                _entries.TryAdd(path, new Entry(path) { LastUse = rank++ });
            }
        }

        Collect();
    }

    /// <summary>Deletes the least recently used unleased trees above the limit.</summary>
    public void Collect()
    {
        var doomed = new List<string>();
        lock (_gate)
        {
            while (_entries.Count > _max)
            {
                var victim = _entries.Values.Where(e => e.Leases == 0).MinBy(e => e.LastUse);
                if (victim is null)
                {
                    break;
                }

                _entries.Remove(victim.Path);
                var parent = Path.GetDirectoryName(victim.Path)!;
                var aside = Path.Combine(parent, ".del-" + Guid.NewGuid().ToString("N"));
                try
                {
                    Directory.Move(victim.Path, aside);
                    doomed.Add(aside);
                }
                catch (DirectoryNotFoundException)
                {
                    // Someone removed it by hand; nothing to do.
                }
                catch (IOException ex)
                {
                    LogEvictionFailed(victim.Path, ex.Message);
                }
            }
        }

        foreach (var path in doomed)
        {
            Delete(path);
            _metrics.TreesEvicted.Add(1);
            LogEvicted(path);
        }
    }

    public void Delete(string path)
    {
        if (SourcePaths.TryDelete(path) is { } error)
        {
            LogEvictionFailed(path, error);
        }
    }

    private static bool InDir(Entry entry, string dir) =>
        string.Equals(Path.GetDirectoryName(entry.Path), dir, StringComparison.Ordinal);

    private void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.Leases--;
        }

        Collect();
    }

    internal sealed class Entry(string path)
    {
        public string Path { get; } = path;

        public int Leases { get; set; }

        public long LastUse { get; set; }
    }

    /// <summary>Keeps a tree on disk until disposed (once; disposing again does nothing).</summary>
    internal sealed class TreeLease : IDisposable
    {
        private readonly TreeStore _store;
        private readonly Entry _entry;
        private int _released;

        internal TreeLease(TreeStore store, Entry entry)
        {
            _store = store;
            _entry = entry;
        }

        public string Path => _entry.Path;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _store.Release(_entry);
            }
        }
    }
}
