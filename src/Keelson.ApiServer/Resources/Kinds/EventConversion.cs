using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>
/// events.k8s.io/v1 Events are a view of the same storage as core/v1 Events (as in kube-apiserver), so an event
/// written by a controller through one API shows up in <c>kubectl get events</c> and <c>kubectl describe</c>.
/// These are the field renames between the two.
/// </summary>
internal static class EventConversion
{
    // events.k8s.io/v1 name -> core/v1 name
    private static readonly (string V1, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public static readonly StorageConversion Conversion = new(ToCore, FromCore);

    public static readonly GroupResource Storage = new("", "events");

    private static JsonObject ToCore(JsonObject obj)
    {
        obj["apiVersion"] = "v1";
        foreach (var (v1, core) in Renames)
        {
            Move(obj, v1, core);
        }

        return obj;
    }

    private static JsonObject FromCore(JsonObject obj)
    {
        obj["apiVersion"] = "events.k8s.io/v1";
        foreach (var (v1, core) in Renames)
        {
            Move(obj, core, v1);
        }

        return obj;
    }

    private static void Move(JsonObject obj, string from, string to)
    {
        if (obj.TryGetPropertyValue(from, out var value))
        {
            obj.Remove(from);
            obj[to] = value;
        }
    }
}
