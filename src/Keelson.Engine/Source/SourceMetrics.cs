using System.Diagnostics.Metrics;

namespace Keelson.Engine.Source;

/// <summary>
/// Counters of the work the source does, so "nothing changed" can be checked to cost no fetch. Instruments (meter
/// <see cref="GitSource.MeterName"/>): keelson.source.ls_remotes, keelson.source.fetches (tag <c>kind</c>:
/// commit, ref, all), keelson.source.fetch.duration (s), keelson.source.extractions, keelson.source.trees.evicted, keelson.source.repos.removed (tag <c>reason</c>: idle, size),
/// keelson.source.failures.remembered (requests failed at once with their repository's recent failure, git not run).
/// </summary>
internal sealed class SourceMetrics : IDisposable
{
    private readonly bool _ownsMeter;

    public SourceMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        Meter = factory?.Create(GitSource.MeterName) ?? new Meter(GitSource.MeterName);
        LsRemotes = Meter.CreateCounter<long>("keelson.source.ls_remotes", "{call}", "git ls-remote runs (cache misses)");
        Fetches = Meter.CreateCounter<long>("keelson.source.fetches", "{call}", "git fetch runs");
        FetchDuration = Meter.CreateHistogram<double>("keelson.source.fetch.duration", "s", "Duration of git fetch runs");
        Extractions = Meter.CreateCounter<long>("keelson.source.extractions", "{tree}", "Commits whose files were written to disk");
        TreesEvicted = Meter.CreateCounter<long>("keelson.source.trees.evicted", "{tree}", "Extracted trees removed by the garbage collector");
        ReposRemoved = Meter.CreateCounter<long>("keelson.source.repos.removed", "{repository}", "Repository caches removed, unused for too long or over the size limit");
        RememberedFailures = Meter.CreateCounter<long>("keelson.source.failures.remembered", "{call}", "Requests failed at once with their repository's recent failure, without running git");
    }

    public Meter Meter { get; }

    public Counter<long> LsRemotes { get; }

    public Counter<long> Fetches { get; }

    public Histogram<double> FetchDuration { get; }

    public Counter<long> Extractions { get; }

    public Counter<long> TreesEvicted { get; }

    public Counter<long> ReposRemoved { get; }

    public Counter<long> RememberedFailures { get; }

    public void Dispose()
    {
        // A factory's meters are shared and disposed by the factory.
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
