using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Keelson.Kubernetes.Http;
using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public enum EventType
{
    Normal,
    Warning,
}

public sealed record EventRecorderOptions
{
    /// <summary>The controller that reports, e.g. <c>keelson.dev/controller</c>.</summary>
    public required string ReportingController { get; init; }

    /// <summary>This instance of it, e.g. the pod name.</summary>
    public required string ReportingInstance { get; init; }

    /// <summary>A repeat within this time of the last occurrence bumps the series of the existing Event.</summary>
    public TimeSpan SeriesWindow { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>How often pending series counts are written; one write per series at most per interval.</summary>
    public TimeSpan SeriesFlushInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>New Events per object allowed at once (spam filter), refilled by one every <see cref="RefillInterval"/>.</summary>
    public int BurstPerObject { get; init; } = 25;

    public TimeSpan RefillInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Events waiting to be written; more are dropped (recording never blocks).</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>How long disposing may spend writing what is still queued (real time: it waits on the network).</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Records <c>events.k8s.io/v1</c> Events about objects. <see cref="Record"/> never blocks and never throws for
/// server problems: events are written in the background, repeats of the same event within
/// <see cref="EventRecorderOptions.SeriesWindow"/> bump <c>series.count</c> and <c>series.lastObservedTime</c> on
/// the existing Event instead of creating new ones, and a noisy object is rate limited.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    private const int MaxNote = 1024;
    private readonly KubeClient _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenBucket> _limits = new(StringComparer.Ordinal);
    private readonly ITimer _flushTimer;
    private readonly Task _loop;
    private readonly CancellationTokenSource _abort = new();
    private long _sequence;
    private long _dropped;
    private long _written;
    private int _flushRequested;

    public EventRecorder(KubeClient client, EventRecorderOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
        _time = client.Options.TimeProvider;
        _logger = client.Options.LoggerFactory.CreateLogger<EventRecorder>();
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            // Wait mode makes TryWrite report a full queue (the Drop modes claim success), and Record never waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _flushTimer = _time.CreateTimer(_ => RequestFlush(), null, options.SeriesFlushInterval, options.SeriesFlushInterval);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Events not recorded because the queue was full or the object was over its rate limit.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes done so far (creates and series updates).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>
    /// Records that <paramref name="action"/> on <paramref name="regarding"/> had outcome <paramref name="reason"/>.
    /// Returns at once; the Event is written in the background.
    /// </summary>
    public void Record(JsonObject regarding, EventType type, string reason, string action, string note, JsonObject? related = null)
    {
        ArgumentNullException.ThrowIfNull(regarding);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        ArgumentException.ThrowIfNullOrEmpty(action);
        var pending = new Pending(Reference(regarding), related is null ? null : Reference(related), type, reason, action, Truncate(note ?? ""), _time.GetUtcNow());
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what is queued and the pending series counts, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _flushTimer.DisposeAsync();
        _queue.Writer.TryComplete();
        _abort.CancelAfter(_options.FlushTimeout);
        await _loop;
        _abort.Dispose();
    }

    private void RequestFlush()
    {
        Interlocked.Exchange(ref _flushRequested, 1);
        // Wake the loop if it is idle; a full queue means it is busy and will see the flag anyway.
        _queue.Writer.TryWrite(Pending.Flush);
    }

    private async Task LoopAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync())
        {
            if (!ReferenceEquals(pending, Pending.Flush))
            {
                await WriteAsync(pending);
            }

            if (Interlocked.Exchange(ref _flushRequested, 0) == 1)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();
    }

    private async Task WriteAsync(Pending e)
    {
        var key = e.Key;
        if (_series.TryGetValue(key, out var series) && e.At - series.LastObserved < _options.SeriesWindow)
        {
            series.Count++;
            series.LastObserved = e.At;
            series.Dirty = true;
            return;
        }

        var objectKey = e.Regarding.Key;
        if (!_limits.TryGetValue(objectKey, out var bucket))
        {
            if (_limits.Count >= 4096)
            {
                _limits.Clear(); // bounded memory; forgetting old buckets only makes the filter briefly lenient
            }

            bucket = new TokenBucket(1 / _options.RefillInterval.TotalSeconds, _options.BurstPerObject, _time);
            _limits[objectKey] = bucket;
        }

        if (!bucket.TryTake())
        {
            Interlocked.Increment(ref _dropped);
            LogRateLimited(e.Reason, objectKey);
            return;
        }

        var ns = e.Regarding.Namespace ?? "default";
        var name = $"{e.Regarding.Name}.{(e.At.ToUnixTimeMilliseconds() * 1_000_000) + (Interlocked.Increment(ref _sequence) % 1_000_000):x}";
        var body = new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["eventTime"] = KubeTime.FormatMicro(e.At),
            ["reportingController"] = _options.ReportingController,
            ["reportingInstance"] = _options.ReportingInstance,
            ["action"] = e.Action,
            ["reason"] = e.Reason,
            ["type"] = e.Type.ToString(),
            ["note"] = e.Note,
            ["regarding"] = e.Regarding.ToJson(),
        };
        if (e.Related is { } related)
        {
            body["related"] = related.ToJson();
        }

        try
        {
            await _client.CreateAsync(ApiResource.Events, body, cancellationToken: _abort.Token);
            Interlocked.Increment(ref _written);
            _series[key] = new Series(name, ns, e.At);
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or TimeoutException or OperationCanceledException or Config.KubeCredentialException)
        {
            LogWriteFailed(e.Reason, objectKey, ex.Message);
        }

        PruneExpired(e.At);
    }

