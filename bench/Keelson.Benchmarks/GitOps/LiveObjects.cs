using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Benchmarks.GitOps;

/// <summary>
/// The latest version of every object of one resource in one namespace, kept by list + watch, with waits that finish
/// the moment an event makes a condition true (so latencies are measured at delivery, not at a polling tick).
/// </summary>
internal sealed class LiveObjects : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly ApiResource _resource;
    private readonly string _namespace;
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiters = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private sealed record Waiter(Func<IReadOnlyDictionary<string, JsonObject>, bool> Condition, TaskCompletionSource<long> Done);

    public LiveObjects(KubeClient client, ApiResource resource, string ns)
    {
        _client = client;
        _resource = resource;
        _namespace = ns;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(_resource, _namespace, cancellationToken: cancellationToken);
        lock (_lock)
        {
            foreach (var item in list.Items)
            {
                _objects[item.GetName()!] = item;
            }
        }

        _loop = WatchAsync(list.ResourceVersion, _stop.Token);
    }

    private async Task WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _client.WatchAsync(_resource, _namespace, new WatchOptions { ResourceVersion = resourceVersion }, cancellationToken))
                {
                    var at = System.Diagnostics.Stopwatch.GetTimestamp();
                    resourceVersion = e.ResourceVersion ?? resourceVersion;
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    lock (_lock)
                    {
                        if (e.Type == WatchEventType.Deleted)
                        {
                            _objects.Remove(e.Object.GetName()!);
                        }
                        else
                        {
                            _objects[e.Object.GetName()!] = e.Object;
                        }

                        Check(at);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // A dropped watch resumes from the last resourceVersion seen.
            }
        }
    }

    private void Check(long at)
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Condition(_objects))
            {
                _waiters[i].Done.TrySetResult(at);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>A copy of the current objects.</summary>
    public Dictionary<string, JsonObject> Snapshot()
    {
        lock (_lock)
        {
            return new Dictionary<string, JsonObject>(_objects, StringComparer.Ordinal);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; returns the Stopwatch timestamp of the event that made it true.</summary>
    public async Task<long> WaitAsync(Func<IReadOnlyDictionary<string, JsonObject>, bool> condition, TimeSpan deadline, string what, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(condition, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            if (condition(_objects))
            {
                return System.Diagnostics.Stopwatch.GetTimestamp();
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Done.Task.WaitAsync(deadline, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }

            throw new TimeoutException($"gave up after {deadline.TotalSeconds:0}s waiting for {what}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
