using System.Diagnostics;
using System.Globalization;

namespace Keelson.Benchmarks.Common;

/// <summary>Percentiles over a set of durations, printed in milliseconds.</summary>
internal sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> milliseconds)
    {
        _sorted = [.. milliseconds.Order()];
    }

    public int Count => _sorted.Length;

    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Mean => _sorted.Length == 0 ? double.NaN : _sorted.Average();

    /// <summary>Nearest-rank percentile (p in 0..100).</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public string Summary() =>
        string.Create(CultureInfo.InvariantCulture, $"n={Count} min={Min:0.00} p50={Percentile(50):0.00} p90={Percentile(90):0.00} p99={Percentile(99):0.00} max={Max:0.00} ms");

    public static double Milliseconds(long startTimestamp, long endTimestamp) =>
        Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMilliseconds;
}
