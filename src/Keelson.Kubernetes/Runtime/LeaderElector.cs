using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public sealed record LeaderElectionOptions
{
    public required string LeaseName { get; init; }

    public required string LeaseNamespace { get; init; }

    /// <summary>This candidate's identity, unique among candidates (e.g. the pod name).</summary>
    public required string Identity { get; init; }

    /// <summary>How long followers wait, from when they last saw the lease change, before taking it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it steps down.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Clear the lease's holder on graceful shutdown so a follower takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>Called (on the election loop) whenever the observed holder changes; null when nobody holds it.</summary>
    public Action<string?>? OnNewLeader { get; init; }
}

public enum LeadershipOutcome
{
    /// <summary>Cancelled before this candidate ever led.</summary>
    NotAcquired,

    /// <summary>Led, then stopped on request (cancellation, or the work finished); the lease was released if <see cref="LeaderElectionOptions.ReleaseOnCancel"/>.</summary>
    Stopped,

    /// <summary>Led, then could not renew within the renew deadline and stepped down.</summary>
    Lost,
}

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, as client-go does it: the lease records holder,
/// acquire and renew times and transitions; updates use optimistic concurrency; a lease counts as expired
/// <see cref="LeaderElectionOptions.LeaseDuration"/> after this process last saw it change (its own clock, so clock
/// skew between nodes does not matter). A leader that cannot renew within the renew deadline steps down, which
/// is before any follower may take over.
/// </summary>
public sealed partial class LeaderElector
{
    private const double JitterFactor = 1.2;
    private readonly KubeClient _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private LeaseRecord? _observed;
    private long _observedAt;
    private JsonObject? _lease;
    private volatile bool _isLeader;

    public LeaderElector(KubeClient client, LeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseDuration <= options.RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be longer than RenewDeadline", nameof(options));
        }

        if (options.RenewDeadline <= options.RetryPeriod * JitterFactor)
        {
            throw new ArgumentException($"RenewDeadline must be longer than {JitterFactor} × RetryPeriod", nameof(options));
        }

