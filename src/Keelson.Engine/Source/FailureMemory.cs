using System.Globalization;

namespace Keelson.Engine.Source;

/// <summary>
/// Remembers, per repository and credentials, that talking to a server failed, so that every Application on a dead
/// server gets the last error at once instead of each asking it again (running git, or sending an HTTP request) and
/// holding a worker until it fails. A failure is remembered for a first pause, doubled with each further failure in a
/// row up to a cap; a success forgets it. Used by the Git source (<see cref="GitSourceOptions.FailureBackoff"/>) and
/// the Helm repository source (<see cref="Helm.HelmRepoSourceOptions.FailureBackoff"/>).
/// </summary>
internal sealed class FailureMemory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly TimeSpan _backoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _forgetAfter;
    private readonly TimeProvider _time;
    private readonly bool _enabled;

    /// <param name="enabled">False for a repository whose failures cost nothing to repeat (a local one).</param>
    public FailureMemory(GitSourceOptions options, TimeProvider time, bool enabled)
        : this(options.FailureBackoff, options.MaxFailureBackoff, options.RepoIdleTimeout, time, enabled)
    {
    }

    /// <param name="backoff">The pause after a first failure; zero turns the memory off.</param>
    /// <param name="maxBackoff">The longest pause, however many failures in a row.</param>
    /// <param name="forgetAfter">
    /// How long after its pause ends the failure of credentials nobody uses any more is dropped (a rotated password).
    /// </param>
    /// <param name="enabled">False for a repository whose failures cost nothing to repeat (a local one).</param>
    public FailureMemory(TimeSpan backoff, TimeSpan maxBackoff, TimeSpan forgetAfter, TimeProvider time, bool enabled)
    {
        _backoff = backoff;
        _maxBackoff = maxBackoff;
        _forgetAfter = forgetAfter;
        _time = time;
        _enabled = enabled && backoff > TimeSpan.Zero;
    }

    /// <summary>
    /// The failure to report for these credentials if the next attempt is not due yet, or if it is under way
    /// (<paramref name="probing"/>, or an attempt <see cref="Begin"/> marked): one request asks the server again, the
    /// others keep the last answer instead of waiting on it too. Null if there is no failure to report.
    /// </summary>
    public SourceException? Recall(string key, bool probing = false)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry)
                && (probing || _attempts.ContainsKey(key) || _time.GetElapsedTime(entry.At) < entry.Wait))
            {
                // A new exception per caller: one instance thrown on many threads would share its stack trace.
                return new SourceException(entry.Told.Reason, entry.Told.Message, entry.Told.InnerException);
            }
        }

        return null;
    }

    /// <summary>
    /// Marks an attempt to reach the server for these credentials as under way until the result is disposed:
    /// meanwhile <see cref="Recall"/> reports the last failure even when its pause is over.
    /// </summary>
    public IDisposable Begin(string key)
    {
        lock (_gate)
        {
            _attempts[key] = _attempts.GetValueOrDefault(key) + 1;
        }

        return new Attempt(this, key);
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
            // used for a long while (a rotated password, say) are dropped.
            foreach (var stale in _entries.Where(e => _time.GetElapsedTime(e.Value.At, now) > e.Value.Wait + _forgetAfter).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }

            var count = _entries.TryGetValue(key, out var previous) ? previous.Count + 1 : 1;
            var wait = Backoff(count);
            // The same words at every failure: the message lands in every Application's status and events, which are
            // written only when it changes, so a count or a time in it would rewrite them all at each attempt. The
            // count and the wait go to the log.
            var message = $"{failure.Message} (tried again after a pause of up to {Span(_maxBackoff)}, or at once on a refresh)";
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

    private void End(string key)
    {
        lock (_gate)
        {
            var left = _attempts.GetValueOrDefault(key) - 1;
            if (left > 0)
            {
                _attempts[key] = left;
            }
            else
            {
                _attempts.Remove(key);
            }
        }
    }

    private TimeSpan Backoff(int count)
    {
        var wait = _backoff;
        for (var i = 1; i < count && wait < _maxBackoff; i++)
        {
            wait *= 2;
        }

        return wait < _maxBackoff ? wait : _maxBackoff;
    }

    private static string Span(TimeSpan time) => time.TotalMinutes >= 1 && time.Seconds == 0
        ? time.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min"
        : time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    private sealed record Entry(long At, TimeSpan Wait, int Count, SourceException Told);

    private sealed class Attempt(FailureMemory owner, string key) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                owner.End(key);
            }
        }
    }
}
