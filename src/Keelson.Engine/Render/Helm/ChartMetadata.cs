using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keelson.Templating;
using Keelson.Templating.Semver;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Chart.yaml (Helm's chart.Metadata). Mutable like Helm's: loading sanitises it, dependency processing renames
/// aliased charts and flags dependencies enabled or not. Templates see it as <c>.Chart</c>.
/// </summary>
internal sealed partial class ChartMetadata
{
    public const string ApiVersionV1 = "v1";
    public const string ApiVersionV2 = "v2";

    public string Name { get; set; } = "";

    public string Home { get; set; } = "";

    public List<string>? Sources { get; set; }

    public string Version { get; set; } = "";

    public string Description { get; set; } = "";

    public List<string>? Keywords { get; set; }

    public List<ChartMaintainer?>? Maintainers { get; set; }

    public string Icon { get; set; } = "";

    public string ApiVersion { get; set; } = "";

    public string Condition { get; set; } = "";

    public string Tags { get; set; } = "";

    public string AppVersion { get; set; } = "";

    public bool Deprecated { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }

    public string KubeVersion { get; set; } = "";

    public List<ChartDependency?>? Dependencies { get; set; }

    public string Type { get; set; } = "";

    public bool IsLibrary => string.Equals(Type, "library", StringComparison.OrdinalIgnoreCase);

    /// <summary>A copy whose dependency list (and entries) can change without touching this one.</summary>
    public ChartMetadata Copy()
    {
        var md = (ChartMetadata)MemberwiseClone();
        md.Dependencies = Dependencies?.Select(d => d?.Copy()).ToList();
        return md;
    }

    /// <summary>Reads Chart.yaml fields from the YAML as sigs.k8s.io/yaml would unmarshal it into chart.Metadata.</summary>
    public static void Read(JsonNode? node, ChartMetadata md, string file)
    {
        if (node is null)
        {
            return;
        }

        if (node is not JsonObject obj)
        {
            throw Mismatch(file, node, "", "chart.Metadata");
        }

        foreach (var (key, value) in obj)
        {
            // encoding/json matches field names case-insensitively.
            switch (key.ToLowerInvariant())
            {
                case "name": md.Name = Str(value, file, "name"); break;
                case "home": md.Home = Str(value, file, "home"); break;
                case "sources": md.Sources = StrList(value, file, "sources"); break;
                case "version": md.Version = Str(value, file, "version"); break;
                case "description": md.Description = Str(value, file, "description"); break;
                case "keywords": md.Keywords = StrList(value, file, "keywords"); break;
                case "maintainers": md.Maintainers = ReadList(value, file, "maintainers", "chart.Maintainer", ChartMaintainer.Read); break;
                case "icon": md.Icon = Str(value, file, "icon"); break;
                case "apiversion": md.ApiVersion = Str(value, file, "apiVersion"); break;
                case "condition": md.Condition = Str(value, file, "condition"); break;
                case "tags": md.Tags = Str(value, file, "tags"); break;
                case "appversion": md.AppVersion = Str(value, file, "appVersion"); break;
                case "deprecated": md.Deprecated = Bool(value, file, "deprecated"); break;
                case "annotations": md.Annotations = StrMap(value, file, "annotations"); break;
                case "kubeversion": md.KubeVersion = Str(value, file, "kubeVersion"); break;
                case "dependencies": md.Dependencies = ReadList(value, file, "dependencies", "chart.Dependency", ChartDependency.Read); break;
                case "type": md.Type = Str(value, file, "type"); break;
            }
        }
    }

    /// <summary>Helm's Metadata.Validate, including its sanitising of strings.</summary>
    public void Validate()
    {
        Name = Sanitize(Name);
        Description = Sanitize(Description);
        Home = Sanitize(Home);
        Icon = Sanitize(Icon);
        Condition = Sanitize(Condition);
        Tags = Sanitize(Tags);
        AppVersion = Sanitize(AppVersion);
        KubeVersion = Sanitize(KubeVersion);
        SanitizeAll(Sources);
        SanitizeAll(Keywords);

        if (ApiVersion.Length == 0)
        {
            throw Invalid("chart.metadata.apiVersion is required");
        }

        if (Name.Length == 0)
        {
            throw Invalid("chart.metadata.name is required");
        }

        if (Name != Path.GetFileName(Name) || Name is "." or "..")
        {
            throw Invalid($"chart.metadata.name \"{Name}\" is invalid");
        }

        if (Version.Length == 0)
        {
            throw Invalid("chart.metadata.version is required");
        }

        if (!SemverVersion.TryParse(Version, out _))
        {
            throw Invalid($"chart.metadata.version \"{Version}\" is invalid");
        }

        if (Type is not ("" or "application" or "library"))
        {
            throw Invalid("chart.metadata.type must be application or library");
        }

        foreach (var m in Maintainers ?? [])
        {
            if (m is null)
            {
                throw Invalid("maintainers must not contain empty or null nodes");
            }

            m.Name = Sanitize(m.Name);
            m.Email = Sanitize(m.Email);
            m.Url = Sanitize(m.Url);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in Dependencies ?? [])
        {
            if (d is null)
            {
                throw Invalid("dependencies must not contain empty or null nodes");
            }

            d.Validate();
            var key = d.Alias.Length > 0 ? d.Alias : d.Name;
            if (!seen.Add(key))
            {
                throw Invalid($"more than one dependency with name or alias \"{key}\"");
            }
        }
    }

    internal static HelmException Invalid(string message) => new("validation: " + message);

    /// <summary>Helm's sanitizeString: white space becomes a space, non-printable characters are dropped.</summary>
    internal static string Sanitize(string s)
    {
        var clean = true;
        foreach (var c in s)
        {
            if (c != ' ' && (char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                sb.Append(' ');
            }
            else if (!Rune.IsControl(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse))
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }

    private static void SanitizeAll(List<string>? list)
    {
        if (list is null)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            list[i] = Sanitize(list[i]);
        }
    }

    // ---- sigs.k8s.io/yaml into a Go struct: scalars become strings when the field is a string ----

    internal static string Str(JsonNode? node, string file, string field)
    {
        switch (node)
        {
            case null:
                return "";
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case System.Text.Json.JsonValueKind.String:
                        return v.GetValue<string>();
                    case System.Text.Json.JsonValueKind.True:
                        return "true";
                    case System.Text.Json.JsonValueKind.False:
                        return "false";
                    case System.Text.Json.JsonValueKind.Number:
                        return NumberAsString(v.GetValue<double>());
                }

                break;
        }

        throw Mismatch(file, node, field, "string");
    }

    // sigs.k8s.io/yaml formats a YAML int into a string field with FormatInt and a float with %g at float32 precision.
    private static string NumberAsString(double d) =>
        Math.Abs(d) < 1e15 && d == Math.Floor(d)
            ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : GoFmt.Sprintf("%v", (float)d);

    internal static List<string>? StrList(JsonNode? node, string file, string field)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray arr:
                return arr.Select(n => Str(n, file, field)).ToList();
            default:
                throw Mismatch(file, node, field, "[]string");
        }
    }

    private static bool Bool(JsonNode? node, string file, string field) => node switch
    {
        null => false,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False => false,
        _ => throw Mismatch(file, node, field, "bool"),
    };

    private static Dictionary<string, string>? StrMap(JsonNode? node, string file, string field)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
            {
                var map = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in obj)
                {
                    map[k] = Str(v, file, field);
                }

                return map;
            }

            default:
                throw Mismatch(file, node, field, "map[string]string");
        }
    }

    /// <summary>A list of structs as Go's decoder reads it: null items stay null, anything else is a type error.</summary>
    internal static List<T?>? ReadList<T>(JsonNode? node, string file, string field, string goType, Func<JsonObject, string, T> read)
        where T : class => node switch
        {
            null => null,
            JsonArray arr => arr.Select(n => n switch
            {
                null => null,
                JsonObject o => read(o, file),
                _ => throw Mismatch(file, n, field, goType),
            }).ToList(),
            _ => throw Mismatch(file, node, field, "[]*" + goType),
        };

    internal static HelmException Mismatch(string file, JsonNode? node, string field, string type)
    {
        var kind = node switch
        {
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v => v.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => "string",
                System.Text.Json.JsonValueKind.Number => "number",
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "bool",
                _ => "value",
            },
            _ => "null",
        };
        var where = field.Length == 0 ? "Go value" : $"Go struct field .{field}";
        return new HelmException($"cannot load {file}: error unmarshaling JSON: json: cannot unmarshal {kind} into {where} of type {type}", file);
    }
}

