using System.Text.Json.Nodes;
using Keelson.ApiServer.Patching;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Resources;

/// <summary>A resource collection independent of version: where objects are stored.</summary>
internal readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}

/// <summary>Where the replica count lives for the scale subresource.</summary>
internal sealed record ScaleSpec(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>
/// One served group/version/resource: its names, scope, verbs, subresources and the behaviour of its kind
/// (defaulting, validation, field selectors, table columns).
/// </summary>
internal sealed class ResourceType
{
    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    public bool HasStatus { get; init; }

    public ScaleSpec? Scale { get; init; }

    /// <summary>Whether <c>metadata.generation</c> is maintained (kinds with a spec).</summary>
    public bool HasGeneration { get; init; }

    public required TypeSchema PatchSchema { get; init; }

    public KindBehavior Behavior { get; init; } = KindBehavior.Empty;

    /// <summary>For custom resources: the CRD version's schema, printer columns and selectable fields.</summary>
    public CustomVersion? Custom { get; init; }

    /// <summary>Storage version (custom resources with several versions store one of them).</summary>
    public string StorageVersion { get; init; } = "";

    public string ListKind { get; init; } = "";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string StorageApiVersion => Group.Length == 0 ? StorageVersion : $"{Group}/{StorageVersion}";

    /// <summary>Where objects are stored: normally this resource, but another one for views of shared storage (events.k8s.io events).</summary>
    public GroupResource GroupResource => StoredAs ?? new(Group, Plural);

    /// <summary>The resource whose storage this one is a view of, with <see cref="Conversion"/> between them.</summary>
    public GroupResource? StoredAs { get; init; }

    /// <summary>Converts between this resource's representation and its storage's (both in place on a copy).</summary>
    public StorageConversion? Conversion { get; init; }

    public bool IsCustom => Custom is not null;

    public bool Allows(string verb) => Verbs.Contains(verb);
}

/// <summary>Field renames between a resource and the storage it shares with another one.</summary>
internal sealed record StorageConversion(Func<JsonObject, JsonObject> ToStorage, Func<JsonObject, JsonObject> FromStorage);

/// <summary>The parts of a CRD version the simulator needs at request time.</summary>
internal sealed record CustomVersion(
    JsonSchemaNode? Schema,
    IReadOnlyList<PrinterColumn> PrinterColumns,
    IReadOnlyList<string> SelectableFields,
    bool PreserveUnknownFields,
    object Token);

internal sealed record PrinterColumn(string Name, string Type, string Format, string Description, int Priority, string JsonPath);

/// <summary>A column of server-side table output; the cell function returns a JSON scalar or null.</summary>
internal sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, DateTimeOffset, JsonNode?> Cell);

/// <summary>What is specific to a kind: written once per built-in kind, derived from the CRD for custom resources.</summary>
internal sealed record KindBehavior
{
    public static readonly KindBehavior Empty = new();

    /// <summary>Server defaulting, run on every write before validation.</summary>
    public Action<JsonObject, WriteContext>? Default { get; init; }

    /// <summary>Changes made once at creation (initial status, generated selectors).</summary>
    public Action<JsonObject, WriteContext>? PrepareForCreate { get; init; }

    /// <summary>Validation; old is null on create.</summary>
    public Action<JsonObject, JsonObject?, List<FieldError>>? Validate { get; init; }

    /// <summary>
    /// What an update of the main resource (or its scale) may not change: immutable spec fields. Status and other
    /// subresource writes skip it, as upstream's status strategies validate only status.
    /// </summary>
    public Action<JsonObject, JsonObject, List<FieldError>>? ValidateUpdate { get; init; }

    /// <summary>Field selector labels beyond metadata.name and metadata.namespace.</summary>
    public IReadOnlyDictionary<string, Func<JsonObject, string?>> FieldLabels { get; init; } =
        new Dictionary<string, Func<JsonObject, string?>>();

    /// <summary>Table columns after Name (null: Name and Age).</summary>
    public IReadOnlyList<TableColumn>? Columns { get; init; }

    /// <summary>Known top-level fields, for unknown-field warnings (null: not checked).</summary>
    public IReadOnlySet<string>? TopLevelFields { get; init; }
}
