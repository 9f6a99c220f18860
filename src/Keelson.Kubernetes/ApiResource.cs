namespace Keelson.Kubernetes;

/// <summary>
/// A REST resource: where objects of one kind live on the API server (group, version, plural name) and whether they
/// are namespaced. Discovery (<see cref="Discovery.RestMapper"/>) produces these; the common built-ins are fields here.
/// </summary>
public sealed record ApiResource(string Group, string Version, string Resource, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public GroupVersionKind GroupVersionKind => new(Group, Version, Kind);

    public IReadOnlyList<string> Verbs { get; init; } = [];

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public string SingularName { get; init; } = "";

    /// <summary>The resource has a <c>/status</c> subresource.</summary>
    public bool HasStatus { get; init; }

    public bool Supports(string verb) => Verbs.Contains(verb, StringComparer.Ordinal);

    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";

    public static readonly ApiResource Namespaces = Core("namespaces", "Namespace", namespaced: false);
    public static readonly ApiResource ConfigMaps = Core("configmaps", "ConfigMap", namespaced: true);
    public static readonly ApiResource Secrets = Core("secrets", "Secret", namespaced: true);
    public static readonly ApiResource Services = Core("services", "Service", namespaced: true) with { HasStatus = true };
    public static readonly ApiResource ServiceAccounts = Core("serviceaccounts", "ServiceAccount", namespaced: true);
    public static readonly ApiResource Pods = Core("pods", "Pod", namespaced: true) with { HasStatus = true };
    public static readonly ApiResource CoreEvents = Core("events", "Event", namespaced: true);
    public static readonly ApiResource Deployments = new("apps", "v1", "deployments", "Deployment", true) { HasStatus = true };
    public static readonly ApiResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);
    public static readonly ApiResource Events = new("events.k8s.io", "v1", "events", "Event", true);
    public static readonly ApiResource CustomResourceDefinitions =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false) { HasStatus = true };

    private static ApiResource Core(string resource, string kind, bool namespaced) => new("", "v1", resource, kind, namespaced);
}
