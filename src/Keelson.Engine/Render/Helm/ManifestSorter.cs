using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Engine.Render.Helm;

/// <summary>The head of a manifest Helm reads to sort it (releaseutil.SimpleHead).</summary>
internal sealed record ManifestHead(string ApiVersion, string Kind, string Name, IReadOnlyDictionary<string, string> Annotations);

/// <summary>A rendered document that is not a hook, named by its template path.</summary>
internal sealed record SortedManifest(string Name, string Content, ManifestHead Head);

/// <summary>A hook document with its events and weight.</summary>
internal sealed record SortedHook(string Name, string Kind, string Path, string Manifest, IReadOnlyList<string> Events, int Weight, IReadOnlyList<string> DeletePolicies, ManifestHead Head);

/// <summary>
/// Splits rendered templates into documents and sorts them as Helm does (releaseutil.SortManifests): files by
/// path, documents by position, then a stable sort by kind in install order; hooks apart, sorted the same way.
/// </summary>
internal static partial class ManifestSorter
{
    public const string HookAnnotation = "helm.sh/hook";
    public const string HookWeightAnnotation = "helm.sh/hook-weight";
    public const string HookDeleteAnnotation = "helm.sh/hook-delete-policy";

    private static readonly HashSet<string> HookEvents = new(StringComparer.Ordinal)
    {
        "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
        "pre-rollback", "post-rollback", "test",
    };

    /// <summary>
    /// releaseutil.SplitManifests. Helm 3 splits on <c>---</c> with the white space around it and trims every
    /// document; Helm 4 splits only on a line that is <c>---</c> and keeps each document's trailing white space.
    /// </summary>
    public static List<string> Split(string text, HelmVersion version)
    {
        var docs = new List<string>();
        if (version == HelmVersion.V4)
        {
            foreach (var d in SeparatorV4().Split(text.TrimStart()))
            {
                if (d.Trim().Length == 0)
                {
                    continue;
                }

                docs.Add(d.TrimStart());
            }
        }
        else
        {
            foreach (var d in SeparatorV3().Split(text.Trim()))
            {
                if (d.Length == 0)
                {
                    continue;
                }

                docs.Add(d.Trim());
            }
        }

        return docs;
    }

    [GeneratedRegex(@"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")]
    private static partial Regex SeparatorV3();

    [GeneratedRegex(@"^---(?:[ \t]+|\r?$)", RegexOptions.Multiline)]
    private static partial Regex SeparatorV4();

    /// <summary>SortManifests over rendered files (template path → output).</summary>
    public static (List<SortedManifest> Manifests, List<SortedHook> Hooks) Sort(IReadOnlyDictionary<string, string> files, HelmVersion version, List<string> warnings, RenderCache? cache = null)
    {
        var generic = new List<SortedManifest>();
        var hooks = new List<SortedHook>();
        foreach (var path in files.Keys.Order(StringComparer.Ordinal))
        {
            var content = files[path];
            if (BaseName(path).StartsWith('_') || content.Trim().Length == 0)
            {
                continue;
            }

            foreach (var m in Split(content, version))
            {
                var head = cache is null ? ReadHead(m, path) : cache.Head(m, text => ReadHead(text, path));
                if (head.Annotations.Count == 0 || !head.Annotations.TryGetValue(HookAnnotation, out var hookTypes))
                {
                    generic.Add(new SortedManifest(path, m, head));
                    continue;
                }

                var events = new List<string>();
                var unknown = false;
                foreach (var raw in hookTypes.Split(','))
                {
                    var ev = raw.Trim().ToLowerInvariant();
                    if (ev == "test-success")
                    {
                        ev = "test";
                    }

                    if (!HookEvents.Contains(ev))
                    {
                        unknown = true;
                        break;
                    }

                    events.Add(ev);
                }

                if (unknown)
                {
                    warnings.Add($"skipping unknown hooks: \"{hookTypes}\"");
                    continue;
                }

                var weight = head.Annotations.TryGetValue(HookWeightAnnotation, out var w) && int.TryParse(w, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
                var policies = head.Annotations.TryGetValue(HookDeleteAnnotation, out var dp)
                    ? dp.Split(',').Select(p => p.Trim().ToLowerInvariant()).ToList()
                    : [];
                hooks.Add(new SortedHook(head.Name, head.Kind, path, m, events, weight, policies, head));
            }
        }

        return (SortByKind(generic, m => m.Head.Kind), SortByKind(hooks, h => h.Kind));
    }

    private static List<T> SortByKind<T>(List<T> items, Func<T, string> kind)
    {
        // OrderBy is a stable sort.
        return items.OrderBy(kind, Comparer<string>.Create(CompareKinds)).ToList();
    }

    // Kinds Helm does not list come last, alphabetically; Helm compares kinds alone, whatever their group.
    private static int CompareKinds(string a, string b)
    {
        var aKnown = KindOrder.TryGetInstallRank(a, out var ia);
        var bKnown = KindOrder.TryGetInstallRank(b, out var ib);
        if (!aKnown && !bKnown)
        {
            return string.CompareOrdinal(a, b);
        }

        if (!aKnown)
        {
            return 1;
        }

        if (!bKnown)
        {
            return -1;
        }

        return ia.CompareTo(ib);
    }

    private static string BaseName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Reads apiVersion, kind, metadata.name and annotations; a document that is not YAML is an error naming the file.</summary>
    public static ManifestHead ReadHead(string manifest, string path)
    {
        JsonNode? node;
        try
        {
            node = KubeYaml.Parse(manifest, ChartLoader.FirstDocument);
        }
        catch (YamlException e)
        {
            throw new HelmException($"YAML parse error on {path}: error converting YAML to JSON: {ChartLoader.YamlMessage(e)}", path, e.Line, e.Column, e);
        }

        if (node is null)
        {
            return new ManifestHead("", "", "", new Dictionary<string, string>());
        }

        if (node is not JsonObject obj)
        {
            throw new HelmException($"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {Kind(node)} into Go value of type releaseutil.SimpleHead", path);
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = "";
        try
        {
            if (obj["metadata"] is JsonObject md)
            {
                name = ChartMetadata.Str(md["name"], path, "metadata.name");
                if (md["annotations"] is JsonObject ann)
                {
                    foreach (var (k, v) in ann)
                    {
                        annotations[k] = ChartMetadata.Str(v, path, "metadata.annotations");
                    }
                }
                else if (md["annotations"] is { } bad)
                {
                    throw ChartMetadata.Mismatch(path, bad, "metadata.annotations", "map[string]string");
                }
            }
            else if (obj["metadata"] is { } badMeta)
            {
                throw ChartMetadata.Mismatch(path, badMeta, "metadata", "struct");
            }

            return new ManifestHead(ChartMetadata.Str(obj["apiVersion"], path, "apiVersion"), ChartMetadata.Str(obj["kind"], path, "kind"), name, annotations);
        }
        catch (HelmException e) when (e.InnerException is null)
        {
            throw new HelmException($"YAML parse error on {path}: " + e.Message.Replace($"cannot load {path}: ", "", StringComparison.Ordinal), path);
        }
    }

    private static string Kind(JsonNode node) => node switch
    {
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.Number => "number",
            _ => "bool",
        },
    };
}
