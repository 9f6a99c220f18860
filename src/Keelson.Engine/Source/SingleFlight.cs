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

    /// <summary>Completes when all work running now has finished (successfully or not).</summary>
    public Task IdleAsync() => Task.WhenAll(_running.Values.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));

    private async Task RunAsync(TKey key, Func<Task<TValue>> work, TaskCompletionSource<TValue> completion)
    {
        try
        {
            // Off the caller's stack, so the caller's locks and synchronous prefix are not the work's.
            var value = await Task.Run(work);
            completion.SetResult(value);
        }
        catch (OperationCanceledException ex)
        {
            completion.SetCanceled(ex.CancellationToken);
        }
        catch (Exception ex)
        {
            completion.SetException(ex);
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
            // Nobody may be waiting any more; the failure was reported to those who were.
            _ = completion.Task.Exception;
        }
    }
}
