using System.Text.Json.Nodes;
using Keelson.Engine.Render.Helm;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>Helm's own golden cases from ../shared/fixtures/helm (cases.json), read in place.</summary>
internal static class HelmFixtures
{
    public static string Root
    {
        get
        {
            var root = Path.Combine(RepoPaths.Shared, "fixtures", "helm");
            return File.Exists(Path.Combine(root, "cases.json"))
                ? root
                : throw new FileNotFoundException($"Helm's golden cases are missing: expected {root}/cases.json (the team's shared fixtures).");
        }
    }

    public static JsonArray Cases() => (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "cases.json")))!;

    public static JsonObject Case(string name) =>
        Cases().OfType<JsonObject>().Single(c => (string)c["name"]! == name);

    /// <summary>The golden for a case and Helm version (4 is the primary golden, 3 an alternate).</summary>
    public static string Expected(JsonObject c, int helmVersion)
    {
        var path = helmVersion == 4
            ? (string)c["expected"]!
            : (string)c["alternates"]!.AsArray().OfType<JsonObject>().Single(a => ((string)a["helmVersion"]!).StartsWith('3'))["expected"]!;
        return File.ReadAllText(Path.Combine(Root, path));
    }

    public static string ChartPath(JsonObject c) => Path.Combine(Root, (string)c["chart"]!);

    /// <summary>The render options the case's flags stand for, with the case's default Kubernetes version.</summary>
    public static HelmRenderOptions Options(JsonObject c, int helmVersion)
    {
        var flags = (JsonObject)c["flags"]!;
        return new HelmRenderOptions
        {
            ReleaseName = (string)c["releaseName"]!,
            NameTemplate = (string?)flags["nameTemplate"],
            Namespace = (string)c["namespace"]!,
            HelmVersion = helmVersion == 4 ? HelmVersion.V4 : HelmVersion.V3,
            ValuesFiles = c["valuesFiles"]!.AsArray().Select(v => (string)v!).Select(v => new HelmValuesFile(v, File.ReadAllText(Path.Combine(Root, v)))).ToList(),
            Set = c["set"]!.AsArray().Select(v => (string)v!).ToList(),
            SetString = c["setString"]!.AsArray().Select(v => (string)v!).ToList(),
            KubeVersion = (string?)flags["kubeVersion"],
            DefaultKubeVersion = (string)c["capabilities"]!["kubeVersion"]!,
            ApiVersions = flags["apiVersions"]?.AsArray().Select(v => (string)v!).ToList() ?? [],
            IncludeCrds = (bool?)flags["includeCrds"] ?? false,
        };
    }

    public static bool SkipTests(JsonObject c) => (bool?)c["flags"]!["skipTests"] ?? false;

    public static List<string> ShowOnly(JsonObject c) => c["flags"]!["showOnly"]?.AsArray().Select(v => (string)v!).ToList() ?? [];

    /// <summary>Helm appends this hint for its --debug flag, which Keelson's render does not have.</summary>
    public static string WithoutDebugHint(string golden) =>
        golden.Replace("\n\nUse --debug flag to render out invalid YAML\n", "\n", StringComparison.Ordinal);
}
