using System.Text.Json.Nodes;
using Keelson.Engine.Diff;
using Keelson.Engine.Health;
using Keelson.Kubernetes;

namespace Keelson.Engine.Apply;

/// <summary>
/// Helm hooks, run the way Argo CD runs the PreSync and PostSync hooks it maps them to: one at a time in the order of
/// <see cref="OrderHooks"/>, each to completion (Jobs until Complete or Failed, Pods until Succeeded or Failed, any
/// other kind once applied), stopping at the first failure.
/// </summary>
internal sealed partial class Applier
{
    /// <summary>
    /// Runs the hooks of one phase in order, each to completion. Stops at the first failure; returns the outcomes and
    /// whether all succeeded.
    /// </summary>
    public async Task<(List<ApplyOutcome> Outcomes, bool Succeeded)> RunHooksAsync(
        IReadOnlyList<DesiredObject> hooks, HookPhase phase, CancellationToken cancellationToken)
    {
        var outcomes = new List<ApplyOutcome>();
        foreach (var hook in OrderHooks(hooks, phase))
        {
            var outcome = await RunHookAsync(hook, phase, cancellationToken);
            outcomes.Add(outcome);
            if (!outcome.Succeeded)
            {
                return (outcomes, false);
            }
        }

        return (outcomes, true);
    }

    /// <summary>
    /// The hooks of a phase in run order: weight (lower first, negative allowed), then kind order, then name. This is
    /// Argo CD's order within a phase (wave, kind, name; a Helm hook's weight is its wave). Helm itself breaks weight
    /// ties by name alone; kind first keeps a hook's ServiceAccount or ConfigMap ahead of the Job that uses it.
    /// </summary>
    public static List<DesiredObject> OrderHooks(IReadOnlyList<DesiredObject> hooks, HookPhase phase) =>
        // OrderBy is stable: the kind order of the inner sort breaks weight ties.
        [.. KindOrder.Sort(hooks.Where(h => h.Hook!.RunsIn(phase)), h => h.Ref, h => h.Namespaced).OrderBy(h => h.Hook!.Weight)];

    /// <summary>
    /// Waits until every object is Healthy (or Suspended), as Argo CD does before PostSync hooks. Returns null when
    /// they are, else why not: the first object found Degraded or Missing, or one still not healthy after
    /// <see cref="SyncEngineOptions.PostHookHealthTimeout"/>. <paramref name="refreshed"/> receives what was read.
    /// </summary>
    public async Task<string?> WaitHealthyAsync(
        IReadOnlyList<(DesiredObject Desired, LiveObject? Live)> objects, Dictionary<string, LiveObject> refreshed, CancellationToken cancellationToken)
    {
        var pending = new List<(DesiredObject Desired, HealthResult Health)>();
        foreach (var (desired, live) in objects)
        {
            var assessed = health.Assess(live?.ToJson());
            if (Unhealthy(desired, assessed) is { } problem)
            {
                return problem;
            }

            if (!IsReady(assessed))
            {
                pending.Add((desired, assessed));
            }
        }

        if (pending.Count == 0)
        {
            return null;
        }

        string? failure = null;
        var ready = await PollAsync(
            async ct =>
            {
                for (var i = pending.Count - 1; i >= 0; i--)
                {
                    var desired = pending[i].Desired;
                    var resource = await ResolveAsync(desired, ct);
                    var obj = resource is null ? null : await client.TryGetAsync(resource, desired.Ref.Namespace, desired.Ref.Name, ct);
                    var assessed = health.Assess(obj);
                    if (obj is not null)
                    {
                        refreshed[desired.Ref.Key] = LiveObject.From(resource!, obj);
                    }

                    failure = Unhealthy(desired, assessed);
                    if (failure is not null)
                    {
                        return true;
                    }

                    if (IsReady(assessed))
                    {
                        pending.RemoveAt(i);
                    }
                    else
                    {
                        pending[i] = (desired, assessed);
                    }
                }

                return pending.Count == 0;
            },
            options.PostHookHealthTimeout,
            cancellationToken);

        if (failure is not null)
        {
            return failure;
        }

        if (ready)
        {
            return null;
        }

        var (late, last) = pending[^1];
        return $"{late.Ref} did not become healthy within {Durations.Seconds(options.PostHookHealthTimeout)} ({last.Status}{(last.Message is { } m ? ": " + m : "")})";

        static bool IsReady(HealthResult result) => result.Status is HealthStatus.Healthy or HealthStatus.Suspended;

        static string? Unhealthy(DesiredObject desired, HealthResult result) => result.Status is HealthStatus.Degraded or HealthStatus.Missing
            ? $"{desired.Ref} is {result.Status}{(result.Message is { } m ? ": " + m : "")}"
            : null;
    }

