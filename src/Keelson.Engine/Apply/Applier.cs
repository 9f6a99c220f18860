using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keelson.Engine.Diff;
using Keelson.Engine.Health;
using Keelson.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Apply;

/// <summary>A drifted object to apply, with its comparison.</summary>
internal sealed record ApplyItem(DesiredObject Desired, DiffEntry Entry);

/// <summary>What applying (or running, for a hook) one object did; <see cref="Live"/> is the object afterwards.</summary>
internal sealed record ApplyOutcome(ResourceRef Ref, ResourceAction Action, string? Message, LiveObject? Live)
{
    public bool Succeeded => Action != ResourceAction.Failed;
}

/// <summary>
/// Applies drifted objects with server-side apply, in <see cref="KindOrder"/>, one at a time, waiting for applied
/// CRDs to be Established before the objects after them. Applies use <c>force</c>, as Flux does: Git is the source
/// of truth, so a field another manager took over (kubectl edit, a script) is taken back instead of failing the sync
/// forever; the comparison reports whose fields were taken (<see cref="DiffEntry.Conflicts"/>).
/// </summary>
internal sealed partial class Applier(
    KubeClient client, LiveCache cache, VerdictCache verdicts, HealthAssessor health, SyncEngineOptions options, TimeProvider time, ILogger logger)
{
    private static readonly ApiResource Crds = ApiResource.CustomResourceDefinitions;

    // Namespaces this process created or found for CreateNamespace, so a steady state makes no call for them.
    private readonly ConcurrentDictionary<string, bool> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Creates the namespace unless known to exist. Returns an error message, or null.</summary>
    public async Task<string?> EnsureNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        if (_namespaces.ContainsKey(name))
        {
            return null;
        }

        try
        {
            if (await client.TryGetAsync(ApiResource.Namespaces, null, name, cancellationToken) is null)
            {
                var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
                await client.ApplyAsync(ApiResource.Namespaces, ns, new ApplyOptions { FieldManager = options.FieldManager }, cancellationToken);
                LogNamespaceCreated(name);
            }

            _namespaces[name] = true;
            return null;
        }
        catch (KubeApiException ex)
        {
            return $"cannot create namespace {name}: {ex.Status.Message}";
        }
    }

    public async Task<List<ApplyOutcome>> ApplyAsync(IReadOnlyList<ApplyItem> items, bool replace, CancellationToken cancellationToken)
    {
        var outcomes = new List<ApplyOutcome>(items.Count);
        var ordered = KindOrder.Sort(items, i => i.Desired.Ref, i => i.Desired.Namespaced).ToList();
        var crds = new List<ApplyOutcome>();
        var unestablished = new Dictionary<(string Group, string Kind), string>();
        var pastCrds = false;
        foreach (var item in ordered)
        {
            var stage = KindOrder.Stage(item.Desired.Ref, item.Desired.Namespaced);
            if (!pastCrds && stage > 1)
            {
                pastCrds = true;
                if (crds.Count > 0)
                {
                    await WaitEstablishedAsync(crds, unestablished, outcomes, cancellationToken);

                    // Discovery has to learn the new kinds; this happens only in syncs that change CRDs.
                    client.Mapper.Invalidate();
                }
            }

            var outcome = await ApplyOneAsync(item, replace, unestablished, cancellationToken);
            outcomes.Add(outcome);
            if (stage == 1 && outcome.Succeeded)
            {
                crds.Add(outcome);
            }
        }

        if (!pastCrds && crds.Count > 0)
        {
            await WaitEstablishedAsync(crds, unestablished, outcomes, cancellationToken);
            client.Mapper.Invalidate();
        }

        return outcomes;
    }

    private async Task<ApplyOutcome> ApplyOneAsync(
        ApplyItem item, bool replace, Dictionary<(string Group, string Kind), string> unestablished, CancellationToken cancellationToken)
    {
        var desired = item.Desired;
        var entry = item.Entry;
        var resource = await ResolveAsync(desired, cancellationToken);
        if (resource is null)
        {
            var why = unestablished.TryGetValue((desired.Ref.Group, desired.Ref.Kind), out var crdProblem)
                ? crdProblem
                : $"no resource serves kind {desired.Ref.Kind} in version {desired.Ref.ApiVersion} (is its CustomResourceDefinition installed?)";
            return Failed(desired.Ref, why);
        }

        if (entry.Immutable)
        {
            return replace ? await ReplaceAsync(resource, item, entry.Message, cancellationToken) : Failed(desired.Ref, ImmutableMessage(entry.Message));
        }

        try
        {
            var response = await client.ApplyAsync(resource, desired.Object, ApplyOptions(), cancellationToken);
            var adopted = entry.Action == DiffAction.Create && HasOtherManagers(response);
            var live = Remember(resource, desired, response);
            LogApplied(desired.Ref, entry.Action);
            var action = entry.Action == DiffAction.Create && !adopted ? ResourceAction.Created : ResourceAction.Configured;
            var message = adopted ? "adopted the existing object"
                : entry.OtherOwner is { } gone ? $"adopted from Application {gone}, which no longer exists"
                : entry.Conflicts.Count > 0 ? "took over fields from other field managers: " + string.Join("; ", entry.Conflicts)
                : entry.Action == DiffAction.Update ? entry.Message
                : null;
            return new ApplyOutcome(desired.Ref, action, message, live);
        }
        catch (KubeApiException ex) when (Differ.IsImmutable(ex))
        {
            return replace ? await ReplaceAsync(resource, item, ex.Status.Message, cancellationToken) : Failed(desired.Ref, ImmutableMessage(ex.Status.Message));
        }
        catch (KubeApiException ex)
        {
            if (ex.IsNotFound && desired.Ref.Namespace is { } ns)
            {
                _namespaces.TryRemove(ns, out _);
            }

            return Failed(desired.Ref, ex.Status.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return Failed(desired.Ref, $"the API server could not be reached: {ex.Message}");
        }
    }

    /// <summary>Deletes the object, waits until it is gone, and applies it again.</summary>
    private async Task<ApplyOutcome> ReplaceAsync(ApiResource resource, ApplyItem item, string? why, CancellationToken cancellationToken)
    {
        var desired = item.Desired;
        var reference = desired.Ref;
        var uid = item.Entry.LiveState?.Uid;
        try
        {
            await DeleteAndWaitAsync(resource, reference, uid, cancellationToken);
            var response = await client.ApplyAsync(resource, desired.Object, ApplyOptions(), cancellationToken);
            var live = Remember(resource, desired, response);
            LogReplaced(reference);
            return new ApplyOutcome(reference, ResourceAction.Configured, $"replaced (deleted and re-created): {why}", live);
        }
        catch (KubeApiException ex)
        {
            return Failed(reference, $"replacing failed: {ex.Status.Message}");
        }
        catch (TimeoutException ex)
        {
            return Failed(reference, ex.Message);
        }
    }

    private async Task DeleteAndWaitAsync(ApiResource resource, ResourceRef reference, string? uid, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(
                resource, reference.Namespace, reference.Name,
                new DeleteOptions { PropagationPolicy = PropagationPolicy.Background, PreconditionUid = uid }, cancellationToken);
            cache.NoteDeleted(resource, reference.Namespace, reference.Name);
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            return;
        }

        var gone = await PollAsync(
            async ct => await client.TryGetAsync(resource, reference.Namespace, reference.Name, ct) is not { } still || (uid is not null && still.GetUid() != uid),
            options.DeleteTimeout,
            cancellationToken);
        if (!gone)
        {
            throw new TimeoutException($"{reference} was deleted but is still there after {options.DeleteTimeout.TotalSeconds:0} s (finalizers?)");
        }
    }

    private async Task WaitEstablishedAsync(
        List<ApplyOutcome> crds, Dictionary<(string Group, string Kind), string> unestablished, List<ApplyOutcome> outcomes, CancellationToken cancellationToken)
    {
        foreach (var crd in crds)
        {
            var body = crd.Live?.ToJson();
            var established = body is not null && IsEstablished(body);
            if (!established)
            {
                established = await PollAsync(
                    async ct => await client.TryGetAsync(Crds, null, crd.Ref.Name, ct) is { } live && IsEstablished(live),
                    options.CrdEstablishedTimeout,
                    cancellationToken);
            }

            if (!established && body?["spec"] is JsonObject spec
                && spec["group"] is JsonValue g && g.TryGetValue<string>(out var group)
                && spec["names"]?["kind"] is JsonValue k && k.TryGetValue<string>(out var kind))
            {
                var message = $"its CustomResourceDefinition {crd.Ref.Name} is not Established after {options.CrdEstablishedTimeout.TotalSeconds:0} s";
                unestablished[(group, kind)] = message;
                var index = outcomes.IndexOf(crd);
                outcomes[index] = crd with { Message = $"not Established after {options.CrdEstablishedTimeout.TotalSeconds:0} s" };
            }
        }
    }

    private static bool IsEstablished(JsonObject crd) =>
        crd["status"]?["conditions"] is JsonArray conditions
        && conditions.OfType<JsonObject>().Any(c =>
            c["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "Established"
            && c["status"] is JsonValue s && s.TryGetValue<string>(out var status) && status == "True");

    private async ValueTask<ApiResource?> ResolveAsync(DesiredObject desired, CancellationToken cancellationToken) =>
        desired.Resource ?? await client.Mapper.TryResolveAsync(desired.Ref.GroupVersionKind, cancellationToken);

    private LiveObject Remember(ApiResource resource, DesiredObject desired, JsonObject response)
    {
        var live = cache.NoteWritten(resource, response);
        verdicts.SetSynced(desired.Ref.Key, desired.Hash, live.ComparableHash);
        return live;
    }

    private ApplyOptions ApplyOptions() => new() { FieldManager = options.FieldManager, Force = true, FieldValidation = options.FieldValidation };

    private bool HasOtherManagers(JsonObject obj) =>
        obj["metadata"]?["managedFields"] is JsonArray managers
        && managers.OfType<JsonObject>().Any(m => m["manager"] is JsonValue v && v.TryGetValue<string>(out var name) && name != options.FieldManager);

    private async Task<bool> PollAsync(Func<CancellationToken, Task<bool>> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if (await done(cancellationToken))
            {
                return true;
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private static string ImmutableMessage(string? message) =>
        $"{message} (the change needs the object deleted and re-created: the sync option Replace=true lets Keelson do it)";

    private static ApplyOutcome Failed(ResourceRef reference, string message) => new(reference, ResourceAction.Failed, message, null);
}
