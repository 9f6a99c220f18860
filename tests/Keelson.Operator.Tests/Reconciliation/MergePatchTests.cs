using System.Text.Json.Nodes;
using Keelson.Operator.Reconciliation;

namespace Keelson.Operator.Tests.Reconciliation;

public sealed class MergePatchTests
{
    [Fact]
    public void Removed_fields_become_null_and_unchanged_fields_are_left_out()
    {
        var from = JsonNode.Parse("""{"message":"old","health":{"status":"Degraded","message":"bad"},"history":[1],"same":{"a":1}}""")!.AsObject();
        var to = JsonNode.Parse("""{"health":{"status":"Healthy"},"history":[1,2],"same":{"a":1},"sync":{"status":"Synced"}}""")!.AsObject();

        var patch = MergePatch.Diff(from, to);

        Assert.Equal(
            """{"message":null,"health":{"message":null,"status":"Healthy"},"history":[1,2],"sync":{"status":"Synced"}}""",
            patch.ToJsonString());
    }

    [Fact]
    public void Applying_the_patch_gives_the_target()
    {
        var from = JsonNode.Parse("""{"a":{"b":1,"c":2},"d":[1],"e":"x"}""")!.AsObject();
        var to = JsonNode.Parse("""{"a":{"b":3},"d":[2]}""")!.AsObject();

        var result = Apply(from.DeepClone().AsObject(), MergePatch.Diff(from, to));

        Assert.True(JsonNode.DeepEquals(to, result), result.ToJsonString());
    }

    [Fact]
    public void A_missing_status_is_replaced_whole()
    {
        var to = JsonNode.Parse("""{"sync":{"status":"Synced"}}""")!.AsObject();

        Assert.Equal(to.ToJsonString(), MergePatch.Diff(null, to).ToJsonString());
    }

    // RFC 7386 section 2, as the API server applies it.
    private static JsonObject Apply(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject p)
            {
                target[name] = Apply(target[name] as JsonObject ?? [], p);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }

        return target;
    }
}
