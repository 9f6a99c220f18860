using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Engine.Diff;
using Keelson.Engine.Render;
using Keelson.Engine.Source;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;
using Keelson.Testing.Git;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Engine.Tests;

/// <summary>
/// The whole pipeline against real parts: the API server simulator in-process (HTTPS on 127.0.0.1), a real Git
/// repository read through <c>file://</c> by the real Git source, and one <see cref="SyncEngine"/>. The simulator's
/// workload controllers are off unless asked for, so every write it stores is one the engine made.
/// </summary>
internal sealed class SyncHarness : IAsyncDisposable
{
    public const string Owner = "keelson/guestbook";
    public const string Destination = "shop";

    private readonly TempDirectory _cache = new("keelson-sync-cache");
    private readonly List<IAsyncDisposable> _extra = [];

    private SyncHarness(ApiServerHost server, KubeClient client, GitRepo repo)
    {
        Server = server;
        Client = client;
        Repo = repo;
        // Tests commit and sync at once: the reuse window of ls-remote answers (5 s by default) would hide new commits.
        Source = new GitSource(
            new GitSourceOptions { CacheRoot = _cache.Path, LsRemoteCacheTtl = TimeSpan.Zero }, NullLogger<GitSource>.Instance, TimeProvider.System);
        Renderer = new ManifestRenderer();
        Live = new LiveCache(client);
        Engine = new SyncEngine(client, Source, Renderer, Live);
    }

    public ApiServerHost Server { get; }

    public KubeClient Client { get; }

    public GitRepo Repo { get; }

    public GitSource Source { get; }

    public ManifestRenderer Renderer { get; }

    public LiveCache Live { get; }

    public SyncEngine Engine { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<SyncHarness> StartAsync(bool controllers = false)
    {
        var server = await ApiServerHost.StartAsync(
            new ApiServerOptions { EnableControllers = controllers, ReadyDelay = TimeSpan.FromMilliseconds(50) }, Token);
        var client = new KubeClient(KubeClientConfig.ForToken(server.Url, server.Token, server.CaCertificatePem));
        var repo = await GitRepo.CreateAsync(cancellationToken: Token);
        return new SyncHarness(server, client, repo);
    }

    /// <summary>A second engine on the same cluster and repository with nothing remembered (a restarted operator).</summary>
    public SyncEngine FreshEngine()
    {
        var live = new LiveCache(Client);
        _extra.Add(live);
        return new SyncEngine(Client, Source, new ManifestRenderer(), live);
    }

    public SyncRequest Request(
        SyncMode mode = SyncMode.Sync, bool prune = false, IReadOnlyList<InventoryEntry>? inventory = null, string owner = Owner,
        string destination = Destination, string path = "", string revision = "main", bool createNamespace = false) => new()
        {
            Owner = owner,
            Source = new SourceRequest { RepoUrl = Repo.FileUrl, Revision = revision },
            Render = new RenderOptions { Path = path },
            DestinationNamespace = destination,
            Options = new SyncOptions { Prune = prune, CreateNamespace = createNamespace },
            Mode = mode,
            PreviousInventory = inventory ?? [],
        };

    public Task<SyncResult> SyncAsync(
        SyncMode mode = SyncMode.Sync, bool prune = false, IReadOnlyList<InventoryEntry>? inventory = null, SyncEngine? engine = null) =>
        (engine ?? Engine).SyncAsync(Request(mode, prune, inventory), Token);

    public Task<JsonObject?> GetAsync(ApiResource resource, string? ns, string name) => Client.TryGetAsync(resource, ns, name, Token);

    /// <summary>The object's resourceVersion as a number: the simulator's global write counter, so it orders writes.</summary>
    public async Task<long> WrittenAtAsync(ApiResource resource, string? ns, string name)
    {
        var obj = await GetAsync(resource, ns, name) ?? throw new InvalidOperationException($"{resource} {ns}/{name} does not exist");
        return long.Parse(obj.GetResourceVersion()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Patches an object as someone else would (kubectl edit, another tool).</summary>
    public Task<JsonObject> EditAsync(ApiResource resource, string? ns, string name, string mergePatch) =>
        Client.PatchAsync(resource, ns, name, PatchType.Merge, JsonNode.Parse(mergePatch)!, new PatchOptions { FieldManager = "kubectl-edit" }, Token);

    /// <summary>Writes made by the engine (its field manager), dry-runs included: a steady state makes none.</summary>
    public long EngineRequests(string verb) => Server.Requests.Count(verb, fieldManager: "keelson");

    public async ValueTask DisposeAsync()
    {
        foreach (var extra in _extra)
        {
            await extra.DisposeAsync();
        }

        await Live.DisposeAsync();
        await Source.DisposeAsync();
        Client.Dispose();
        await Server.DisposeAsync();
        Repo.Dispose();
        _cache.Dispose();
    }
}

/// <summary>Manifests the tests commit, written as a user would.</summary>
internal static class Manifests
{
    public const string Namespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        """;

    public const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              serviceAccountName: web
              containers:
              - name: web
                image: nginx:1.27
                ports:
                - containerPort: 8080
                resources:
                  requests: {cpu: 100m, memory: 64Mi}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 8080
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: web
        """;

    public const string Secret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: web-credentials
        stringData:
          password: hunter2
        """;

    public const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: {type: integer}
        """;

    public const string Widget = """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: gear
        spec:
          size: 3
        """;

    public static readonly ApiResource Widgets = new("example.com", "v1", "widgets", "Widget", true);

    public static string ConfigMap(string name, string color = "blue") => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          color: {color}
        """;
}
