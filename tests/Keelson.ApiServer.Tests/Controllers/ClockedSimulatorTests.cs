using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Controllers;

/// <summary>A simulator of its own per test on a fake clock: nothing becomes ready until the test moves time.</summary>
public abstract class ClockedSimulatorTests : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new();

    protected Simulator Sim { get; private set; } = null!;

    protected HttpClient Client => Sim.Client;

    public async ValueTask InitializeAsync() =>
        Sim = await Simulator.StartAsync(new ApiServerOptions { TimeProvider = Clock, ReadyDelay = TimeSpan.FromSeconds(10) });

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Sim.DisposeAsync();
    }

    protected Task<JsonObject> WaitForAsync(string path, Func<JsonObject, bool> done, string what) =>
        Until.WaitAsync(async _ => (await Client.GetJsonAsync(path)).Object, done, what);

    /// <summary>A field (its status by default) of the object's status condition of <paramref name="type"/>.</summary>
    protected static string? Condition(JsonObject obj, string type, string field = "status") =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c.Field("type") == type)?.Field(field);
}
