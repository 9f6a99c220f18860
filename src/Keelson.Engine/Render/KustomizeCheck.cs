using System.Text.Json.Nodes;

namespace Keelson.Engine.Render;

/// <summary>
/// What kustomize's load restrictor does not cover. It keeps files inside each kustomization's root, but bases and
/// components are other kustomization directories, which it loads from anywhere on disk (another repository's
/// checkout included), and it fetches git and http references over the network. This walks the kustomizations
/// reachable from the app directory and refuses references that leave the repository or, unless allowed, are remote.
/// A kustomization this cannot parse is left to kustomize, which reports it better.
/// </summary>
internal static class KustomizeCheck
{
    private const int MaxKustomizations = 500;
    private const long MaxKustomizationBytes = 1024 * 1024;

    // Fields whose entries name directories (other kustomizations) or files.
    private static readonly string[] ListFields =
    [
        "resources", "bases", "components", "generators", "transformers", "validators", "crds", "configurations",
        "patchesStrategicMerge",
    ];

    public static void Run(RepoTree tree, string appDirectory, bool allowRemote)
    {
        var pending = new Queue<string>([appDirectory]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { appDirectory };
        while (pending.Count > 0)
        {
            var directory = pending.Dequeue();
            CheckLinks(tree, directory);
            var file = KustomizeRenderer.Find(directory);
            if (file is null || new FileInfo(file).Length > MaxKustomizationBytes)
            {
                continue;
            }

            JsonObject? kustomization;
            try
            {
                var documents = ManifestYaml.ParseDocuments(File.ReadAllText(file));
                kustomization = documents.Count > 0 ? documents[0] as JsonObject : null;
            }
            catch (YamlSyntaxException)
            {
                continue;
            }

            if (kustomization is null)
            {
                continue;
            }

            var where = tree.Relative(file);
            foreach (var (field, reference) in References(kustomization))
            {
                var next = Check(tree, directory, where, field, reference, allowRemote);
                if (next is not null && seen.Add(next))
                {
                    if (seen.Count > MaxKustomizations)
                    {
                        throw new RenderException($"{where}: more than {MaxKustomizations} kustomizations are reachable from '{tree.Relative(appDirectory)}'.", where);
                    }

                    pending.Enqueue(next);
                }
            }
        }
    }

    // kustomize reads the kustomization file itself without the load restrictor, and its errors quote what it read:
    // a kustomization.yaml linked to a file elsewhere would leak that file into the Application's status.
    private static void CheckLinks(RepoTree tree, string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null && !tree.Contains(RepoTree.RealPath(entry.FullName)))
            {
                var where = tree.Relative(entry.FullName);
                throw new RenderException($"{where}: symbolic link points outside the repository (to {entry.LinkTarget}).", where);
            }
        }
    }

    /// <summary>Returns the real directory to visit next when the reference is a local directory.</summary>
    private static string? Check(RepoTree tree, string directory, string where, string field, string reference, bool allowRemote)
    {
        var local = Path.IsPathRooted(reference) ? reference : Path.Join(directory, reference);
        var real = RepoTree.RealPath(local);
        var exists = File.Exists(real) || Directory.Exists(real);
        if (!exists && LooksRemote(reference))
        {
            return allowRemote
                ? null
                : throw new RenderException(
                    $"{where}: {field} entry '{reference}' is remote; Keelson renders Kustomize without network access. Vendor it into the repository (or ask the operator to allow remote bases).",
                    where);
        }

        if (Path.IsPathRooted(reference))
        {
            throw new RenderException($"{where}: {field} entry '{reference}' is an absolute path; paths in a kustomization must be relative.", where);
        }

        if (!tree.Contains(real))
        {
            throw new RenderException($"{where}: {field} entry '{reference}' points outside the repository.", where);
        }

        return Directory.Exists(real) ? real : null;
    }

    private static IEnumerable<(string Field, string Reference)> References(JsonObject kustomization)
    {
        foreach (var field in ListFields)
        {
            foreach (var entry in Strings(kustomization[field]))
            {
                // generators/transformers may hold inline configuration instead of a path.
                if (!entry.Contains('\n', StringComparison.Ordinal))
                {
                    yield return (field, entry);
                }
            }
        }

        foreach (var field in new[] { "patches", "patchesJson6902", "replacements" })
        {
            foreach (var item in (kustomization[field] as JsonArray) ?? [])
            {
                if (item is JsonObject o && Text(o["path"]) is { } path)
                {
                    yield return (field, path);
                }
            }
        }

        foreach (var field in new[] { "configMapGenerator", "secretGenerator" })
        {
            foreach (var item in (kustomization[field] as JsonArray) ?? [])
            {
                if (item is not JsonObject generator)
                {
                    continue;
                }

                // files may be "key=path"; envs and env are paths.
                foreach (var entry in Strings(generator["files"]))
                {
                    var eq = entry.IndexOf('=', StringComparison.Ordinal);
                    yield return (field, eq >= 0 ? entry[(eq + 1)..] : entry);
                }

                foreach (var entry in Strings(generator["envs"]).Concat(Text(generator["env"]) is { } env ? [env] : []))
                {
                    yield return (field, entry);
                }
            }
        }

        if (kustomization["openapi"] is JsonObject openapi && Text(openapi["path"]) is { } schema)
        {
            yield return ("openapi", schema);
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        (node as JsonArray)?.Select(Text).OfType<string>().Where(s => s.Length > 0) ?? [];

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // kustomize's remote forms: URLs with a scheme, scp-like git ("git@host:org/repo"), and host-first paths
    // ("github.com/org/repo//dir?ref=v1").
    private static bool LooksRemote(string reference) =>
        reference.Contains("://", StringComparison.Ordinal)
        || reference.StartsWith("git@", StringComparison.Ordinal)
        || reference.StartsWith("github.com/", StringComparison.Ordinal)
        || reference.StartsWith("gitlab.com/", StringComparison.Ordinal)
        || reference.StartsWith("bitbucket.org/", StringComparison.Ordinal)
        || reference.Contains("?ref=", StringComparison.Ordinal)
        || reference.Contains(".git//", StringComparison.Ordinal);
}
