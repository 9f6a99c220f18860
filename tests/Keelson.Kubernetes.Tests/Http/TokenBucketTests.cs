using Keelson.Kubernetes.Http;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Http;

public sealed class TokenBucketTests
{
    [Fact]
    public async Task Burst_passes_at_once_then_callers_wait_their_turn_on_the_clock()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(qps: 2, burst: 3, clock);
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.WaitAsync(ct).AsTask().IsCompleted);
        }

        var fourth = bucket.WaitAsync(ct).AsTask();
        var fifth = bucket.WaitAsync(ct).AsTask();
        Assert.False(fourth.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        await fourth.WaitAsync(ct);
        Assert.False(fifth.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await fifth.WaitAsync(ct);
    }

    [Fact]
    public void TryTake_refills_with_time_up_to_the_burst()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(qps: 1, burst: 2, clock);

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_reservation_back()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(qps: 1, burst: 1, clock);
        Assert.True(bucket.TryTake());
        using var cts = new CancellationTokenSource();

        var waiting = bucket.WaitAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryTake());
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_stays_under_the_cap()
    {
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var ceiling = Math.Min(100 * Math.Pow(2, attempt), 5000);
            var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)).TotalMilliseconds;
            Assert.InRange(delay, ceiling / 2, ceiling);
        }
    }
}
