using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Kubernetes.Config;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Support;

/// <summary>
/// An in-process API server simulator on 127.0.0.1 (HTTPS, random port, random token) for one test, with helpers to
/// make clients for it. Each test gets its own server, so faults and compaction never reach another test.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly List<KubeClient> _clients = [];

    private TestCluster(ApiServerHost host) => Host = host;

    public ApiServerHost Host { get; }

    public static async Task<TestCluster> StartAsync(ApiServerOptions? options = null) =>
        new(await ApiServerHost.StartAsync(options ?? Quiet, TestContext.Current.CancellationToken));

    /// <summary>Defaults for tests: no simulated controllers and no per-namespace defaults, so only what a test writes is there.</summary>
    public static ApiServerOptions Quiet => new() { EnableControllers = false, PublishNamespaceDefaults = false };

    /// <summary>A client authenticated with the server's token and trusting its CA; disposed with the cluster.</summary>
    public KubeClient Client(KubeClientOptions? options = null)
    {
        var client = new KubeClient(KubeClientConfig.ForToken(Host.Url, Host.Token, Host.CaCertificatePem), options ?? new KubeClientOptions { Qps = 0 });
        _clients.Add(client);
        return client;
    }

    /// <summary>A fresh namespace with a random name.</summary>
    public async Task<string> NamespaceAsync(KubeClient? client = null)
    {
        client ??= Client();
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await client.CreateAsync(ApiResource.Namespaces, Object("v1", "Namespace", null, name), cancellationToken: TestContext.Current.CancellationToken);
        return name;
    }

    public static JsonObject Object(string apiVersion, string kind, string? ns, string name, JsonObject? extra = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        if (extra is not null)
        {
            foreach (var (key, value) in extra.ToList())
            {
                extra.Remove(key);
                obj[key] = value;
            }
        }

        return obj;
    }

    public static JsonObject ConfigMap(string ns, string name, params (string Key, string Value)[] data)
    {
        var map = new JsonObject();
        foreach (var (key, value) in data)
        {
            map[key] = value;
        }

        return Object("v1", "ConfigMap", ns, name, new JsonObject { ["data"] = map });
    }

    /// <summary>
    /// Waits for <paramref name="done"/>, moving <paramref name="clock"/> on by <paramref name="step"/> each time it is
    /// not yet true, so code waiting on the fake clock makes progress while the test watches for the outcome.
    /// </summary>
    public static Task DriveAsync(FakeTimeProvider clock, Func<bool> done, string what, TimeSpan? step = null) =>
        Eventually.WaitAsync(
            () =>
            {
                if (done())
                {
                    return true;
                }

                clock.Advance(step ?? TimeSpan.FromMilliseconds(500));
                return false;
            },
            what);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Host.DisposeAsync();
    }
}
