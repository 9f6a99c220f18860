using System.Text.Json.Nodes;

namespace Keelson.Operator.Reconciliation;

/// <summary>
/// The JSON merge patch (RFC 7386) that turns one object into another: changed values, and null for every field that
/// went away (a plain merge patch of the new status would leave removed fields behind).
/// </summary>
internal static class MergePatch
{
    public static JsonObject Diff(JsonObject? from, JsonObject to)
    {
        var patch = new JsonObject();
        if (from is not null)
        {
            foreach (var (name, _) in from)
            {
                if (!to.ContainsKey(name))
                {
                    patch[name] = null;
                }
            }
        }

        foreach (var (name, value) in to)
        {
            var old = from?[name];
            if (from is not null && from.ContainsKey(name) && JsonNode.DeepEquals(old, value))
            {
                continue;
            }

            patch[name] = old is JsonObject oldObject && value is JsonObject newObject ? Diff(oldObject, newObject) : value?.DeepClone();
        }

        return patch;
    }
}
