using System.Collections.Immutable;

namespace Keelson.ApiServer.Resources;

/// <summary>A served API group and its versions, preferred first.</summary>
internal sealed record GroupInfo(string Name, IReadOnlyList<string> Versions);

/// <summary>
/// Every served resource: the built-in kinds plus those CRDs register at run time. An immutable snapshot is swapped on
/// change, so request handling reads it without locks.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<ResourceType> _builtIn;
    private ImmutableDictionary<string, IReadOnlyList<ResourceType>> _custom = ImmutableDictionary<string, IReadOnlyList<ResourceType>>.Empty;
    private volatile Snapshot _snapshot;

    public ResourceRegistry(IReadOnlyList<ResourceType> builtIn)
    {
        _builtIn = builtIn;
        _snapshot = Build();
    }

    /// <summary>Bumped on every change; discovery uses it as a cache key.</summary>
    public long Generation => _snapshot.Generation;

    public IReadOnlyList<ResourceType> All => _snapshot.All;

    public IReadOnlyList<GroupInfo> Groups => _snapshot.Groups;

    public ResourceType? Find(string group, string version, string plural) =>
        _snapshot.ByResource.TryGetValue((group, version, plural), out var type) ? type : null;

    public ResourceType? FindByKind(string group, string version, string kind) =>
        _snapshot.ByKind.TryGetValue((group, version, kind), out var type) ? type : null;

    /// <summary>The type describing how a resource is stored (its storage version).</summary>
    public ResourceType? Storage(GroupResource resource) =>
        _snapshot.ByStorage.TryGetValue(resource, out var type) ? type : null;

    public bool IsServed(string group, string version) => _snapshot.Groups.Any(g => g.Name == group && g.Versions.Contains(version));

    public IEnumerable<ResourceType> InGroupVersion(string group, string version) =>
        _snapshot.All.Where(t => t.Group == group && t.Version == version);

    /// <summary>Registers (or replaces) the resources a CRD serves.</summary>
    public void SetCustom(string crdName, IReadOnlyList<ResourceType> types)
    {
        lock (_gate)
        {
            _custom = _custom.SetItem(crdName, types);
            _snapshot = Build();
        }
    }

    public void RemoveCustom(string crdName)
    {
        lock (_gate)
        {
            _custom = _custom.Remove(crdName);
            _snapshot = Build();
        }
    }

    public bool HasCustom(string crdName) => _custom.ContainsKey(crdName);

    private Snapshot Build()
    {
        var all = _builtIn.Concat(_custom.OrderBy(c => c.Key, StringComparer.Ordinal).SelectMany(c => c.Value)).ToList();
        var byResource = new Dictionary<(string, string, string), ResourceType>();
        var byKind = new Dictionary<(string, string, string), ResourceType>();
        var byStorage = new Dictionary<GroupResource, ResourceType>();
        var groups = new List<(string Name, List<string> Versions)>();
        foreach (var type in all)
        {
            byResource.TryAdd((type.Group, type.Version, type.Plural), type);
            byKind.TryAdd((type.Group, type.Version, type.Kind), type);
            if (type.StorageVersion.Length == 0 || type.StorageVersion == type.Version)
            {
                byStorage.TryAdd(type.GroupResource, type);
            }

            var group = groups.FirstOrDefault(g => g.Name == type.Group);
            if (group.Name is null)
            {
                group = (type.Group, []);
                groups.Add(group);
            }

            if (!group.Versions.Contains(type.Version))
            {
                group.Versions.Add(type.Version);
            }
        }

        foreach (var type in all)
        {
            byStorage.TryAdd(type.GroupResource, type);
        }

        var ordered = groups.Select(g => new GroupInfo(g.Name, g.Versions.OrderByDescending(VersionPriority).ToList())).ToList();
        return new Snapshot(all, byResource, byKind, byStorage, ordered, (_snapshot?.Generation ?? 0) + 1);
    }

    /// <summary>Kubernetes version ordering: GA above beta above alpha, higher numbers first.</summary>
    public static int VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!match.Success)
        {
            return -1;
        }

        var major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var stage = match.Groups[2].Value switch
        {
            "" => 3,
            "beta" => 2,
            _ => 1,
        };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stage * 1_000_000) + (major * 1000) + minor;
    }

    private sealed record Snapshot(
        IReadOnlyList<ResourceType> All,
        IReadOnlyDictionary<(string, string, string), ResourceType> ByResource,
        IReadOnlyDictionary<(string, string, string), ResourceType> ByKind,
        IReadOnlyDictionary<GroupResource, ResourceType> ByStorage,
        IReadOnlyList<GroupInfo> Groups,
        long Generation);
}
