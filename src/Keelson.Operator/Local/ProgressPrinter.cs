using System.Globalization;
using Keelson.Kubernetes;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Local;

/// <summary>Prints one line whenever an Application's sync, health, revision or message changes.</summary>
internal sealed class ProgressPrinter(KubeClient client, TextWriter output, TimeProvider time)
{
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        do
        {
            try
            {
                await PrintChangesAsync(cancellationToken);
            }
            catch (KubeApiException)
            {
                // The embedded server is shutting down or busy; the next tick tries again.
            }
            catch (HttpRequestException)
            {
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task PrintChangesAsync(CancellationToken cancellationToken)
    {
        var list = await client.ListAsync(ApplicationNames.Resource, null, null, cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in list.Items)
        {
            var key = app.GetKey() ?? "";
            seen.Add(key);
            var status = ApplicationStatus.FromObject(app);
            var line = string.Format(
                CultureInfo.InvariantCulture,
                "{0,-28} {1,-10} {2,-12} {3,-8} {4}",
                key,
                status.SyncStatus,
                status.HealthStatus,
                ApplicationStatus.ShortRevision(status.Revision),
                status.Message ?? "");
            if (!_last.TryGetValue(key, out var previous) || previous != line)
            {
                _last[key] = line;
                await output.WriteLineAsync($"{time.GetLocalNow():HH:mm:ss} {line}");
            }
        }

        foreach (var gone in _last.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _last.Remove(gone);
            await output.WriteLineAsync($"{time.GetLocalNow():HH:mm:ss} {gone,-28} deleted");
        }
    }
}