/// <summary>A chart maintainer (chart.Maintainer).</summary>
internal sealed class ChartMaintainer : IGoValue
{
    private static readonly GoTypeBuilder Builder = new("chart.Maintainer");

    private static readonly GoType StructType = Builder
        .Field("Name", GoType.String, o => ((ChartMaintainer)o).Name, "name", omitEmpty: true)
        .Field("Email", GoType.String, o => ((ChartMaintainer)o).Email, "email", omitEmpty: true)
        .Field("URL", GoType.String, o => ((ChartMaintainer)o).Url, "url", omitEmpty: true)
        .Build();

    public static GoType PointerType => Builder.PointerType;

    public string Name { get; set; } = "";

    public string Email { get; set; } = "";

    public string Url { get; set; } = "";

    public GoType GoType => GoType.PointerTo(StructType);

    public static ChartMaintainer Read(JsonObject obj, string file)
    {
        var m = new ChartMaintainer();
        foreach (var (key, value) in obj)
        {
            switch (key.ToLowerInvariant())
            {
                case "name": m.Name = ChartMetadata.Str(value, file, "name"); break;
                case "email": m.Email = ChartMetadata.Str(value, file, "email"); break;
                case "url": m.Url = ChartMetadata.Str(value, file, "url"); break;
            }
        }

        return m;
    }
}

