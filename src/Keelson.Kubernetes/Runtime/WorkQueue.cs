using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Kubernetes.Runtime;

public sealed record WorkQueueOptions
{
    /// <summary>Name used in logs.</summary>
    public string Name { get; init; } = "queue";

    /// <summary>Backoff after the first failure of an item; doubles with each further failure.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Cap of the per-item backoff.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long shutdown waits for items in progress before cancelling their token.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Workers that may run beyond the worker count of <see cref="WorkQueue{TKey}.RunAsync"/>, each standing in for a
    /// handler that is only waiting (see <see cref="WorkQueue{TKey}.Lend"/>).
    /// </summary>
    public int MaxLentWorkers { get; init; } = 32;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>What to do with a key after processing it.</summary>
public readonly record struct WorkResult
{
    private WorkResult(int kind, TimeSpan delay)
    {
        Kind = kind;
        Delay = delay;
    }

    /// <summary>Finished: its failure count is reset.</summary>
    public static WorkResult Done { get; } = new(0, TimeSpan.Zero);

    /// <summary>Failed: process it again after the item's exponential backoff.</summary>
    public static WorkResult Retry { get; } = new(1, TimeSpan.Zero);

    /// <summary>Finished for now: process it again after <paramref name="delay"/> (failure count reset).</summary>
    public static WorkResult RequeueAfter(TimeSpan delay) => new(2, delay);

    internal int Kind { get; }

    internal TimeSpan Delay { get; }
}

/// <summary>
/// A work queue of keys as controllers need it: a key waits at most once (adding it again while it waits does
/// nothing); a key added while it is being processed is processed once more afterwards, never concurrently; delayed
/// adds and per-key exponential backoff run on the injected clock. Shutting down stops handing out keys, drops
/// those not started and lets the ones in progress finish.
/// </summary>
public sealed partial class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly WorkQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<TKey> _ready = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Dictionary<TKey, DateTimeOffset> _waiting = [];
    private readonly PriorityQueue<TKey, DateTimeOffset> _waitingOrder = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _handlerAbort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private DateTimeOffset? _timerDue;
    private ITimer? _drainTimer;
    private bool _shuttingDown;

    // Worker slots of RunAsync: a worker holds one while it takes and processes a key. Lend adds one for as long as
    // a handler waits; giving it back takes a free slot at once, else the next slot a worker returns (_debt).
    private SemaphoreSlim? _slots;
    private int _lent;
    private int _debt;

    public WorkQueue(WorkQueueOptions? options = null)
    {
        _options = options ?? new WorkQueueOptions();
        _time = _options.TimeProvider;
        _logger = _options.Logger;
    }