    private async Task FlushAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, series) in _series.ToList())
        {
            if (!series.Dirty)
            {
                continue;
            }

            series.Dirty = false;
            var patch = new JsonObject
            {
                ["series"] = new JsonObject { ["count"] = series.Count, ["lastObservedTime"] = KubeTime.FormatMicro(series.LastObserved) },
            };
            try
            {
                await _client.PatchAsync(ApiResource.Events, series.Namespace, series.Name, PatchType.Merge, patch, cancellationToken: _abort.Token);
                Interlocked.Increment(ref _written);
            }
            catch (KubeApiException ex) when (ex.IsNotFound)
            {
                _series.Remove(key); // expired on the server; the next repeat creates a new Event
            }
            catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or TimeoutException or OperationCanceledException or Config.KubeCredentialException)
            {
                LogWriteFailed("series", series.Name, ex.Message);
            }
        }

        PruneExpired(now);
    }

    private void PruneExpired(DateTimeOffset now)
    {
        foreach (var (key, series) in _series.ToList())
        {
            if (!series.Dirty && now - series.LastObserved >= _options.SeriesWindow)
            {
                _series.Remove(key);
            }
        }
    }

    private static string Truncate(string note)
    {
        if (Encoding.UTF8.GetByteCount(note) <= MaxNote)
        {
            return note;
        }

        var cut = note[..Math.Min(note.Length, MaxNote - 3)];
        while (Encoding.UTF8.GetByteCount(cut) > MaxNote - 3)
        {
            cut = cut[..^1];
        }

        return cut + "...";
    }

    private static Ref Reference(JsonObject obj) => new(
        obj.GetApiVersion() ?? "", obj.GetKind() ?? "", obj.GetName() ?? "", obj.GetNamespace(), obj.GetUid(), obj.GetResourceVersion());

    private sealed record Ref(string ApiVersion, string Kind, string Name, string? Namespace, string? Uid, string? ResourceVersion)
    {
        public string Key => $"{ApiVersion}/{Kind}/{Namespace}/{Name}/{Uid}";

        public JsonObject ToJson()
        {
            var r = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = Kind, ["name"] = Name };
            if (Namespace is not null)
            {
                r["namespace"] = Namespace;
            }

            if (Uid is not null)
            {
                r["uid"] = Uid;
            }

            if (ResourceVersion is not null)
            {
                r["resourceVersion"] = ResourceVersion;
            }

            return r;
        }
    }

    private sealed record Pending(Ref Regarding, Ref? Related, EventType Type, string Reason, string Action, string Note, DateTimeOffset At)
    {
        public static readonly Pending Flush = new(new Ref("", "", "", null, null, null), null, EventType.Normal, "", "", "", default);

        public string Key => $"{Regarding.Key}|{Related?.Key}|{Type}|{Reason}|{Action}|{Note}";
    }

    private sealed class Series(string name, string ns, DateTimeOffset first)
    {
        public string Name { get; } = name;

        public string Namespace { get; } = ns;

        public int Count { get; set; } = 1;

        public DateTimeOffset LastObserved { get; set; } = first;

        public bool Dirty { get; set; }
    }
}
