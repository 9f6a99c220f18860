using System.Globalization;

namespace Keelson.Engine.Source;

/// <summary>
/// Remembers, per credentials, that talking to one repository failed, so that every Application on a dead server gets
/// the last error at once instead of each running git again and holding a worker until it fails. A failure is
/// remembered for <see cref="GitSourceOptions.FailureBackoff"/>, doubled with each further failure in a row up to
/// <see cref="GitSourceOptions.MaxFailureBackoff"/>; a success forgets it.
/// </summary>
internal sealed class FailureMemory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly GitSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _enabled;

    /// <param name="enabled">False for a repository whose failures cost nothing to repeat (a local one).</param>
    public FailureMemory(GitSourceOptions options, TimeProvider time, bool enabled)
    {
        _options = options;
        _time = time;
        _enabled = enabled && options.FailureBackoff > TimeSpan.Zero;
    }

    /// <summary>
    /// The failure to report for these credentials if the next attempt is not due yet, or if it is under way
    /// (<paramref name="probing"/>): one request asks the server again, the others keep the last answer instead of
    /// waiting on it too. Null if there is no failure to report.
    /// </summary>
    public SourceException? Recall(string key, bool probing = false)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && (probing || _time.GetElapsedTime(entry.At) < entry.Wait))
            {
                // A new exception per caller: one instance thrown on many threads would share its stack trace.
                return new SourceException(entry.Told.Reason, entry.Told.Message, entry.Told.InnerException);
            }
        }

        return null;
    }

    /// <summary>Records a failure; returns what its callers are told (the same as later callers are told).</summary>
    public (SourceException Failure, TimeSpan Wait, int Count) Remember(string key, SourceException failure)
    {
        if (!_enabled)
        {
            return (failure, TimeSpan.Zero, 0);
        }

        var now = _time.GetTimestamp();
        lock (_gate)
        {
            // Failures count as in a row until a success, however far apart; only those of credentials nobody has
            // used for as long as an idle repository is kept (a rotated password, say) are dropped.
            foreach (var stale in _entries.Where(e => _time.GetElapsedTime(e.Value.At, now) > e.Value.Wait + _options.RepoIdleTimeout).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }

            var count = _entries.TryGetValue(key, out var previous) ? previous.Count + 1 : 1;
            var wait = Backoff(count);
            // The same words at every failure: the message lands in every Application's status and events, which are
            // written only when it changes, so a count or a time in it would rewrite them all at each attempt. The
            // count and the wait go to the log.
            var message = $"{failure.Message} (tried again after a pause of up to {Span(_options.MaxFailureBackoff)}, or at once on a refresh)";
            var told = new SourceException(failure.Reason, message, failure);
            _entries[key] = new Entry(now, wait, count, told);
            return (told, wait, count);
        }
    }

    /// <summary>Forgets the failures of these credentials: the repository answered.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _entries.Remove(key);
        }
    }

    private TimeSpan Backoff(int count)
    {
        var wait = _options.FailureBackoff;
        for (var i = 1; i < count && wait < _options.MaxFailureBackoff; i++)
        {
            wait *= 2;
        }

        return wait < _options.MaxFailureBackoff ? wait : _options.MaxFailureBackoff;
    }

    private static string Span(TimeSpan time) => time.TotalMinutes >= 1 && time.Seconds == 0
        ? time.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min"
        : time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    private sealed record Entry(long At, TimeSpan Wait, int Count, SourceException Told);
}
