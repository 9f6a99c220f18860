using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Keelson.ApiServer.Faults;

/// <summary>Requests counted by verb, resource, field manager and user agent.</summary>
public sealed record RequestCount(string Verb, string Group, string Resource, string? Subresource, string FieldManager, string UserAgent, long Count);

/// <summary>
/// Request accounting, readable in-process: how many requests of each verb, resource, field manager and user agent
/// the server answered (for example, to prove a controller makes no writes in a steady state).
/// </summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<(string Verb, string Group, string Resource, string? Subresource, string Manager, string Agent), StrongBox<long>> _counts = new();

    internal void Record(ApiRequestInfo request)
    {
        var key = (request.Verb, request.Group, request.Resource, request.Subresource, request.FieldManager ?? "", request.UserAgent ?? "");
        var box = _counts.GetOrAdd(key, _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    /// <summary>Requests matching every given filter (null matches anything). Resource is the plural name, e.g. "configmaps".</summary>
    public long Count(string? verb = null, string? resource = null, string? fieldManager = null, string? userAgent = null, string? group = null) =>
        _counts.Where(p =>
                (verb is null || p.Key.Verb == verb) &&
                (resource is null || p.Key.Resource == resource) &&
                (group is null || p.Key.Group == group) &&
                (fieldManager is null || p.Key.Manager == fieldManager) &&
                (userAgent is null || p.Key.Agent.StartsWith(userAgent, StringComparison.Ordinal)))
            .Sum(p => Interlocked.Read(ref p.Value.Value));

    /// <summary>Mutating requests (create, update, patch, delete, deletecollection) matching the filters.</summary>
    public long Writes(string? resource = null, string? fieldManager = null, string? userAgent = null) =>
        WriteVerbs.Sum(v => Count(v, resource, fieldManager, userAgent));

    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    public IReadOnlyList<RequestCount> Snapshot() =>
        _counts.Select(p => new RequestCount(p.Key.Verb, p.Key.Group, p.Key.Resource, p.Key.Subresource, p.Key.Manager, p.Key.Agent, Interlocked.Read(ref p.Value.Value)))
            .OrderBy(c => c.Verb, StringComparer.Ordinal).ThenBy(c => c.Resource, StringComparer.Ordinal).ToList();

    public void Reset() => _counts.Clear();
}
