using System.Text.Json.Nodes;
using Keelson.Engine.Apply;

namespace Keelson.Engine.Tests.Apply;

/// <summary>How the hook annotations of a rendered object are read (Helm's rules, Argo CD's phase mapping).</summary>
public sealed class HookClassifyTests
{
    [Theory]
    [InlineData("pre-install", new[] { "Before" })]
    [InlineData("pre-upgrade", new[] { "Before" })]
    [InlineData("post-install", new[] { "After" })]
    [InlineData(" Post-Upgrade ", new[] { "After" })]
    [InlineData("pre-install,post-upgrade", new[] { "Before", "After" })]
    [InlineData("test", new string[0])]
    [InlineData("test-success", new string[0])]
    [InlineData("pre-delete,post-delete", new string[0])]
    [InlineData("pre-rollback", new string[0])]
    public void Install_and_upgrade_events_map_to_phases_and_other_events_are_skipped(string events, string[] phases)
    {
        var hook = Hooks.Classify(Object(new() { ["helm.sh/hook"] = events }));

        Assert.NotNull(hook);
        Assert.Equal(phases, hook.Phases.Select(p => p.ToString()));
        Assert.Equal(phases.Length == 0, hook.Skipped);
    }

    [Fact]
    public void An_object_without_the_hook_annotation_or_with_only_crd_install_is_not_a_hook()
    {
        Assert.Null(Hooks.Classify(Object(new() { ["helm.sh/hook-weight"] = "3" })));
        Assert.Null(Hooks.Classify(Object(new() { ["helm.sh/hook"] = "crd-install" })));
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("-7", -7)]
    [InlineData(" 12 ", 12)]
    [InlineData("x", 0)]
    [InlineData("1.5", 0)]
    public void The_weight_is_an_integer_and_anything_else_is_zero(string? weight, int expected)
    {
        var annotations = new Dictionary<string, string> { ["helm.sh/hook"] = "pre-install" };
        if (weight is not null)
        {
            annotations["helm.sh/hook-weight"] = weight;
        }

        Assert.Equal(expected, Hooks.Classify(Object(annotations))!.Weight);
    }

    [Theory]
    [InlineData(null, new[] { "before-hook-creation" })]
    [InlineData("", new[] { "before-hook-creation" })]
    [InlineData("hook-succeeded", new[] { "hook-succeeded" })]
    [InlineData("Hook-Succeeded, hook-failed", new[] { "hook-succeeded", "hook-failed" })]
    public void Without_a_delete_policy_the_previous_hook_is_deleted_before_the_next_is_created(string? policy, string[] expected)
    {
        var annotations = new Dictionary<string, string> { ["helm.sh/hook"] = "pre-install" };
        if (policy is not null)
        {
            annotations["helm.sh/hook-delete-policy"] = policy;
        }

        Assert.Equal(expected, Hooks.Classify(Object(annotations))!.DeletePolicies);
    }

    private static JsonObject Object(Dictionary<string, string> annotations)
    {
        var notes = new JsonObject();
        foreach (var (key, value) in annotations)
        {
            notes[key] = value;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "x", ["annotations"] = notes },
        };
    }
}