        ArgumentException.ThrowIfNullOrEmpty(options.Identity);
        _client = client;
        _options = options;
        _time = client.Options.TimeProvider;
        _logger = client.Options.LoggerFactory.CreateLogger<LeaderElector>();
    }

    /// <summary>True while this candidate holds the lease (false as soon as it steps down).</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The holder last seen on the lease.</summary>
    public string? ObservedLeader => Volatile.Read(ref _observed)?.Holder is { Length: > 0 } h ? h : null;

    /// <summary>
    /// Campaigns until this candidate leads, runs <paramref name="whileLeading"/> with a token that is cancelled when
    /// leadership ends, and renews the lease meanwhile. Returns when leadership is lost, when
    /// <paramref name="whileLeading"/> completes, or when <paramref name="cancellationToken"/> is cancelled (then the
    /// lease is released). Run it again to campaign again.
    /// </summary>
    public async Task<LeadershipOutcome> RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(whileLeading);
        if (!await AcquireAsync(cancellationToken))
        {
            return LeadershipOutcome.NotAcquired;
        }

        _isLeader = true;
        LogAcquired(_options.Identity, _options.LeaseNamespace, _options.LeaseName);
        using var leading = new CancellationTokenSource();
        var work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
        var outcome = await RenewLoopAsync(work, cancellationToken);

        _isLeader = false;
        await leading.CancelAsync();
        try
        {
            await work;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWorkFailed(_options.Identity, ex);
        }
        catch (OperationCanceledException)
        {
            // The work noticed that leadership ended.
        }

        if (outcome == LeadershipOutcome.Lost)
        {
            LogLost(_options.Identity, _options.LeaseNamespace, _options.LeaseName);
        }
        else if (_options.ReleaseOnCancel)
        {
            await ReleaseAsync();
        }

        return outcome;
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await TryAcquireOrRenewAsync(cancellationToken))
                {
                    return true;
                }

                await Task.Delay(Jittered(_options.RetryPeriod), _time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return false;
    }

    private async Task<LeadershipOutcome> RenewLoopAsync(Task work, CancellationToken cancellationToken)
    {
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var delay = Task.Delay(_options.RetryPeriod, _time, wait.Token);
                await Task.WhenAny(delay, work);
                await wait.CancelAsync();
            }

            if (cancellationToken.IsCancellationRequested || work.IsCompleted)
            {
                return LeadershipOutcome.Stopped;
            }

            // Keep trying until the renew deadline; past it, a follower may soon take over, so step down first.
            using var deadline = new CancellationTokenSource(_options.RenewDeadline, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var renewed = false;
            try
            {
                while (!(renewed = await TryAcquireOrRenewAsync(linked.Token)))
                {
                    await Task.Delay(_options.RetryPeriod, _time, linked.Token);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return LeadershipOutcome.Stopped;
            }
            catch (OperationCanceledException)
            {
                // Deadline passed.
            }

            if (!renewed)
            {
                return LeadershipOutcome.Lost;
            }
        }
    }

    /// <summary>One attempt, as client-go's tryAcquireOrRenew: false when someone else holds a valid lease or a write lost a race.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        JsonObject? lease;
        try
        {
            lease = await _client.TryGetAsync(ApiResource.Leases, _options.LeaseNamespace, _options.LeaseName, cancellationToken);
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or TimeoutException)
        {
            LogAttemptFailed(_options.Identity, ex.Message);
            return false;
        }

        if (lease is null)
        {
            var fresh = new LeaseRecord(_options.Identity, Seconds(_options.LeaseDuration), KubeTime.FormatMicro(now), KubeTime.FormatMicro(now), 0);
            var obj = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = _options.LeaseName, ["namespace"] = _options.LeaseNamespace },
            };
            fresh.WriteTo(obj);
            return await WriteAsync(obj, fresh, create: true, cancellationToken);
        }

        var record = LeaseRecord.Read(lease);
        if (record != Volatile.Read(ref _observed))
        {
            Observe(record);
        }

        if (!string.IsNullOrEmpty(record.Holder) && record.Holder != _options.Identity
            && _time.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(record.DurationSeconds))
        {
            return false;
        }

        var next = record.Holder == _options.Identity
            ? record with { DurationSeconds = Seconds(_options.LeaseDuration), RenewTime = KubeTime.FormatMicro(now) }
            : new LeaseRecord(_options.Identity, Seconds(_options.LeaseDuration), KubeTime.FormatMicro(now), KubeTime.FormatMicro(now), record.Transitions + 1);
        next.WriteTo(lease);
        return await WriteAsync(lease, next, create: false, cancellationToken);
    }

    private async Task<bool> WriteAsync(JsonObject lease, LeaseRecord record, bool create, CancellationToken cancellationToken)
    {
        try
        {
            _lease = create
                ? await _client.CreateAsync(ApiResource.Leases, lease, cancellationToken: cancellationToken)
                : await _client.UpdateAsync(ApiResource.Leases, lease, cancellationToken: cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsConflict || ex.IsAlreadyExists)
        {
            return false; // another candidate wrote first
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or TimeoutException)
        {
            LogAttemptFailed(_options.Identity, ex.Message);
            return false;
        }

        Observe(record);
        return true;
    }

    private void Observe(LeaseRecord record)
    {
        var previous = Volatile.Read(ref _observed);
        _observedAt = _time.GetTimestamp();
        Volatile.Write(ref _observed, record);
        if (previous?.Holder != record.Holder && _options.OnNewLeader is { } notify)
        {
            try
            {
                notify(string.IsNullOrEmpty(record.Holder) ? null : record.Holder);
            }
            catch (Exception ex)
            {
                LogWorkFailed(_options.Identity, ex);
            }
        }
    }

    /// <summary>Clears the holder (as client-go does) so a follower need not wait for the lease to expire.</summary>
    private async Task ReleaseAsync()
    {
        if (_lease is not { } lease || Volatile.Read(ref _observed)?.Holder != _options.Identity)
        {
            return;
        }

        var now = KubeTime.FormatMicro(_time.GetUtcNow());
        var released = new LeaseRecord("", 1, now, now, _observed!.Transitions);
        released.WriteTo(lease);
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            _lease = await _client.UpdateAsync(ApiResource.Leases, lease, cancellationToken: timeout.Token);
            Observe(released);
            LogReleased(_options.Identity, _options.LeaseNamespace, _options.LeaseName);
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            LogAttemptFailed(_options.Identity, "release: " + ex.Message);
        }
    }

    private static int Seconds(TimeSpan span) => (int)Math.Ceiling(span.TotalSeconds);

    private static TimeSpan Jittered(TimeSpan period) => period + (period * JitterFactor * Random.Shared.NextDouble());

    /// <summary>The election fields of a Lease spec; compared as written to notice any change.</summary>
    private sealed record LeaseRecord(string Holder, int DurationSeconds, string? AcquireTime, string? RenewTime, int Transitions)
    {
        public static LeaseRecord Read(JsonObject lease)
        {
            var spec = Json.Object(lease, "spec");
            return new LeaseRecord(
                Json.String(spec, "holderIdentity") ?? "",
                (int)(Json.Long(spec, "leaseDurationSeconds") ?? 0),
                Json.String(spec, "acquireTime"),
                Json.String(spec, "renewTime"),
                (int)(Json.Long(spec, "leaseTransitions") ?? 0));
        }

        public void WriteTo(JsonObject lease)
        {
            var spec = Json.Ensure(lease, "spec");
            spec["holderIdentity"] = Holder;
            spec["leaseDurationSeconds"] = DurationSeconds;
            spec["acquireTime"] = AcquireTime;
            spec["renewTime"] = RenewTime;
            spec["leaseTransitions"] = Transitions;
        }
    }
}
