namespace Keelson.Testing.Git;

/// <summary>
/// <c>git daemon</c> serving every repository under <see cref="Root"/> over git:// on a random loopback port
/// (protocol v2, which hands out any commit by SHA).
/// </summary>
public sealed class GitDaemonServer : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("keelson-daemon");
    private ServerProcess? _process;

    private GitDaemonServer()
    {
    }

    /// <summary>Directory whose repositories are served: create them with <see cref="CreateRepoAsync"/>.</summary>
    public string Root => _dir.Path;

    public int Port { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<GitDaemonServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new GitDaemonServer();
        try
        {
            await server.RestartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Task<GitRepo> CreateRepoAsync(string name, CancellationToken cancellationToken = default) =>
        GitRepo.CreateAsync(Root, name, cancellationToken: cancellationToken);

    public string Url(GitRepo repo) => $"git://127.0.0.1:{Port}/{repo.Name}";

    /// <summary>Starts (again) on the same port if it is still free, else on a new one.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        var daemon = GitCli.Helper("git-daemon", "git");
        (_process, var ports) = await ServerProcess.StartListeningAsync(
            "git daemon",
            [Port],
            ports => ServerProcess.Start(
                daemon,
                ["--export-all", "--base-path=" + Root, "--listen=127.0.0.1", "--port=" + ports[0], "--reuseaddr", "--informative-errors", Root],
                Root),
            cancellationToken: cancellationToken);
        Port = ports[0];
    }

    /// <summary>Stops serving: clients then get "connection refused".</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
