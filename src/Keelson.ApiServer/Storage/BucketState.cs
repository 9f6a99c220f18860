using System.Collections.Immutable;

namespace Keelson.ApiServer.Storage;

/// <summary>
/// An immutable snapshot of one resource's objects, ordered by namespace then name (etcd key order). Writers replace
/// the snapshot; readers and paged lists keep using the one they started with, without locks.
/// </summary>
internal sealed class BucketState
{
    private static readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>> NoNamespaces =
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, StoredObject>>(StringComparer.Ordinal);

    private static readonly ImmutableSortedDictionary<string, StoredObject> NoObjects =
        ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    public static readonly BucketState Empty = new(NoNamespaces, 0, 0);

    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>> _byNamespace;

    private BucketState(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>> byNamespace, int count, long resourceVersion)
    {
        _byNamespace = byNamespace;
        Count = count;
        ResourceVersion = resourceVersion;
    }

    public int Count { get; }

    /// <summary>The global resourceVersion of the write that produced this snapshot.</summary>
    public long ResourceVersion { get; }

    public StoredObject? Get(string ns, string name) =>
        _byNamespace.TryGetValue(ns, out var names) && names.TryGetValue(name, out var obj) ? obj : null;

    public int CountIn(string? ns) => ns is null ? Count : _byNamespace.TryGetValue(ns, out var names) ? names.Count : 0;

    public IEnumerable<string> Namespaces => _byNamespace.Keys;

    public BucketState Set(StoredObject obj, long resourceVersion)
    {
        var names = _byNamespace.TryGetValue(obj.Namespace, out var existing) ? existing : NoObjects;
        var added = !names.ContainsKey(obj.Name);
        return new BucketState(_byNamespace.SetItem(obj.Namespace, names.SetItem(obj.Name, obj)), Count + (added ? 1 : 0), resourceVersion);
    }

    public BucketState Remove(string ns, string name, long resourceVersion)
    {
        if (!_byNamespace.TryGetValue(ns, out var names) || !names.ContainsKey(name))
        {
            return this;
        }

        var remaining = names.Remove(name);
        var map = remaining.IsEmpty ? _byNamespace.Remove(ns) : _byNamespace.SetItem(ns, remaining);
        return new BucketState(map, Count - 1, resourceVersion);
    }

    /// <summary>Objects in key order, optionally in one namespace, starting after (ns, name) when given.</summary>
    public IEnumerable<StoredObject> Enumerate(string? ns, (string Namespace, string Name)? after = null)
    {
        if (ns is not null)
        {
            if (!_byNamespace.TryGetValue(ns, out var names))
            {
                yield break;
            }

            foreach (var (name, obj) in names)
            {
                if (after is { } a && string.CompareOrdinal(name, a.Name) <= 0)
                {
                    continue;
                }

                yield return obj;
            }

            yield break;
        }

        foreach (var (space, names) in _byNamespace)
        {
            if (after is { } a)
            {
                var cmp = string.CompareOrdinal(space, a.Namespace);
                if (cmp < 0)
                {
                    continue;
                }

                if (cmp == 0)
                {
                    foreach (var (name, obj) in names)
                    {
                        if (string.CompareOrdinal(name, a.Name) > 0)
                        {
                            yield return obj;
                        }
                    }

                    continue;
                }
            }

            foreach (var (_, obj) in names)
            {
                yield return obj;
            }
        }
    }
}