    /// <summary>Keys ready to be handed out.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count;
            }
        }
    }

    /// <summary>Keys waiting for a delayed add or a backoff to expire.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    public int ProcessingCount
    {
        get
        {
            lock (_gate)
            {
                return _processing.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>Adds the key after <paramref name="delay"/>; an earlier pending add of the same key wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(key, out var existing) && existing <= due)
            {
                return;
            }

            _waiting[key] = due;
            _waitingOrder.Enqueue(key, due);
            ArmTimerLocked();
        }
    }

    /// <summary>Adds the key after its backoff: BaseDelay × 2^(failures so far), capped at MaxDelay.</summary>
    public void AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
            delay = BackoffFor(failures);
        }

        AddAfter(key, delay);
    }

    /// <summary>Resets the key's failure count (its next backoff starts from BaseDelay).</summary>
    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>How often the key failed since it was last forgotten.</summary>
    public int Failures(TKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Waits for a key and marks it in progress; call <see cref="Done"/> when finished. Returns false once the queue
    /// shuts down.
    /// </summary>
    public async ValueTask<(bool Ok, TKey Key)> TryTakeAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        while (true)
        {
            try
            {
                await _signal.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return (false, default!);
            }

            lock (_gate)
            {
                if (_shuttingDown)
                {
                    return (false, default!);
                }

                if (_ready.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return (true, key);
                }
            }
        }
    }

    /// <summary>Ends processing of a key; if it was added meanwhile, it is queued again now.</summary>
    public void Done(TKey key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (_shuttingDown)
            {
                if (_processing.Count == 0)
                {
                    _drained.TrySetResult();
                }

                return;
            }

            if (_dirty.Contains(key))
            {
                _ready.Enqueue(key);
                _signal.Release();
            }
        }
    }

    /// <summary>
    /// Processes keys with <paramref name="workers"/> concurrent workers until <paramref name="stoppingToken"/> is
    /// cancelled, then shuts down and waits for the keys in progress. <paramref name="process"/> gets a token that is
    /// cancelled only if they outlast <see cref="WorkQueueOptions.DrainTimeout"/>. An exception counts as
    /// <see cref="WorkResult.Retry"/>.
    /// </summary>
    public async Task RunAsync(Func<TKey, CancellationToken, Task<WorkResult>> process, int workers, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        var slots = new SemaphoreSlim(workers);
        lock (_gate)
        {
            if (_slots is not null)
            {
                throw new InvalidOperationException($"{_options.Name}: RunAsync is already running");
            }

            _slots = slots;
        }

        using var registration = stoppingToken.Register(ShutDown);
        var tasks = new Task[workers + Math.Max(0, _options.MaxLentWorkers)];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(() => WorkAsync(process, slots), CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(tasks);
            await ShutDownAsync();
        }
        finally
        {
            lock (_gate)
            {
                // A lease given back after this (a handler outliving the drain) finds no slots to return.
                _slots = null;
                _lent = 0;
                _debt = 0;
            }

            slots.Dispose();
        }
    }

    /// <summary>
    /// Called by a handler of <see cref="RunAsync"/> before it waits on something slow that is neither CPU nor the
    /// API server (a hook Job to finish, objects to become healthy): one more key may be processed at once until the
    /// returned lease is disposed, so a few long waits do not hold every worker while other keys queue up. The key
    /// of the handler stays in progress (never processed twice at once). At most
    /// <see cref="WorkQueueOptions.MaxLentWorkers"/> at a time; beyond that, or outside <see cref="RunAsync"/>, the
    /// lease does nothing.
    /// </summary>
    public IDisposable Lend()
    {
        SemaphoreSlim slots;
        lock (_gate)
        {
            if (_slots is null || _shuttingDown || _lent >= _options.MaxLentWorkers)
            {
                return Lease.None;
            }

            _lent++;
            slots = _slots;
            slots.Release();
        }

        return new Lease(this, slots);
    }

    private void Reclaim(SemaphoreSlim slots)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_slots, slots))
            {
                return;
            }

            _lent--;
            if (!slots.Wait(0))
            {
                _debt++;
            }
        }
    }

    private void ReturnSlot(SemaphoreSlim slots)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_slots, slots))
            {
                return;
            }

            if (_debt > 0)
            {
                _debt--;
                return;
            }

            slots.Release();
        }
    }

    private sealed class Lease(WorkQueue<TKey>? queue, SemaphoreSlim? slots) : IDisposable
    {
        public static readonly Lease None = new(null, null);

        private int _disposed;

        public void Dispose()
        {
            if (queue is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                queue.Reclaim(slots!);
            }
        }
    }

    /// <summary>Stops handing out keys and drops those waiting; keys in progress finish.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            _ready.Clear();
            _dirty.Clear();
            _waiting.Clear();
            _waitingOrder.Clear();
            _timer?.Dispose();
            _timer = null;
            if (_processing.Count == 0)
            {
                _drained.TrySetResult();
            }
            else
            {
                _drainTimer = _time.CreateTimer(_ => _handlerAbort.Cancel(), null, _options.DrainTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        _stopping.Cancel();
    }

    /// <summary>Shuts down and waits until no key is in progress.</summary>
    public Task ShutDownAsync()
    {
        ShutDown();
        return _drained.Task;
    }

    public void Dispose()
    {
        ShutDown();
        lock (_gate)
        {
            _drainTimer?.Dispose();
        }
    }

    private async Task WorkAsync(Func<TKey, CancellationToken, Task<WorkResult>> process, SemaphoreSlim slots)
    {
        while (true)
        {
            try
            {
                await slots.WaitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (await TryTakeAsync(CancellationToken.None) is not (true, var key))
            {
                ReturnSlot(slots);
                return;
            }

            WorkResult result;
            try
            {
                result = await process(key, _handlerAbort.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_handlerAbort.IsCancellationRequested)
            {
                LogFailed(_options.Name, key, ex);
                result = WorkResult.Retry;
            }
            catch (OperationCanceledException)
            {
                result = WorkResult.Done;
            }

            switch (result.Kind)
            {
                case 1:
                    AddRateLimited(key);
                    break;
                case 2:
                    Forget(key);
                    AddAfter(key, result.Delay);
                    break;
                default:
                    Forget(key);
                    break;
            }

            Done(key);
            ReturnSlot(slots);
        }
    }

    private void AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key))
        {
            return;
        }

        // In progress: Done queues it again, so it never runs twice at once.
        if (_processing.Contains(key))
        {
            return;
        }

        _ready.Enqueue(key);
        _signal.Release();
    }

    private TimeSpan BackoffFor(int failures)
    {
        var ms = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 40));
        return ms >= _options.MaxDelay.TotalMilliseconds ? _options.MaxDelay : TimeSpan.FromMilliseconds(ms);
    }

    private void ArmTimerLocked()
    {
        // Entries superseded by an earlier AddAfter stay in the heap; skip them here.
        while (_waitingOrder.TryPeek(out var key, out var due) && (!_waiting.TryGetValue(key, out var current) || current != due))
        {
            _waitingOrder.Dequeue();
        }

        if (!_waitingOrder.TryPeek(out _, out var next))
        {
            return;
        }

        if (_timerDue == next)
        {
            return;
        }

        _timerDue = next;
        var delay = next - _time.GetUtcNow();
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        if (_timer is null)
        {
            _timer = _time.CreateTimer(_ => OnTimer(), null, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _timerDue = null;
            var now = _time.GetUtcNow();
            while (_waitingOrder.TryPeek(out var key, out var due) && due <= now)
            {
                _waitingOrder.Dequeue();
                if (_waiting.TryGetValue(key, out var current) && current == due)
                {
                    _waiting.Remove(key);
                    AddLocked(key);
                }
            }

            ArmTimerLocked();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: processing {Key} failed; it will be retried with backoff")]
    private partial void LogFailed(string queue, TKey key, Exception exception);
}
