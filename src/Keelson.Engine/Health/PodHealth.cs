using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// Pods: completed, or running and ready. Containers stuck on a crash loop or on an image they cannot get are failed,
/// and so is a pod the scheduler has refused for longer than a brief wait for capacity.
/// </summary>
internal static class PodHealth
{
    // kstatus' grace period: the scheduler often refuses a pod for a moment while nodes scale or pods terminate.
    public static readonly TimeSpan UnschedulableGrace = TimeSpan.FromSeconds(15);

    // Waiting reasons that will not resolve without a change: kubelet backs off and retries the same thing.
    private static readonly HashSet<string> StuckReasons = new(StringComparer.Ordinal)
    {
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    };

    public static HealthResult Assess(JsonObject obj, DateTimeOffset now)
    {
        var phase = Fields.Str(obj, "status", "phase");
        switch (phase)
        {
            case "Succeeded":
                return HealthResult.Healthy("Pod completed successfully");
            case "Failed":
                return HealthResult.Degraded(FailureMessage(obj));
            case "Unknown":
                return new HealthResult(HealthStatus.Unknown, Fields.Str(obj, "status", "message") ?? "Pod status is unknown (its node may be unreachable)");
        }

        foreach (var (name, waiting) in WaitingContainers(obj))
        {
            var reason = Fields.Str(waiting, "reason");
            if (reason is not null && StuckReasons.Contains(reason))
            {
                var message = Fields.Str(waiting, "message");
                return HealthResult.Degraded(message is null ? $"Container {name}: {reason}" : $"Container {name}: {reason}: {message}");
            }
        }

        if (phase == "Running")
        {
            var ready = Fields.Condition(obj, "Ready");
            return ready is { IsTrue: true }
                ? HealthResult.Healthy()
                : HealthResult.Progressing($"Pod is running but not ready{Detail(ready?.Message)}");
        }

        var scheduled = Fields.Condition(obj, "PodScheduled");
        if (scheduled is { IsFalse: true, Reason: "Unschedulable" })
        {
            var since = scheduled.LastTransition ?? Fields.Time(obj, "metadata", "creationTimestamp");
            return since is { } t && now - t > UnschedulableGrace
                ? HealthResult.Degraded($"Pod cannot be scheduled{Detail(scheduled.Message)}")
                : HealthResult.Progressing($"Waiting for pod to be scheduled{Detail(scheduled.Message)}");
        }

        if (phase is null)
        {
            return HealthResult.Progressing("Waiting for the pod to be scheduled");
        }

        var creating = WaitingContainers(obj).Select(c => Fields.Str(c.Waiting, "reason")).FirstOrDefault(r => r is not null);
        return HealthResult.Progressing(creating is null ? "Pod is pending" : $"Pod is pending: {creating}");
    }

    private static string Detail(string? message) => string.IsNullOrWhiteSpace(message) ? "" : $": {message.Trim()}";

    private static IEnumerable<(string Name, JsonObject Waiting)> WaitingContainers(JsonObject obj)
    {
        foreach (var list in new[] { "initContainerStatuses", "containerStatuses" })
        {
            foreach (var item in Fields.Array(obj, "status", list) ?? [])
            {
                if (Fields.At(item, "state", "waiting") is JsonObject waiting)
                {
                    yield return (Fields.Str(item, "name") ?? "?", waiting);
                }
            }
        }
    }

    private static string FailureMessage(JsonObject obj)
    {
        // Prefer the container that failed: "container app terminated: OOMKilled (exit code 137)" says what to fix.
        foreach (var item in Fields.Array(obj, "status", "containerStatuses") ?? [])
        {
            if (Fields.At(item, "state", "terminated") is JsonObject terminated && (Fields.Int(terminated, "exitCode") ?? 0) != 0)
            {
                var reason = Fields.Str(terminated, "reason") ?? "Error";
                return $"Pod failed: container {Fields.Str(item, "name") ?? "?"} terminated: {reason} (exit code {Fields.Int(terminated, "exitCode")})";
            }
        }

        var message = Fields.Str(obj, "status", "message") ?? Fields.Str(obj, "status", "reason");
        return message is null ? "Pod failed" : $"Pod failed: {message}";
    }
}