    private async Task<ApplyOutcome> RunHookAsync(DesiredObject hook, HookPhase phase, CancellationToken cancellationToken)
    {
        var reference = hook.Ref;
        var which = phase == HookPhase.Before ? "pre-sync hook" : "post-sync hook";
        var resource = await ResolveAsync(hook, cancellationToken);
        if (resource is null)
        {
            return Failed(reference, $"{which} failed: no resource serves kind {reference.Kind} in version {reference.ApiVersion}");
        }

        var info = hook.Hook!;
        try
        {
            JsonObject current;
            var kept = false;
            var previous = await client.TryGetAsync(resource, reference.Namespace, reference.Name, cancellationToken);
            if (previous is not null && !info.Has(HookInfo.BeforeHookCreation))
            {
                // As in Argo CD, a named hook without before-hook-creation is created once: the object an earlier sync
                // left stands for this run (Helm would refuse to create it again).
                current = previous;
                kept = true;
            }
            else
            {
                if (previous is not null)
                {
                    await DeleteAndWaitAsync(resource, reference, previous.GetUid(), cancellationToken);
                }

                current = await client.ApplyAsync(resource, hook.Object, ApplyOptions(), cancellationToken);
            }

            var (succeeded, message) = await WaitForHookAsync(resource, reference, current, cancellationToken);
            if (!succeeded)
            {
                if (info.Has(HookInfo.HookFailed))
                {
                    await DeleteQuietlyAsync(resource, reference, cancellationToken);
                }

                var note = kept ? " (this object was left by an earlier sync and is not re-created: its delete policy lacks before-hook-creation)" : "";
                return Failed(reference, $"{which} failed: {message}{note}");
            }

            if (info.Has(HookInfo.HookSucceeded))
            {
                await DeleteQuietlyAsync(resource, reference, cancellationToken);
            }

            LogHookRan(reference, phase);
            return kept
                ? new ApplyOutcome(reference, ResourceAction.Unchanged, $"{which} already ran in an earlier sync (no before-hook-creation delete policy): {message}", null)
                : new ApplyOutcome(reference, ResourceAction.Created, $"{which} succeeded: {message}", null);
        }
        catch (KubeApiException ex)
        {
            return Failed(reference, $"{which} failed: {ex.Status.Message}");
        }
        catch (TimeoutException ex)
        {
            return Failed(reference, $"{which} failed: {ex.Message}");
        }
    }

    /// <summary>
    /// Jobs and Pods run until they finish, within <see cref="SyncEngineOptions.HookTimeout"/>; any other kind is done
    /// once applied (Helm waits for Jobs and Pods only). The wait watches the object from the version the apply
    /// returned, as Helm does, so it sees every change in order: a Job its TTL controller deletes as soon as it
    /// completes (<c>ttlSecondsAfterFinished: 0</c>, common in charts) is seen completing, where a poll might only
    /// ever find it gone.
    /// </summary>
    private async Task<(bool Succeeded, string Message)> WaitForHookAsync(
        ApiResource resource, ResourceRef reference, JsonObject current, CancellationToken cancellationToken)
    {
        if ((reference.Group, reference.Kind) is not (("batch", "Job") or ("", "Pod")))
        {
            return (true, "applied");
        }

        var state = HookState(current);
        if (state.Done is { } finished)
        {
            return (finished, state.Message);
        }

        using var limit = new CancellationTokenSource(options.HookTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var token = linked.Token;
        var watch = new WatchOptions
        {
            FieldSelector = $"metadata.name={reference.Name}",
            ResourceVersion = current.GetResourceVersion(),
            TimeoutSeconds = (int)Math.Clamp(options.HookTimeout.TotalSeconds, 1, HookWatchSeconds),
        };
        try
        {
            // Bounded by the time limit: each round is a watch that lasts until the server ends it.
            while (true)
            {
                try
                {
                    await foreach (var change in client.WatchAsync(resource, reference.Namespace, watch, token))
                    {
                        watch = watch with { ResourceVersion = change.ResourceVersion ?? watch.ResourceVersion };
                        if (change.Type == WatchEventType.Bookmark)
                        {
                            continue;
                        }

                        state = HookState(change.Object);
                        if (change.Type == WatchEventType.Deleted && state.Done is null)
                        {
                            return (false, "it was deleted before it finished");
                        }

                        if (state.Done is { } done)
                        {
                            return (done, state.Message);
                        }
                    }
                }
                catch (KubeApiException ex) when (ex.IsGone)
                {
                    // The version to resume from is too old: the read below starts again from the present.
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !token.IsCancellationRequested)
                {
                    // A broken watch: read the object again after a pause, so a failing server is not hammered.
                    await Task.Delay(options.PollInterval, time, token);
                }

                // The watch ended (its time limit, a lost connection): catch up with a read and watch from there.
                var latest = await client.TryGetAsync(resource, reference.Namespace, reference.Name, token);
                state = HookState(latest);
                if (state.Done is { } ended)
                {
                    return (ended, state.Message);
                }

                watch = watch with { ResourceVersion = latest!.GetResourceVersion() };
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (false, $"did not finish within {Durations.Seconds(options.HookTimeout)} ({state.Message})");
        }
    }

    // How long one watch of a hook lasts before the server ends it and the wait watches again.
    private const int HookWatchSeconds = 300;

    /// <summary>Whether a hook Job or Pod finished (true: succeeded, false: failed; null: still running), and why.</summary>
    private (bool? Done, string Message) HookState(JsonObject? obj)
    {
        if (obj is null)
        {
            return (false, "it was deleted before it finished");
        }

        // The status of a Job or Pod being deleted still tells how it ended (a TTL controller deletes finished Jobs).
        if (obj["metadata"] is JsonObject meta && meta.ContainsKey("deletionTimestamp"))
        {
            obj = (JsonObject)obj.DeepClone();
            ((JsonObject)obj["metadata"]!).Remove("deletionTimestamp");
        }

        var result = health.Assess(obj);
        var message = result.Message ?? result.Status.ToString();
        if (result.Status == HealthStatus.Degraded)
        {
            return (false, message);
        }

        // A Pod is Healthy while it runs and is ready; a hook Pod is done only when its containers have exited.
        var done = obj.GetKind() == "Pod"
            ? obj["status"]?["phase"] is JsonValue p && p.TryGetValue<string>(out var phase) && phase == "Succeeded"
            : result.Status == HealthStatus.Healthy;
        return done ? (true, message) : (null, message);
    }

    private async Task DeleteQuietlyAsync(ApiResource resource, ResourceRef reference, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(resource, reference.Namespace, reference.Name, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
        }
    }
}
