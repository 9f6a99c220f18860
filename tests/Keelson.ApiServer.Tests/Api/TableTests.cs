using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Api;

public sealed class TableTests(Simulator sim) : IClassFixture<Simulator>
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private HttpClient Client => sim.Client;

    private static List<string> Columns(JsonObject table) =>
        table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Built_in_kinds_have_kubectls_columns()
    {
        var ns = await sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", replicas: 2));
        var response = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", TableAccept)).EnsureStatus(HttpStatusCode.OK);
        var table = response.Object;
        Assert.Equal("Table", table.Field("kind"));
        Assert.Equal("meta.k8s.io/v1", table.Field("apiVersion"));
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], Columns(table));
        Assert.Equal("1", table["columnDefinitions"]![5]!["priority"]!.ToJsonString());
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("web", cells[0]!.GetValue<string>());
        Assert.Matches("^[0-2]/2$", cells[1]!.GetValue<string>());
        Assert.Equal("main", cells[5]!.GetValue<string>());
        Assert.Equal("app=web", cells[7]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", table["rows"]![0]!["object"]!.Field("kind"));

        var configMaps = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps", TableAccept)).Object;
        Assert.Equal(["Name", "Data", "Age"], Columns(configMaps));
    }

    [Fact]
    public async Task Include_object_controls_what_rows_carry()
    {
        var ns = await sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("x", new Dictionary<string, string> { ["a"] = "b" }));
        var full = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/x?includeObject=Object", TableAccept)).Object;
        Assert.Equal("b", full["rows"]![0]!["object"]!.Field("data.a"));
        var none = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/x?includeObject=None", TableAccept)).Object;
        Assert.Null(none["rows"]![0]!["object"]);
    }

    [Fact]
    public async Task Age_is_printed_like_kubectl_prints_it()
    {
        Assert.Equal("5s", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromSeconds(5)));
        Assert.Equal("119s", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromSeconds(119)));
        Assert.Equal("2m3s", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromSeconds(123)));
        Assert.Equal("15m", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromMinutes(15.5)));
        Assert.Equal("5h10m", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromMinutes(310)));
        Assert.Equal("3d12h", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromHours(84)));
        Assert.Equal("400d", Keelson.ApiServer.Api.Tables.Cells.HumanDuration(TimeSpan.FromDays(400)));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Partial_object_metadata_lists_carry_only_metadata()
    {
        var ns = await sim.NewNamespaceAsync();
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("meta", new Dictionary<string, string> { ["a"] = "b" }));
        var list = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")).Object;
        Assert.Equal("PartialObjectMetadataList", list.Field("kind"));
        var item = list["items"]!.AsArray().First(i => i.Field("metadata.name") == "meta")!;
        Assert.Null(item["data"]);
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps", "application/vnd.kubernetes.protobuf")).EnsureStatus(HttpStatusCode.NotAcceptable);
    }
}
