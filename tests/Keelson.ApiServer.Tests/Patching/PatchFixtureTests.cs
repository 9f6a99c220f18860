using System.Text.Json.Nodes;
using Keelson.ApiServer.Patching;

namespace Keelson.ApiServer.Tests.Patching;

/// <summary>Strategic merge patch, JSON patch and JSON merge patch cases from testdata/patching.</summary>
public sealed class PatchFixtureTests
{
    public static TheoryData<string> StrategicCases => Fixtures.Cases("strategic");

    public static TheoryData<string> JsonPatchCases => Fixtures.Cases("jsonpatch");

    public static TheoryData<string> MergePatchCases => Fixtures.Cases("mergepatch");

    [Theory]
    [MemberData(nameof(StrategicCases))]
    public void Strategic_merge_patch(string id)
    {
        var fixture = Fixtures.Case("strategic", id);
        var original = fixture["original"]!.AsObject();
        var patch = fixture["patch"]!.AsObject();
        Check(fixture, id, () => StrategicMergePatch.Apply(original, patch, Fixtures.Schema(fixture)), original, patch);
    }

    [Theory]
    [MemberData(nameof(JsonPatchCases))]
    public void Json_patch(string id)
    {
        var fixture = Fixtures.Case("jsonpatch", id);
        var doc = fixture["doc"];
        var patch = fixture["patch"]!.AsArray();
        Check(fixture, id, () => JsonPatch.Apply(doc, patch), doc, patch);
    }

    [Theory]
    [MemberData(nameof(MergePatchCases))]
    public void Json_merge_patch(string id)
    {
        var fixture = Fixtures.Case("mergepatch", id);
        var doc = fixture["doc"];
        var patch = fixture["patch"];
        Check(fixture, id, () => JsonMergePatch.Apply(doc, patch), doc, patch);
    }

    private static void Check(JsonObject fixture, string id, Func<JsonNode?> act, params JsonNode?[] inputs)
    {
        var before = inputs.Select(i => i?.ToJsonString()).ToList();
        if (fixture["expectError"] is JsonObject error)
        {
            var ex = Assert.Throws<PatchException>(() => act());
            Assert.Equal((int?)error["code"], ex.Code);
            Assert.Equal((string?)error["message"], ex.Message);
            if (error["statusMessage"] is JsonNode statusMessage)
            {
                Assert.Equal((string?)statusMessage, ex.StatusMessage);
            }
        }
        else
        {
            Fixtures.AssertJsonEqual(fixture["expected"], act(), $"{id}: result");
        }

        // Patching never modifies its inputs.
        Assert.Equal(before, inputs.Select(i => i?.ToJsonString()).ToList());
    }
}
