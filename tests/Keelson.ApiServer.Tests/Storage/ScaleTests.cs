using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Storage;

/// <summary>The sizes the simulator must hold comfortably: 10,000 objects and 200 open watches (speed is benchmarked elsewhere).</summary>
public sealed class ScaleTests
{
    [Fact]
    public async Task Ten_thousand_objects_list_completely_and_two_hundred_watches_all_see_a_change()
    {
        await using var sim = await Simulator.StartAsync(new ApiServerOptions { EnableControllers = false, PublishNamespaceDefaults = false });
        var ns = await sim.NewNamespaceAsync();
        var type = sim.Host.Objects.Registry.Find("", "v1", "configmaps")!;
        for (var i = 0; i < 10_000; i++)
        {
            sim.Host.Objects.Create(type, ns, Manifests.ConfigMap($"cm-{i:D5}", new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }), new WriteOptions { FieldManager = "scale" });
        }

        var list = (await sim.Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps")).EnsureStatus(HttpStatusCode.OK).Object;
        var items = list["items"]!.AsArray();
        Assert.Equal(10_000, items.Count);
        Assert.Equal("cm-09999", items[^1].Field("metadata.name"));

        var rv = list.Field("metadata.resourceVersion");
        using var client = new HttpClient(sim.Host.CreateHandler())
        {
            BaseAddress = sim.Host.Url,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sim.Host.Token);
        var watches = new List<WatchStream>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                watches.Add(await WatchStream.OpenAsync(client, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%3Dcm-{i:D5}"));
            }

            await Until.WaitAsync(() => sim.Host.OpenWatches >= 200, "200 watches to be registered");
            for (var i = 0; i < 200; i++)
            {
                await sim.Client.PatchJsonAsync($"/api/v1/namespaces/{ns}/configmaps/cm-{i:D5}", JsonNode.Parse("""{"data":{"changed":"yes"}}""")!);
            }

            for (var i = 0; i < 200; i++)
            {
                var e = await watches[i].NextAsync($"the change to cm-{i:D5}");
                Assert.Equal("MODIFIED", e.Field("type"));
                Assert.Equal($"cm-{i:D5}", e.Field("object.metadata.name"));
            }
        }
        finally
        {
            foreach (var watch in watches)
            {
                await watch.DisposeAsync();
            }
        }
    }
}