/// <summary>A dependency in Chart.yaml or requirements.yaml (chart.Dependency).</summary>
internal sealed partial class ChartDependency : IGoValue
{
    private static readonly GoTypeBuilder Builder = new("chart.Dependency");

    private static readonly GoType StructType = Builder
        .Field("Name", GoType.String, o => ((ChartDependency)o).Name, "name")
        .Field("Version", GoType.String, o => ((ChartDependency)o).Version, "version", omitEmpty: true)
        .Field("Repository", GoType.String, o => ((ChartDependency)o).Repository, "repository")
        .Field("Condition", GoType.String, o => ((ChartDependency)o).Condition, "condition", omitEmpty: true)
        .Field("Tags", GoType.SliceOfString, o => ((ChartDependency)o).Tags is { } t ? t : GoType.SliceOfString.Nil, "tags", omitEmpty: true)
        .Field("Enabled", GoType.Bool, o => ((ChartDependency)o).Enabled, "enabled", omitEmpty: true)
        .Field("ImportValues", GoType.SliceOfInterface, o => ((ChartDependency)o).ImportValues is { } iv ? iv : GoType.SliceOfInterface.Nil, "import-values", omitEmpty: true)
        .Field("Alias", GoType.String, o => ((ChartDependency)o).Alias, "alias", omitEmpty: true)
        .Build();

    public static GoType PointerType => Builder.PointerType;

    public string Name { get; set; } = "";

    public string Version { get; set; } = "";

    public string Repository { get; set; } = "";

    public string Condition { get; set; } = "";

    public List<string>? Tags { get; set; }

    public bool Enabled { get; set; }

    /// <summary>Strings (exports.X shorthand) and {child, parent} maps, as read from YAML.</summary>
    public List<object?>? ImportValues { get; set; }

    public string Alias { get; set; } = "";

    public GoType GoType => GoType.PointerTo(StructType);

    public ChartDependency Copy()
    {
        var d = (ChartDependency)MemberwiseClone();
        d.Tags = Tags?.ToList();
        d.ImportValues = ImportValues?.ToList();
        return d;
    }

    public static ChartDependency Read(JsonObject obj, string file)
    {
        var d = new ChartDependency();
        foreach (var (key, value) in obj)
        {
            switch (key.ToLowerInvariant())
            {
                case "name": d.Name = ChartMetadata.Str(value, file, "name"); break;
                case "version": d.Version = ChartMetadata.Str(value, file, "version"); break;
                case "repository": d.Repository = ChartMetadata.Str(value, file, "repository"); break;
                case "condition": d.Condition = ChartMetadata.Str(value, file, "condition"); break;
                case "tags": d.Tags = ChartMetadata.StrList(value, file, "tags"); break;
                case "enabled":
                    d.Enabled = value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True;
                    break;
                case "import-values":
                    d.ImportValues = value switch
                    {
                        null => null,
                        JsonArray arr => arr.Select(GoValues.FromJson).ToList(),
                        _ => throw ChartMetadata.Mismatch(file, value, "import-values", "[]interface {}"),
                    };
                    break;
                case "alias": d.Alias = ChartMetadata.Str(value, file, "alias"); break;
            }
        }

        return d;
    }

    public void Validate()
    {
        Name = ChartMetadata.Sanitize(Name);
        Version = ChartMetadata.Sanitize(Version);
        Repository = ChartMetadata.Sanitize(Repository);
        Condition = ChartMetadata.Sanitize(Condition);
        if (Tags is not null)
        {
            for (var i = 0; i < Tags.Count; i++)
            {
                Tags[i] = ChartMetadata.Sanitize(Tags[i]);
            }
        }

        if (Alias.Length > 0 && !AliasFormat().IsMatch(Alias))
        {
            throw ChartMetadata.Invalid($"dependency \"{Name}\" has disallowed characters in the alias");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex AliasFormat();
}
