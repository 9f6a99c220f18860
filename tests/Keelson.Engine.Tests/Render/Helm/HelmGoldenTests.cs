using System.Text.Json.Nodes;
using Keelson.Engine.Render.Helm;
using Keelson.Kubernetes.Yaml;
using Keelson.Templating;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// Every case of Helm's own `helm template` tests (../shared/fixtures/helm): rendered here, the output must be
/// byte for byte Helm 4's golden and, where one exists, Helm 3's; error cases must fail with Helm's message.
/// </summary>
public sealed class HelmGoldenTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in HelmFixtures.Cases().OfType<JsonObject>())
        {
            var name = (string)c["name"]!;
            data.Add(name, 4);
            if (c["alternates"]!.AsArray().OfType<JsonObject>().Any(a => ((string)a["helmVersion"]!).StartsWith('3')))
            {
                data.Add(name, 3);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_renders_exactly_as_helm_template(string name, int helmVersion)
    {
        var c = HelmFixtures.Case(name);
        var expected = HelmFixtures.Expected(c, helmVersion);
        var options = HelmFixtures.Options(c, helmVersion);
        var renderer = new HelmRenderer();

        if ((bool)c["expectError"]!)
        {
            var e = await Assert.ThrowsAsync<HelmException>(() => RenderAsync(renderer, c, options));
            Assert.Equal(HelmFixtures.WithoutDebugHint(expected), "Error: " + e.Message + "\n");
            return;
        }

        var output = await RenderAsync(renderer, c, options);
        Assert.Equal(expected, output);
    }

    private static async Task<string> RenderAsync(HelmRenderer renderer, JsonObject c, HelmRenderOptions options)
    {
        var release = await renderer.RenderAsync(HelmFixtures.ChartPath(c), options, TestContext.Current.CancellationToken);
        return HelmTemplateOutput.Format(release, HelmFixtures.SkipTests(c), HelmFixtures.ShowOnly(c));
    }

    public static TheoryData<int, int> Vectors()
    {
        var data = new TheoryData<int, int>();
        var vectors = FunctionVectors();
        for (var i = 0; i < vectors.Count; i++)
        {
            data.Add(i, 4);
            if ((string?)vectors[i]!["helm"] != "4.x only")
            {
                data.Add(i, 3);
            }
        }

        return data;
    }

    /// <summary>Helm's function-level vectors (engine-vectors/funcs.json): Helm's function map over plain Go templates.</summary>
    [Theory]
    [MemberData(nameof(Vectors))]
    public void Function_vector_gives_helms_output(int index, int helmVersion)
    {
        var v = FunctionVectors()[index]!.AsObject();
        var template = (string)v["tpl"]!;
        var data = GoValues.FromJson(v["data"]);
        var version = helmVersion == 4 ? HelmVersion.V4 : HelmVersion.V3;
        if ((bool?)v["expectError"] == true)
        {
            Assert.ThrowsAny<Exception>(() => HelmEngine.ExecuteStandalone(template, data, version));
            return;
        }

        Assert.Equal((string)v["expect"]!, HelmEngine.ExecuteStandalone(template, data, version));
    }

    private static JsonArray FunctionVectors() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(HelmFixtures.Root, "engine-vectors", "funcs.json")))!["vectors"]!.AsArray();

    [Fact]
    public void The_merge_vector_leaves_the_merged_destination_helm_asserts()
    {
        var v = FunctionVectors().OfType<JsonObject>().Single(x => x["expectDst"] is not null);
        var data = (Dictionary<string, object?>)GoValues.FromJson(v["data"])!;
        HelmEngine.ExecuteStandalone((string)v["tpl"]!, data, HelmVersion.V4);
        Assert.Equal(KubeYaml.JsonToNode(GoJson.Marshal(GoValues.FromJson(v["expectDst"])))!.ToJsonString(), KubeYaml.JsonToNode(GoJson.Marshal(data["dst"]))!.ToJsonString());
    }
}
