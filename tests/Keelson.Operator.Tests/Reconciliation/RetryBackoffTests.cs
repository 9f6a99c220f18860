using Keelson.Operator.Applications;
using Keelson.Operator.Reconciliation;

namespace Keelson.Operator.Tests.Reconciliation;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Source_and_render_failures_back_off_by_the_factor_up_to_the_cap_and_stop_at_the_limit()
    {
        var policy = new RetryPolicy { Limit = 5, Duration = TimeSpan.FromSeconds(1), Factor = 3, MaxDuration = TimeSpan.FromSeconds(20) };

        var delays = Enumerable.Range(1, 6).Select(n => ApplicationReconciler.ComparisonRetryDelay(policy, n)).ToList();

        Assert.Equal(
            [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), null],
            delays);
    }

    [Fact]
    public void Without_a_policy_failures_follow_argo_cds_default_backoff()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ApplicationReconciler.ComparisonRetryDelay(null, 1));
        Assert.Equal(TimeSpan.FromSeconds(10), ApplicationReconciler.ComparisonRetryDelay(null, 2));
        Assert.Null(ApplicationReconciler.ComparisonRetryDelay(null, 6));
    }
}
