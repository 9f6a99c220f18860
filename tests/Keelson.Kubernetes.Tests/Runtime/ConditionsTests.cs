using System.Text.Json.Nodes;
using Keelson.Kubernetes.Runtime;

namespace Keelson.Kubernetes.Tests.Runtime;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject App(long generation = 3) =>
        new() { ["apiVersion"] = "keelson.dev/v1alpha1", ["kind"] = "Application", ["metadata"] = new JsonObject { ["name"] = "guestbook", ["generation"] = generation } };

    [Fact]
    public void Transition_time_changes_only_when_the_status_changes()
    {
        var app = App();

        Assert.True(Conditions.Set(app, Conditions.Ready, ConditionStatus.False, "Progressing", "applying", T0));
        Assert.True(Conditions.Set(app, Conditions.Ready, ConditionStatus.False, "HealthCheckFailed", "2 of 3 ready", T0.AddMinutes(1)));
        var stillFalse = Conditions.Get(app, Conditions.Ready)!;
        Assert.Equal(T0, stillFalse.LastTransitionTime);
        Assert.Equal("HealthCheckFailed", stillFalse.Reason);

        Assert.True(Conditions.Set(app, Conditions.Ready, ConditionStatus.True, "Succeeded", "synced", T0.AddMinutes(2)));
        Assert.Equal(T0.AddMinutes(2), Conditions.Get(app, Conditions.Ready)!.LastTransitionTime);
    }

    [Fact]
    public void Setting_the_same_condition_again_reports_no_change()
    {
        var app = App();
        Conditions.Set(app, Conditions.Ready, ConditionStatus.True, "Succeeded", "synced", T0);
        var before = app.ToJsonString();

        Assert.False(Conditions.Set(app, Conditions.Ready, ConditionStatus.True, "Succeeded", "synced", T0.AddHours(1)));
        Assert.Equal(before, app.ToJsonString());
    }

    [Fact]
    public void Observed_generation_defaults_to_the_objects_generation_per_condition()
    {
        var app = App(generation: 7);

        Conditions.Set(app, Conditions.Ready, ConditionStatus.True, "Succeeded", "", T0);
        Conditions.Set(app, new Condition { Type = "Healthy", Status = ConditionStatus.True, Reason = "AllReady", ObservedGeneration = 6 }, T0);
        Conditions.SetObservedGeneration(app);

        Assert.Equal(7, Conditions.Get(app, Conditions.Ready)!.ObservedGeneration);
        Assert.Equal(6, Conditions.Get(app, "Healthy")!.ObservedGeneration);
        Assert.Equal(7, app["status"]!["observedGeneration"]!.GetValue<long>());
        var written = app["status"]!["conditions"]![0]!;
        Assert.Equal("2026-03-01T12:00:00Z", written["lastTransitionTime"]!.GetValue<string>());
        Assert.Equal(7, written["observedGeneration"]!.GetValue<long>());
    }

    [Fact]
    public void Kstatus_helpers_keep_abnormal_true_conditions_only_while_true()
    {
        var app = App();

        Conditions.MarkReconciling(app, "Progressing", "applying 3 objects", T0);
        Assert.True(Conditions.IsTrue(app, Conditions.Reconciling));
        Assert.Equal(ConditionStatus.Unknown, Conditions.Get(app, Conditions.Ready)!.Status);

        Conditions.MarkStalled(app, "InvalidManifest", "line 3: bad indentation", T0.AddSeconds(5));
        Assert.Null(Conditions.Get(app, Conditions.Reconciling));
        Assert.True(Conditions.IsTrue(app, Conditions.Stalled));
        Assert.Equal(ConditionStatus.False, Conditions.Get(app, Conditions.Ready)!.Status);

        Conditions.MarkReady(app, "Succeeded", "synced to abc123", T0.AddSeconds(9));
        Assert.Equal([Conditions.Ready], Conditions.GetAll(app).Select(c => c.Type));
        Assert.True(Conditions.IsTrue(app, Conditions.Ready));
    }

    [Fact]
    public void Remove_reports_whether_the_condition_was_there()
    {
        var app = App();
        Conditions.Set(app, Conditions.Stalled, ConditionStatus.True, "X", "", T0);

        Assert.True(Conditions.Remove(app, Conditions.Stalled));
        Assert.False(Conditions.Remove(app, Conditions.Stalled));
        Assert.False(Conditions.Remove(App(), Conditions.Stalled));
    }

    [Fact]
    public void Conditions_written_by_others_are_read_and_kept()
    {
        var app = JsonNode.Parse("""
            {"metadata":{"name":"x","generation":2},"status":{"conditions":[
              {"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"ok","lastTransitionTime":"2025-12-24T10:00:00Z"}]}}
            """)!.AsObject();

        Conditions.Set(app, Conditions.Ready, ConditionStatus.True, "Succeeded", "", T0);

        var all = Conditions.GetAll(app);
        Assert.Equal(["Available", "Ready"], all.Select(c => c.Type));
        Assert.Equal(new DateTimeOffset(2025, 12, 24, 10, 0, 0, TimeSpan.Zero), all[0].LastTransitionTime);
    }
}
