using Keelson.Engine;
using Keelson.Engine.Health;
using Keelson.Engine.Source;
using Keelson.Operator.Applications;
using Keelson.Operator.Reconciliation;

namespace Keelson.Operator.Tests.Reconciliation;

/// <summary>The status as a user reads it, from the engine's results: pure, so checked without a cluster.</summary>
public sealed class StatusBuilderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void History_keeps_the_last_ten_synced_revisions_oldest_first_with_who_and_what()
    {
        var status = new ApplicationStatus();
        for (var i = 1; i <= 12; i++)
        {
            status = StatusBuilder.Build(status, 1, Result(i), Synced(i), new SyncPolicySpec(), 100);
        }

        Assert.Equal(ApplicationStatus.HistoryLimit, status.History.Count);
        Assert.Equal(Enumerable.Range(3, 10).Select(Sha), status.History.Select(h => h.Revision));
        Assert.Equal("Change 12", status.History[^1].Subject);
        Assert.Equal("Ada <ada@example.com>", status.History[^1].Author);
        Assert.Equal(Start.AddMinutes(12), status.History[^1].DeployedAt);
        Assert.Equal(status.History.Select(h => h.Id).Order(), status.History.Select(h => h.Id));
    }

    [Fact]
    public void A_sync_again_of_the_same_revision_and_spec_adds_no_entry_but_a_new_spec_does()
    {
        var status = StatusBuilder.Build(new ApplicationStatus(), 1, Result(1), Synced(1), new SyncPolicySpec(), 100);
        status = StatusBuilder.Build(status, 1, Result(1), Synced(1), new SyncPolicySpec(), 100);
        Assert.Single(status.History);

        status = StatusBuilder.Build(status, 2, Result(1), Synced(1), new SyncPolicySpec(), 100);
        Assert.Equal(2, status.History.Count);
    }

    [Fact]
    public void A_failed_sync_adds_no_history()
    {
        var failed = Result(1) with { Error = new SyncError(SyncStage.Apply, "ApplyFailed", "1 of 1 failed"), Sync = SyncStatus.OutOfSync };

        var status = StatusBuilder.Build(new ApplicationStatus(), 1, Result(1), new SyncAttempt("Automated", Start, Start, failed, 0, 0), new SyncPolicySpec(), 100);

        Assert.Empty(status.History);
        Assert.Equal(OperationPhases.Failed, status.Operation!.Phase);
    }

    private static string Sha(int i) => i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture);

    private static SyncResult Result(int i) => new()
    {
        Owner = "keelson/shop",
        Mode = SyncMode.Sync,
        Commit = new CommitInfo(Sha(i), $"Change {i}", "Ada", "ada@example.com", Start),
        Sync = SyncStatus.Synced,
        Health = new HealthResult(HealthStatus.Healthy, null),
    };

    private static SyncAttempt Synced(int i) => new("Automated", Start.AddMinutes(i), Start.AddMinutes(i), Result(i), 0, 0);
}
