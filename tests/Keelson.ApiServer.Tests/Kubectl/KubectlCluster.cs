namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// The cluster the kubectl conformance suite drives: the simulator (HTTPS + token, via a written kubeconfig), or a real
/// cluster when <c>KEELSON_TEST_KUBECONFIG</c> names a kubeconfig (for example one made by kind), so the same checks
/// show the simulator behaves like the real thing.
/// </summary>
public sealed class KubectlCluster : IAsyncLifetime
{
    public const string RealClusterVariable = "KEELSON_TEST_KUBECONFIG";

    private readonly string _dir = Directory.CreateTempSubdirectory("keelson-kubectl-").FullName;
    private readonly List<string> _cleanup = [];
    private ApiServerHost? _host;

    public KubectlRunner Kubectl { get; private set; } = null!;

    /// <summary>True when running against the simulator rather than a real cluster.</summary>
    public bool IsSimulator => _host is not null;

    public ApiServerHost? Host => _host;

    public async ValueTask InitializeAsync()
    {
        string kubeconfig;
        if (Environment.GetEnvironmentVariable(RealClusterVariable) is { Length: > 0 } real)
        {
            kubeconfig = real;
        }
        else
        {
            _host = await ApiServerHost.StartAsync(new ApiServerOptions { ReadyDelay = TimeSpan.FromMilliseconds(300) }, TestContext.Current.CancellationToken);
            kubeconfig = _host.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        }

        Kubectl = new KubectlRunner(kubeconfig, Path.Combine(_dir, "cache"));
    }

    /// <summary>A unique name for this run (DNS-label safe).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Creates a namespace with <c>kubectl create namespace</c>; it is deleted when the suite ends.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = UniqueName("kc");
        (await Kubectl.RunAsync("create", "namespace", name)).EnsureSuccess();
        lock (_cleanup)
        {
            _cleanup.Add($"namespace/{name}");
        }

        return name;
    }

    /// <summary>Deletes a cluster-scoped object (a CRD) when the suite ends.</summary>
    public void CleanUpLater(string kindSlashName)
    {
        lock (_cleanup)
        {
            _cleanup.Add(kindSlashName);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cleanup.Count > 0 && Kubectl is not null)
        {
            try
            {
                await Kubectl.RunAsync(["delete", "--wait=false", "--ignore-not-found", .. _cleanup]);
            }
            catch (TimeoutException)
            {
                // Best effort; the simulator goes away anyway, and a real cluster keeps only uniquely named leftovers.
            }
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
