using Keelson.Kubernetes;

namespace Keelson.Operator.Applications;

/// <summary>The names users and other tools see: the resource, its annotations, finalizer and field managers.</summary>
public static class ApplicationNames
{
    public const string Group = "keelson.dev";

    public const string Version = "v1alpha1";

    public const string Kind = "Application";

    /// <summary>Any new value asks for an immediate reconcile; the value <c>hard</c> also bypasses the Git and render caches.</summary>
    public const string RefreshAnnotation = "keelson.dev/refresh";

    /// <summary>Any new value asks for one sync (the way to sync an Application without <c>automated</c>).</summary>
    public const string SyncAnnotation = "keelson.dev/sync";

    /// <summary>With this finalizer, deleting an Application first deletes every object it applied.</summary>
    public const string ResourcesFinalizer = "keelson.dev/resources-finalizer";

    /// <summary>Field manager of the objects Keelson applies.</summary>
    public const string FieldManager = "keelson";

    /// <summary>Field manager of Keelson's own status writes on Applications.</summary>
    public const string StatusFieldManager = "keelson-status";

    public static ApiResource Resource { get; } = new(Group, Version, "applications", Kind, Namespaced: true)
    {
        HasStatus = true,
        SingularName = "application",
        ShortNames = ["app", "apps"],
        Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    };
}
