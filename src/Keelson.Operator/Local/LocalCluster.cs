using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Yaml;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Local;

/// <summary>
/// The embedded cluster of <c>local</c> mode: the API server simulator on 127.0.0.1 with its simulated workload
/// controllers, the Application CRD installed, and a kubeconfig for kubectl.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly ApiServerHost _server;

    private LocalCluster(ApiServerHost server, string kubeconfigPath, KubeClientConfig config)
    {
        _server = server;
        KubeconfigPath = kubeconfigPath;
        Config = config;
    }

    public string KubeconfigPath { get; }

    public KubeClientConfig Config { get; }

    public Uri Url => _server.Url;

    /// <summary>The simulator itself (tests use its fault injection and request counters).</summary>
    public ApiServerHost Server => _server;

    /// <summary>Starts the simulator, writes the kubeconfig and installs the Application CRD (waiting until it is established).</summary>
    public static async Task<LocalCluster> StartAsync(string kubeconfigPath, int port = 0, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var server = await ApiServerHost.StartAsync(new ApiServerOptions { Port = port, EnableControllers = true, TimeProvider = time }, cancellationToken);
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath));
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            var path = server.WriteKubeconfig(kubeconfigPath);
            var config = KubeClientConfig.FromKubeConfig(path);
            using var client = new KubeClient(config);
            await InstallCrdAsync(client, cancellationToken);
            await EnsureNamespaceAsync(client, "keelson", cancellationToken);
            return new LocalCluster(server, path, config);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Application CRD as shipped in <c>crds/application.yaml</c> (embedded in the binary).</summary>
    public static JsonObject LoadCrd()
    {
        using var stream = typeof(LocalCluster).Assembly.GetManifestResourceStream("crds/application.yaml")
            ?? throw new InvalidOperationException("the Application CRD is not embedded in this build");
        using var reader = new StreamReader(stream);
        return KubeYaml.Parse(reader.ReadToEnd()) as JsonObject ?? throw new InvalidOperationException("crds/application.yaml is not an object");
    }

    /// <summary>Applies the CRD and waits until the API server serves Applications.</summary>
    public static async Task InstallCrdAsync(KubeClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.ApplyAsync(LoadCrd(), new ApplyOptions { FieldManager = ApplicationNames.FieldManager, Force = true }, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await client.ListAsync(ApplicationNames.Resource, null, new ListOptions { Limit = 1 }, timeout.Token);
                return;
            }
            catch (KubeApiException ex) when (ex.IsNotFound)
            {
                // Not served yet (the CRD is being established).
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
        }
    }

    internal static async Task EnsureNamespaceAsync(KubeClient client, string name, CancellationToken cancellationToken)
    {
        var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
        await client.ApplyAsync(ns, new ApplyOptions { FieldManager = ApplicationNames.FieldManager }, cancellationToken);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
