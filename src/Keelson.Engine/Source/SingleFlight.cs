using System.Collections.Concurrent;

namespace Keelson.Engine.Source;

/// <summary>
/// Runs one piece of work per key at a time and lets every concurrent caller for that key share its result.
/// The work does not belong to any one caller: a caller that gives up stops waiting, the work carries on for the
/// others (it is bounded by the command timeout and stopped when the owner is disposed).
/// </summary>
internal sealed class SingleFlight<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _running = new();

    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_running.TryGetValue(key, out var existing))
            {
                return existing.WaitAsync(cancellationToken);
            }

            var completion = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(key, completion.Task))
            {
                _ = RunAsync(key, work, completion);
                return completion.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Whether any work is running (or has just finished and is being forgotten).</summary>
    public bool IsRunning => !_running.IsEmpty;

    /// <summary>Whether work for a key that matches is running (or has just finished and is being forgotten).</summary>
    public bool IsRunningFor(Func<TKey, bool> match) => _running.Keys.Any(match);

    /// <summary>Completes when all work running now has finished (successfully or not).</summary>
    public Task IdleAsync() => Task.WhenAll(_running.Values.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));

    private async Task RunAsync(TKey key, Func<Task<TValue>> work, TaskCompletionSource<TValue> completion)
    {
        var value = default(TValue)!;
        Exception? failure = null;
        try
        {
            // Off the caller's stack, so the caller's locks and synchronous prefix are not the work's.
            value = await Task.Run(work);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        // Forgotten before anyone learns the outcome: whoever sees the work done never sees it running.
        _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
        switch (failure)
        {
            case null:
                completion.SetResult(value);
                break;
            case OperationCanceledException cancelled:
                completion.SetCanceled(cancelled.CancellationToken);
                break;
            default:
                completion.SetException(failure);
                break;
        }

        // Nobody may be waiting any more; the failure was reported to those who were.
        _ = completion.Task.Exception;
    }
}
