using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

/// <summary>Group, version and kind of an object; the core group is the empty string.</summary>
public readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    /// <summary>"v1" for the core group, otherwise "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static GroupVersionKind FromApiVersion(string apiVersion, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiVersion);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new GroupVersionKind("", apiVersion, kind)
            : new GroupVersionKind(apiVersion[..slash], apiVersion[(slash + 1)..], kind);
    }

    /// <summary>Reads apiVersion and kind from an object; fails with a clear message when either is missing.</summary>
    public static GroupVersionKind Of(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersion = Json.String(obj, "apiVersion");
        var kind = Json.String(obj, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw new ArgumentException(
                $"object {obj.GetKey() ?? "(unnamed)"} has no {(string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind")}", nameof(obj));
        }

        return FromApiVersion(apiVersion, kind);
    }

    public override string ToString() => $"{ApiVersion}, Kind={Kind}";
}
