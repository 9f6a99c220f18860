using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;

namespace Keelson.Operator.Sync;

/// <summary>
/// Watches every kind Keelson has applied (only objects carrying the managed label) and tells subscribers which owner
/// an object that changed belongs to: the trigger of self-heal and of health updates. Keeps only names and the
/// tracking annotation in memory, never whole objects.
/// </summary>
internal sealed class LiveWatches : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly ConcurrentDictionary<string, Informer> _informers = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Action<string>[] _subscribers = [];

    public LiveWatches(KubeClient client) => _client = client;

    public int WatchedKinds => _informers.Count;

    public IDisposable Subscribe(Action<string> owner)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, owner];
        }

        return new Subscription(this, owner);
    }

    /// <summary>Starts watching <paramref name="resource"/> unless it is watched already.</summary>
    public void Ensure(ApiResource resource)
    {
        if (_stop.IsCancellationRequested || !resource.Supports("watch") && resource.Verbs.Count > 0)
        {
            return;
        }

        var key = $"{resource.Group}/{resource.Version}/{resource.Resource}";
        if (_informers.ContainsKey(key))
        {
            return;
        }

        var informer = new Informer(_client, resource, new InformerOptions { LabelSelector = Tracking.ManagedSelector, Transform = Slim });
        if (!_informers.TryAdd(key, informer))
        {
            return;
        }

        informer.AddHandler(InformerHandler.ForAnyChange(Notify));
        _runs.Add(Task.Run(() => informer.RunAsync(_stop.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_runs);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the point.
        }

        _stop.Dispose();
    }

    private void Notify(JsonObject obj)
    {
        if (Tracking.OwnerOf(Tracking.IdOf(obj)) is not { } owner)
        {
            return;
        }

        Action<string>[] subscribers;
        lock (_gate)
        {
            subscribers = _subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(owner);
        }
    }

    // Enough to name the object, dedupe by resourceVersion and find its owner.
    private static JsonObject Slim(JsonObject obj)
    {
        var meta = new JsonObject
        {
            ["name"] = obj.GetName(),
            ["resourceVersion"] = obj.GetResourceVersion(),
        };
        if (obj.GetNamespace() is { } ns)
        {
            meta["namespace"] = ns;
        }

        if (Tracking.IdOf(obj) is { } id)
        {
            meta["annotations"] = new JsonObject { [Tracking.Annotation] = id };
        }

        return new JsonObject { ["apiVersion"] = obj.GetApiVersion(), ["kind"] = obj.GetKind(), ["metadata"] = meta };
    }

    private void Unsubscribe(Action<string> owner)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, owner))];
        }
    }

    private sealed class Subscription(LiveWatches owner, Action<string> subscriber) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(subscriber);
    }
}
