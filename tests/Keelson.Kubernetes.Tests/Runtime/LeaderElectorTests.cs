using Keelson.Kubernetes.Runtime;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Runtime;

/// <summary>Two candidates on one Lease in the simulator, on a shared fake clock.</summary>
public sealed class LeaderElectorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_leads_and_a_graceful_stop_hands_over_without_waiting_for_expiry()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.NamespaceAsync();
        var tracker = new Tracker();
        var a = Candidate(cluster, clock, ns, "a");
        var b = Candidate(cluster, clock, ns, "b");
        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(Token);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var runA = a.RunAsync(tracker.Lead("a"), stopA.Token);
        await TestCluster.DriveAsync(clock, () => a.IsLeader, "a to lead");
        var runB = b.RunAsync(tracker.Lead("b"), stopB.Token);
        await TestCluster.DriveAsync(clock, () => b.ObservedLeader == "a", "b to see a leading", TimeSpan.FromMilliseconds(100));
        var before = clock.GetUtcNow();
        await stopA.CancelAsync();
        var outcomeA = await runA;
        await TestCluster.DriveAsync(clock, () => b.IsLeader, "b to take over", TimeSpan.FromMilliseconds(250));
        var handover = clock.GetUtcNow() - before;
        var lease = await cluster.Client().GetAsync(ApiResource.Leases, ns, "keelson-leader", Token);
        await stopB.CancelAsync();
        var outcomeB = await runB;

        Assert.Equal(LeadershipOutcome.Stopped, outcomeA);
        Assert.Equal(LeadershipOutcome.Stopped, outcomeB);
        Assert.True(handover < TimeSpan.FromSeconds(15), $"b took over after {handover}, as if a had not released the lease");
        Assert.Equal(["a", "b"], tracker.Leaders);
        Assert.Equal(1, tracker.MostAtOnce);
        Assert.Equal("b", Json.String(lease["spec"], "holderIdentity"));
        Assert.Equal(1, Json.Long(lease["spec"], "leaseTransitions"));
        Assert.Equal(15, Json.Long(lease["spec"], "leaseDurationSeconds"));
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_steps_down_before_the_follower_takes_over_after_expiry()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.NamespaceAsync();
        var tracker = new Tracker();
        var a = Candidate(cluster, clock, ns, "a");
        var b = Candidate(cluster, clock, ns, "b");
        var runA = a.RunAsync(tracker.Lead("a"), Token);
        await TestCluster.DriveAsync(clock, () => a.IsLeader, "a to lead");
        var runB = b.RunAsync(tracker.Lead("b"), Token);
        await TestCluster.DriveAsync(clock, () => b.ObservedLeader == "a", "b to see a leading", TimeSpan.FromMilliseconds(100));

        // a is cut off from the API server: nothing it sends about leases gets through.
        cluster.Host.Faults.Fail(403, r => r.Resource == "leases" && r.UserAgent == "candidate-a", times: int.MaxValue);
        var cutOff = clock.GetUtcNow();
        await TestCluster.DriveAsync(clock, () => runA.IsCompleted, "a to step down", TimeSpan.FromMilliseconds(500));
        var steppedDown = clock.GetUtcNow() - cutOff;
        await TestCluster.DriveAsync(clock, () => b.IsLeader, "b to take over", TimeSpan.FromSeconds(1));
        var tookOver = clock.GetUtcNow() - cutOff;

        Assert.Equal(LeadershipOutcome.Lost, await runA);
        Assert.False(a.IsLeader);
        Assert.True(steppedDown <= TimeSpan.FromSeconds(10 + 2 + 1), $"a stepped down after {steppedDown}");
        Assert.True(tookOver >= TimeSpan.FromSeconds(13), $"b took over after {tookOver}, before a's lease could expire");
        Assert.Equal(["a", "b"], tracker.Leaders);
        Assert.Equal(1, tracker.MostAtOnce);
        Assert.False(runB.IsCompleted);
    }

    private static LeaderElector Candidate(TestCluster cluster, FakeTimeProvider clock, string ns, string identity) =>
        new(
            cluster.Client(new KubeClientOptions { Qps = 0, TimeProvider = clock, UserAgent = "candidate-" + identity, MaxRetries = 0 }),
            new LeaderElectionOptions { LeaseName = "keelson-leader", LeaseNamespace = ns, Identity = identity });

    /// <summary>Who led, in order, and the most candidates leading at one time.</summary>
    private sealed class Tracker
    {
        private readonly Lock _gate = new();
        private readonly List<string> _leaders = [];
        private int _current;

        public int MostAtOnce { get; private set; }

        public IReadOnlyList<string> Leaders
        {
            get
            {
                lock (_gate)
                {
                    return [.. _leaders];
                }
            }
        }

        public Func<CancellationToken, Task> Lead(string identity) => async ct =>
        {
            lock (_gate)
            {
                _leaders.Add(identity);
                MostAtOnce = Math.Max(MostAtOnce, ++_current);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                lock (_gate)
                {
                    _current--;
                }
            }
        };
    }
}
