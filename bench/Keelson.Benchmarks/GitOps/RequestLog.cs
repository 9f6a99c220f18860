using System.Collections.Concurrent;
using System.Globalization;
using Keelson.ApiServer;
using Keelson.ApiServer.Faults;

namespace Keelson.Benchmarks.GitOps;

/// <summary>
/// Counts one client's requests by verb, resource (with subresource) and object name, so the report can say not only
/// how many patches were made but how many per object (an apply after a dry-run shows as two). It listens through
/// the simulator's fault hook with a rule that never fires: the simulator needs no change for it.
/// </summary>
internal sealed class RequestLog
{
    private readonly ConcurrentDictionary<(string Verb, string Resource, string Name), int> _counts = new();
    private readonly FaultRule _rule;

    public RequestLog(ApiServerHost host, string userAgent)
    {
        _rule = host.Faults.Delay(TimeSpan.Zero, info =>
        {
            if (info.UserAgent?.StartsWith(userAgent, StringComparison.Ordinal) == true)
            {
                var resource = info.IsResourceRequest ? info.Resource + (info.Subresource is { } s ? "/" + s : "") : info.Path;
                _counts.AddOrUpdate((info.Verb, resource, info.Name ?? ""), 1, (_, n) => n + 1);
            }

            return false;
        });
    }

    public void Reset() => _counts.Clear();

    public void Stop() => _rule.Cancel();

    /// <summary>One line per verb and resource: requests, objects they touched, and how many times per object.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var group in _counts.GroupBy(p => (p.Key.Verb, p.Key.Resource)).OrderByDescending(g => g.Sum(p => p.Value)))
        {
            var total = group.Sum(p => p.Value);
            var named = group.Where(p => p.Key.Name.Length > 0).ToList();
            var perObject = named.Count == 0 ? "" : ", per object: " + string.Join(" ", named
                .GroupBy(p => p.Value).OrderBy(g => g.Key)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}x{g.Count()}")));
            yield return string.Create(CultureInfo.InvariantCulture, $"{group.Key.Verb,-6} {group.Key.Resource,-34} {total,6}{(named.Count > 0 ? $" on {named.Count} objects" : "")}{perObject}");
        }
    }
}
