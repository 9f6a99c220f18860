using System.Diagnostics.Metrics;

namespace Keelson.Engine.Source.Helm;

/// <summary>
/// Counters of the Helm repository source's requests (meter <see cref="HelmRepoSource.MeterName"/>):
/// keelson.helm.index.requests (tag <c>result</c>: read, not_modified, unchanged), keelson.helm.downloads and
/// keelson.helm.download.duration (s), keelson.helm.failures.remembered (requests failed at once with their
/// repository's recent failure, nothing sent).
/// </summary>
internal sealed class HelmRepoMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public HelmRepoMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(HelmRepoSource.MeterName) ?? new Meter(HelmRepoSource.MeterName);
        IndexRequests = _meter.CreateCounter<long>("keelson.helm.index.requests", "{request}", "index.yaml requests answered, by result: read, not_modified (304), unchanged (the same bytes again)");
        Downloads = _meter.CreateCounter<long>("keelson.helm.downloads", "{chart}", "Chart archives downloaded (cache misses)");
        DownloadDuration = _meter.CreateHistogram<double>("keelson.helm.download.duration", "s", "Duration of chart archive downloads");
        RememberedFailures = _meter.CreateCounter<long>("keelson.helm.failures.remembered", "{request}", "Requests failed at once with their repository's recent failure, without asking it");
    }

    public Counter<long> IndexRequests { get; }

    public Counter<long> Downloads { get; }

    public Histogram<double> DownloadDuration { get; }

    public Counter<long> RememberedFailures { get; }

    public void Dispose()
    {
        // A factory's meters are the factory's to dispose.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
