using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Keelson.Operator.Metrics;

/// <summary>
/// The meters of one operator's parts (the Git and Helm repository sources), kept for <c>/metrics</c>: creates them
/// with itself as their scope, listens to those instruments only (another operator in the same process has its own),
/// and writes counters and histograms in the Prometheus text format, names as OpenTelemetry's Prometheus exporter
/// spells them (<c>keelson.source.fetch.duration</c> in seconds → <c>keelson_source_fetch_duration_seconds</c>,
/// counters ending in <c>_total</c>, tags as labels).
/// </summary>
internal sealed class MeterExport : IMeterFactory
{
    // Prometheus's default buckets, stretched to the minutes a git fetch or a chart download may take.
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentBag<Meter> _meters = [];
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public MeterExport()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this) && (instrument is Counter<long> or Counter<double> or Histogram<double>))
            {
                _series[instrument] = new Series(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        _meters.Add(meter);
        return meter;
    }

    /// <summary>Appends every instrument that has recorded something, in name order.</summary>
    public void Render(StringBuilder text)
    {
        foreach (var series in _series.Values.Where(s => !s.Points.IsEmpty).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.Render(text);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, Labels(tags));
        }
    }

    /// <summary>Tags as a Prometheus label list, sorted by name so one tag set is one series whatever the order.</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitize(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        return string.Join(",", pairs.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}=\"{OperatorMetrics.Escape(p.Value)}\""));
    }

    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return text.ToString();
    }

    /// <summary>One instrument's values per label set: a sum for a counter; bucket counts, sum and count for a histogram.</summary>
    private sealed class Series(Instrument instrument)
    {
        public string Name { get; } = BaseName(instrument);

        public bool Histogram { get; } = instrument is Histogram<double>;

        public ConcurrentDictionary<string, Point> Points { get; } = new(StringComparer.Ordinal);

        public void Record(double value, string labels)
        {
            var point = Points.GetOrAdd(labels, _ => new Point(Histogram ? Buckets.Length : 0));
            lock (point)
            {
                point.Sum += value;
                point.Count++;
                for (var i = 0; i < point.Buckets.Length; i++)
                {
                    if (value <= Buckets[i])
                    {
                        point.Buckets[i]++;
                    }
                }
            }
        }

        public void Render(StringBuilder text)
        {
            var name = Histogram ? Name : Name + "_total";
            var help = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {(Histogram ? "histogram" : "counter")}\n");
            foreach (var (labels, point) in Points.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                double sum;
                long count;
                long[] buckets;
                lock (point)
                {
                    (sum, count, buckets) = (point.Sum, point.Count, (long[])point.Buckets.Clone());
                }

                if (!Histogram)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}{Braces(labels)} {sum}\n");
                    continue;
                }

                var prefix = labels.Length == 0 ? "" : labels + ",";
                for (var i = 0; i < buckets.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{Buckets[i]}\"}} {buckets[i]}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {count}\n");
                text.Append(CultureInfo.InvariantCulture, $"{name}_sum{Braces(labels)} {sum}\n");
                text.Append(CultureInfo.InvariantCulture, $"{name}_count{Braces(labels)} {count}\n");
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string BaseName(Instrument instrument)
        {
            var name = Sanitize(instrument.Name);
            return instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal) ? name + "_seconds" : name;
        }
    }

    private sealed class Point(int buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];
    }
}
