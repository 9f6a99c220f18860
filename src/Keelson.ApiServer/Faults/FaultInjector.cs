using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Faults;

/// <summary>One armed fault; it stops applying after its count is used up or when cancelled.</summary>
public sealed class FaultRule
{
    private int _remaining;
    private int _hits;

    internal FaultRule(Func<ApiRequestInfo, bool> when, int times) => (When, _remaining) = (when, times);

    internal Func<ApiRequestInfo, bool> When { get; }

    internal int StatusCode { get; init; }

    internal TimeSpan? RetryAfter { get; init; }

    internal TimeSpan Latency { get; init; }

    internal bool Abort { get; init; }

    /// <summary>How many more requests it applies to.</summary>
    public int Remaining => Volatile.Read(ref _remaining);

    /// <summary>How many requests it has applied to.</summary>
    public int Hits => Volatile.Read(ref _hits);

    public void Cancel() => Interlocked.Exchange(ref _remaining, 0);

    internal bool TryTake(ApiRequestInfo request)
    {
        if (Remaining <= 0 || !When(request))
        {
            return false;
        }

        if (Interlocked.Decrement(ref _remaining) < 0)
        {
            return false;
        }

        Interlocked.Increment(ref _hits);
        return true;
    }
}

/// <summary>
/// Faults tests can inject: error responses (500, 503, 429 with Retry-After...), added latency, aborted connections,
/// and dropping open watches. Predicates see the parsed request, so a fault can target one verb, resource or path.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly ObjectStore _store;
    private List<FaultRule> _rules = [];

    internal FaultInjector(ObjectStore store) => _store = store;

    /// <summary>Answers the next <paramref name="times"/> matching requests with an error Status of this code.</summary>
    public FaultRule Fail(int statusCode, Func<ApiRequestInfo, bool>? when = null, int times = 1, TimeSpan? retryAfter = null) =>
        Add(new FaultRule(when ?? (_ => true), times) { StatusCode = statusCode, RetryAfter = retryAfter });

    /// <summary>Delays matching requests before they are handled.</summary>
    public FaultRule Delay(TimeSpan latency, Func<ApiRequestInfo, bool>? when = null, int times = int.MaxValue) =>
        Add(new FaultRule(when ?? (_ => true), times) { Latency = latency });

    /// <summary>Closes the connection of matching requests without answering.</summary>
    public FaultRule Abort(Func<ApiRequestInfo, bool>? when = null, int times = 1) =>
        Add(new FaultRule(when ?? (_ => true), times) { Abort = true });

    /// <summary>Drops the matching open watch connections (the client sees the stream break); returns how many.</summary>
    public int DropWatches(Func<ApiRequestInfo, bool>? when = null) =>
        _store.DropWatches(w => w.Tag is ApiRequestInfo info && (when is null || when(info)));

    /// <summary>Removes every armed fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules = [];
        }
    }

    private FaultRule Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules = [.. _rules.Where(r => r.Remaining > 0), rule];
        }

        return rule;
    }

    /// <summary>The faults that apply to this request, in the order they were armed.</summary>
    internal List<FaultRule> Match(ApiRequestInfo request)
    {
        var rules = Volatile.Read(ref _rules);
        List<FaultRule>? hits = null;
        foreach (var rule in rules)
        {
            if (rule.TryTake(request))
            {
                (hits ??= []).Add(rule);
            }
        }

        return hits ?? [];
    }
}
