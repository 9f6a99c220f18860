using System.Diagnostics.Metrics;
using System.Text;
using Keelson.Operator.Metrics;

namespace Keelson.Operator.Tests.Metrics;

/// <summary>The sources' instruments as /metrics writes them: Prometheus names, one series per tag set, cumulative buckets.</summary>
public sealed class MeterExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counters_and_histograms_are_written_as_prometheus_reads_them()
    {
        using var export = new MeterExport();
        var meter = export.Create(new MeterOptions("Keelson.Test"));
        var fetches = meter.CreateCounter<long>("keelson.test.fetches", "{call}", "git fetch runs");
        var duration = meter.CreateHistogram<double>("keelson.test.fetch.duration", "s", "Duration of git fetch runs");
        meter.CreateCounter<long>("keelson.test.unused", "{call}", "never recorded");

        fetches.Add(2, new("kind", "commit"), new("repo", "a\"b"));
        fetches.Add(1, new("repo", "a\"b"), new("kind", "commit"));
        fetches.Add(1, new KeyValuePair<string, object?>("kind", "all"));
        duration.Record(0.02);
        duration.Record(3);
        duration.Record(500);

        var text = Render(export);
        Assert.Contains("# TYPE keelson_test_fetches_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetches_total{kind=\"commit\",repo=\"a\\\"b\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetches_total{kind=\"all\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE keelson_test_fetch_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_bucket{le=\"0.01\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_bucket{le=\"0.025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_bucket{le=\"5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_bucket{le=\"120\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_bucket{le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_sum 503.02\n", text, StringComparison.Ordinal);
        Assert.Contains("keelson_test_fetch_duration_seconds_count 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unused", text, StringComparison.Ordinal);
        Assert.Equal("", await Promtool.CheckAsync(text, Ct));
    }

    [Fact]
    public void Meters_of_another_export_or_none_are_not_counted()
    {
        // Two operators in one process (tests, a standby replica) each report their own work only.
        using var mine = new MeterExport();
        using var theirs = new MeterExport();
        using var loose = new Meter("Keelson.Test");
        mine.Create(new MeterOptions("Keelson.Test")).CreateCounter<long>("keelson.test.calls").Add(1);
        theirs.Create(new MeterOptions("Keelson.Test")).CreateCounter<long>("keelson.test.calls").Add(5);
        loose.CreateCounter<long>("keelson.test.calls").Add(7);

        Assert.Contains("keelson_test_calls_total 1\n", Render(mine), StringComparison.Ordinal);
        Assert.Contains("keelson_test_calls_total 5\n", Render(theirs), StringComparison.Ordinal);
    }

    private static string Render(MeterExport export)
    {
        var text = new StringBuilder();
        export.Render(text);
        return text.ToString();
    }
}
