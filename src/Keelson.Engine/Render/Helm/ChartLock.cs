using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Chart.lock (requirements.lock for apiVersion v1), Helm's chart.Lock: the exact versions <c>helm dependency update</c>
/// chose for Chart.yaml's dependencies, and a digest of both lists that <c>helm dependency build</c> checks before it
/// installs those versions.
/// </summary>
internal sealed class ChartLock
{
    public ChartLock(string digest, IReadOnlyList<ChartDependency?>? dependencies)
    {
        Digest = digest;
        Dependencies = dependencies;
    }

    public string Digest { get; }

    /// <summary>Null when the file has none (encoding/json writes a nil slice as null, which changes the digest).</summary>
    public IReadOnlyList<ChartDependency?>? Dependencies { get; }

    /// <summary>
    /// Reads a lock file as sigs.k8s.io/yaml would unmarshal it into chart.Lock (<c>generated</c> is not used); null for
    /// an empty file, which leaves Helm's chart without a lock (so missing dependencies are resolved, not refused).
    /// </summary>
    public static ChartLock? Read(JsonNode? node, string file)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject obj)
        {
            throw ChartMetadata.Mismatch(file, node, "", "chart.Lock");
        }

        var digest = "";
        List<ChartDependency?>? dependencies = null;
        foreach (var (key, value) in obj)
        {
            // encoding/json matches field names case-insensitively.
            switch (key.ToLowerInvariant())
            {
                case "digest": digest = ChartMetadata.Str(value, file, "digest"); break;
                case "dependencies": dependencies = ChartMetadata.ReadList(value, file, "dependencies", "chart.Dependency", ChartDependency.Read); break;
            }
        }

        return new ChartLock(digest, dependencies);
    }

    /// <summary>
    /// Helm's resolver.HashReq: "sha256:" and the hex SHA-256 of encoding/json's form of [requirements, locked] (struct
    /// fields in chart.Dependency's order, empty ones omitted, &lt; &gt; &amp; escaped). Checked against lock files
    /// written by Helm (tests/.../testdata/charts/rabbitmq/Chart.lock).
    /// </summary>
    public static string Hash(IReadOnlyList<ChartDependency?>? requirements, IReadOnlyList<ChartDependency?>? locked) =>
        Sha256(GoJson.Marshal(new List<object?> { AsSlice(requirements), AsSlice(locked) }));

    /// <summary>Helm's resolver.HashV2Req: the digest Helm 2 wrote into requirements.lock, of {"dependencies": requirements}.</summary>
    public static string HashV2(IReadOnlyList<ChartDependency?>? requirements) =>
        Sha256(GoJson.Marshal(new Dictionary<string, object?>(StringComparer.Ordinal) { ["dependencies"] = AsSlice(requirements) }));

    /// <summary>
    /// Why <c>helm dependency build</c> would refuse this lock for <paramref name="metadata"/> (Helm's own message), or
    /// null when the digest matches. Helm hashes the dependencies after replacing "@name" repositories with the URLs
    /// of its repositories.yaml, which Keelson does not have, so a chart naming one is not checked (null): it cannot
    /// render anyway, and the renderer says which dependency is missing.
    /// </summary>
    public string? OutOfSync(ChartMetadata metadata)
    {
        var requirements = metadata.Dependencies;
        if (requirements is not null && requirements.Any(d => d is not null && (d.Repository.StartsWith('@') || d.Repository.StartsWith("alias:", StringComparison.Ordinal))))
        {
            return null;
        }

        if (Hash(requirements, Dependencies) == Digest)
        {
            return null;
        }

        // A v1 chart's lock may have been written by Helm 2, which hashed only the requirements.
        return metadata.ApiVersion == ChartMetadata.ApiVersionV1
            ? HashV2(requirements) == Digest
                ? null
                : "the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies"
            : "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies";
    }

    /// <summary>
    /// The locked entry for the requirement at <paramref name="index"/> of Chart.yaml's list: Helm's resolver writes
    /// one locked entry per requirement, in the same order; by name when the lists do not line up.
    /// </summary>
    public ChartDependency? Locked(int index, string name)
    {
        var locked = Dependencies ?? [];
        if (index < locked.Count && locked[index] is { } same && same.Name == name)
        {
            return same;
        }

        return locked.FirstOrDefault(d => d is not null && d.Name == name);
    }

    private static List<object?>? AsSlice(IReadOnlyList<ChartDependency?>? dependencies) => dependencies?.Cast<object?>().ToList();

    private static string Sha256(string json) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}
