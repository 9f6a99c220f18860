using System.Collections.Concurrent;
using Keelson.Kubernetes.Runtime;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Runtime;

public sealed class WorkQueueTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_waits_once_and_a_key_added_while_processing_comes_back_after_Done()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock });
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        Assert.Equal(2, queue.Count);

        var first = await queue.TryTakeAsync(_ct);
        Assert.Equal((true, "a"), first);
        queue.Add("a");
        queue.Add("a");
        Assert.Equal(1, queue.Count); // only b: a is in progress

        Assert.Equal((true, "b"), await queue.TryTakeAsync(_ct));
        Assert.Equal(0, queue.Count);
        queue.Done("a");
        Assert.Equal(1, queue.Count);
        Assert.Equal((true, "a"), await queue.TryTakeAsync(_ct));
        queue.Done("a");
        queue.Done("b");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Workers_never_process_one_key_concurrently_and_every_add_is_followed_by_a_run()
    {
        using var queue = new WorkQueue<int>(new WorkQueueOptions { TimeProvider = _clock });
        var active = new ConcurrentDictionary<int, int>();
        var overlaps = 0;
        long sequence = 0;
        var lastAdd = new long[8];
        var lastStart = new long[8];
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            async (key, _) =>
            {
                Interlocked.Exchange(ref lastStart[key], Interlocked.Increment(ref sequence));
                if (active.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                for (var i = 0; i < 5; i++)
                {
                    await Task.Yield();
                }

                active.AddOrUpdate(key, 0, (_, n) => n - 1);
                return WorkResult.Done;
            },
            workers: 4,
            stop.Token);

        for (var i = 0; i < 2000; i++)
        {
            var key = i % 8;
            Interlocked.Exchange(ref lastAdd[key], Interlocked.Increment(ref sequence));
            queue.Add(key);
        }

        await Eventually.WaitAsync(() => queue.Count == 0 && queue.ProcessingCount == 0, "the queue to drain", cancellationToken: _ct);
        await stop.CancelAsync();
        await run;

        Assert.Equal(0, overlaps);
        for (var key = 0; key < 8; key++)
        {
            Assert.True(lastStart[key] > lastAdd[key], $"key {key} was added after its last run started");
        }
    }

    [Fact]
    public void AddAfter_waits_for_the_clock_and_the_earlier_of_two_adds_wins()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock });
        queue.AddAfter("late-then-early", TimeSpan.FromSeconds(10));
        queue.AddAfter("late-then-early", TimeSpan.FromSeconds(2));
        queue.AddAfter("early-then-late", TimeSpan.FromSeconds(2));
        queue.AddAfter("early-then-late", TimeSpan.FromSeconds(10));
        queue.AddAfter("slow", TimeSpan.FromSeconds(10));
        Assert.Equal(0, queue.Count);
        Assert.Equal(3, queue.WaitingCount);

        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(0, queue.Count);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, queue.Count);
        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(3, queue.Count);
        Assert.Equal(0, queue.WaitingCount);
    }

    [Fact]
    public async Task Backoff_doubles_per_failure_up_to_the_cap_and_Forget_resets_it()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions
        {
            TimeProvider = _clock,
            BaseDelay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(8),
        });
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            waits.Add(await FailOnceAndMeasureAsync(queue));
        }

        queue.Forget("a");
        waits.Add(await FailOnceAndMeasureAsync(queue));

        Assert.Equal([1, 2, 4, 8, 8, 8, 1], waits.Select(w => w.TotalSeconds));
    }

    private async Task<TimeSpan> FailOnceAndMeasureAsync(WorkQueue<string> queue)
    {
        queue.AddRateLimited("a");
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(250);
        for (var i = 0; i < 100 && queue.Count == 0; i++)
        {
            _clock.Advance(step);
            waited += step;
        }

        Assert.Equal((true, "a"), await queue.TryTakeAsync(_ct));
        queue.Done("a");
        return waited;
    }

    [Fact]
    public async Task RunAsync_retries_a_failing_key_with_backoff_on_the_clock()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock, BaseDelay = TimeSpan.FromSeconds(1) });
        var attempts = 0;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            (_, _) => Interlocked.Increment(ref attempts) < 3 ? throw new InvalidOperationException("not yet") : Task.FromResult(WorkResult.Done),
            workers: 2,
            stop.Token);

        queue.Add("app");
        await Eventually.WaitAsync(() => attempts == 1 && queue.WaitingCount == 1, "the first failure to be scheduled for a retry", cancellationToken: _ct);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, queue.Count);
        Assert.Equal(1, attempts);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitAsync(() => attempts == 2 && queue.WaitingCount == 1, "the second failure to be scheduled", cancellationToken: _ct);
        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, attempts);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitAsync(() => attempts == 3 && queue.ProcessingCount == 0, "the third attempt to succeed", cancellationToken: _ct);

        Assert.Equal(0, queue.Failures("app"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RequeueAfter_brings_the_key_back_after_the_delay()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock });
        var runs = 0;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            (_, _) =>
            {
                Interlocked.Increment(ref runs);
                return Task.FromResult(WorkResult.RequeueAfter(TimeSpan.FromMinutes(3)));
            },
            workers: 1,
            stop.Token);

        queue.Add("app");
        await Eventually.WaitAsync(() => runs == 1 && queue.WaitingCount == 1, "the key to be requeued", cancellationToken: _ct);
        _clock.Advance(TimeSpan.FromMinutes(3));
        await Eventually.WaitAsync(() => runs == 2, "the key to run again", cancellationToken: _ct);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_handler_that_only_waits_lends_its_worker_and_takes_it_back_when_done()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock, MaxLentWorkers = 1 });
        var hookDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        var finished = new ConcurrentQueue<string>();
        var active = 0;
        var mostActive = 0;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            async (key, _) =>
            {
                var now = Interlocked.Increment(ref active);
                InterlockedMax(ref mostActive, now);
                try
                {
                    if (key == "hooks")
                    {
                        // Like a sync waiting for its post-sync hook Job: lend the worker, then wait. A second lease
                        // is over the limit of one and lends nothing.
                        using (queue.Lend())
                        using (queue.Lend())
                        {
                            await hookDone.Task;
                        }
                    }
                    else
                    {
                        await gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                    }

                    finished.Enqueue(key);
                    return WorkResult.Done;
                }
                finally
                {
                    Interlocked.Decrement(ref active);
                }
            },
            workers: 1,
            stop.Token);
        TaskCompletionSource Gate(string key) => gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        queue.Add("hooks");
        await Eventually.WaitAsync(() => queue.ProcessingCount == 1, "the hooks key to start", cancellationToken: _ct);
        // One worker, busy waiting on hooks: the other keys still run, one at a time (one lent worker).
        queue.Add("a");
        queue.Add("b");
        await Eventually.WaitAsync(() => queue.ProcessingCount == 2, "a second key to run beside the waiting one", cancellationToken: _ct);
        var busyWhileWaiting = queue.ProcessingCount;
        Gate("a").SetResult();
        Gate("b").SetResult();
        await Eventually.WaitAsync(() => finished.Count == 2, "a and b to finish while the hooks still wait", cancellationToken: _ct);
        hookDone.SetResult();
        await Eventually.WaitAsync(() => finished.Count == 3, "the hooks key to finish", cancellationToken: _ct);

        // The lease is back: one worker again, so of two new keys only one runs at a time.
        queue.Add("c");
        queue.Add("d");
        await Eventually.WaitAsync(() => queue.ProcessingCount == 1 && queue.Count == 1, "one of c and d to run, the other to wait", cancellationToken: _ct);
        var afterReturn = (queue.ProcessingCount, queue.Count);
        Gate("c").SetResult();
        Gate("d").SetResult();
        await Eventually.WaitAsync(() => finished.Count == 5, "c and d to finish", cancellationToken: _ct);
        await stop.CancelAsync();
        await run;

        Assert.Equal(2, busyWhileWaiting);
        Assert.Equal(["a", "b", "hooks"], finished.Take(3).Order(StringComparer.Ordinal));
        Assert.Equal((1, 1), afterReturn);
        Assert.Equal(2, mostActive);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }

    [Fact]
    public async Task Shutdown_lets_the_key_in_progress_finish_and_drops_the_rest()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processed = new ConcurrentQueue<string>();
        var finished = false;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            async (key, _) =>
            {
                processed.Enqueue(key);
                await release.Task;
                finished = true;
                return WorkResult.Done;
            },
            workers: 1,
            stop.Token);
        queue.Add("first");
        queue.Add("second");
        await Eventually.WaitAsync(() => queue.ProcessingCount == 1, "the first key to start", cancellationToken: _ct);

        await stop.CancelAsync();
        queue.Add("after-shutdown");
        Assert.False(run.IsCompleted);
        release.SetResult();
        await run;

        Assert.True(finished);
        Assert.Equal(["first"], processed);
        Assert.True(queue.IsShuttingDown);
    }

    [Fact]
    public async Task Shutdown_cancels_work_that_outlasts_the_drain_timeout()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock, DrainTimeout = TimeSpan.FromSeconds(30) });
        var cancelled = false;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            async (_, token) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }

                return WorkResult.Done;
            },
            workers: 1,
            stop.Token);
        queue.Add("stuck");
        await Eventually.WaitAsync(() => queue.ProcessingCount == 1, "the key to start", cancellationToken: _ct);

        await stop.CancelAsync();
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(cancelled);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await run;

        Assert.True(cancelled);
    }

    [Fact]
    public async Task TryTake_returns_false_after_shutdown()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { TimeProvider = _clock });
        var waiting = queue.TryTakeAsync(_ct);

        queue.ShutDown();

        Assert.False((await waiting).Ok);
        Assert.False((await queue.TryTakeAsync(_ct)).Ok);
    }
}
