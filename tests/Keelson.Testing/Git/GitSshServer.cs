namespace Keelson.Testing.Git;

/// <summary>
/// An OpenSSH server on a random loopback port with its own configuration (host key and authorized key generated
/// in a temp directory, key-only authentication) through which git reaches every repository under <see cref="Root"/>
/// as the user running the tests. With <c>acceptGitProtocol: false</c> it does not accept GIT_PROTOCOL, so git
/// falls back to protocol v0 (which only hands out advertised tips), like many real SSH servers.
/// </summary>
public sealed class GitSshServer : IAsyncDisposable
{
    public const string InstallHint = "apt-get install openssh-server openssh-client";

    private readonly TempDirectory _dir = new("keelson-ssh");
    private readonly TempDirectory _repos = new("keelson-ssh-repos");
    private readonly bool _acceptGitProtocol;
    private ServerProcess? _process;

    private GitSshServer(bool acceptGitProtocol) => _acceptGitProtocol = acceptGitProtocol;

    public string Root => _repos.Path;

    public int Port { get; private set; }

    public string User { get; } = Environment.UserName;

    /// <summary>The private key (OpenSSH format) the server accepts.</summary>
    public string ClientPrivateKey { get; private set; } = "";

    /// <summary>Another private key the server does not accept.</summary>
    public string UnknownPrivateKey { get; private set; } = "";

    /// <summary>The server's host key as a known_hosts line for its address and port.</summary>
    public string KnownHosts => $"[127.0.0.1]:{Port} {_hostPublicKey}";

    /// <summary>A known_hosts line for this server's address with a key that is not its host key.</summary>
    public string WrongKnownHosts => $"[127.0.0.1]:{Port} {_otherPublicKey}";

    private string _hostPublicKey = "";
    private string _otherPublicKey = "";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<GitSshServer> StartAsync(bool acceptGitProtocol = true, CancellationToken cancellationToken = default)
    {
        var server = new GitSshServer(acceptGitProtocol);
        try
        {
            await server.CreateKeysAsync(cancellationToken);
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

    public string Url(GitRepo repo) => $"ssh://{User}@127.0.0.1:{Port}{repo.Path}";

    /// <summary>The scp-like form <c>user@host:path</c>; it cannot carry a port, so the client must be told it separately.</summary>
    public string ScpUrl(GitRepo repo) => $"{User}@127.0.0.1:{repo.Path}";

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        var sshd = Tools.Require("sshd", InstallHint);
        // sshd insists on its privilege separation directory even when it will not switch users.
        if (!Directory.Exists("/run/sshd"))
        {
            try
            {
                Directory.CreateDirectory("/run/sshd");
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new InvalidOperationException("sshd needs the directory /run/sshd; create it as root (mkdir -p /run/sshd) or run the tests as root.", ex);
            }
        }

        var config = _dir.Combine("sshd_config");
        (_process, var ports) = await ServerProcess.StartListeningAsync(
            "sshd",
            [Port],
            ports =>
            {
                File.WriteAllText(config, Config(ports[0]));
                return ServerProcess.Start(sshd, ["-D", "-e", "-f", config], _dir.Path);
            },
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
        _repos.Dispose();
    }

    private async Task CreateKeysAsync(CancellationToken cancellationToken)
    {
        var keygen = Tools.Require("ssh-keygen", InstallHint);
        foreach (var name in new[] { "host_key", "client_key", "unknown_key" })
        {
            await using var process = ServerProcess.Start(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "keelson-test", "-f", _dir.Combine(name)], _dir.Path);
            await Eventually.WaitAsync(() => process.HasExited, "ssh-keygen", cancellationToken: cancellationToken);
            if (!File.Exists(_dir.Combine(name)))
            {
                throw new InvalidOperationException("ssh-keygen did not create a key: " + process.Output);
            }
        }

        File.Copy(_dir.Combine("client_key.pub"), _dir.Combine("authorized_keys"));
        ClientPrivateKey = File.ReadAllText(_dir.Combine("client_key"));
        UnknownPrivateKey = File.ReadAllText(_dir.Combine("unknown_key"));
        _hostPublicKey = PublicKey("host_key.pub");
        _otherPublicKey = PublicKey("unknown_key.pub");
    }

    private string PublicKey(string file)
    {
        var parts = File.ReadAllText(_dir.Combine(file)).Split(' ');
        return parts[0] + " " + parts[1];
    }

    private string Config(int port)
    {
        var dir = _dir.Path;
        var lines = new List<string>
        {
            $"Port {port}",
            "ListenAddress 127.0.0.1",
            $"HostKey {dir}/host_key",
            $"AuthorizedKeysFile {dir}/authorized_keys",
            $"PidFile {dir}/sshd.pid",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            // The key files live in a temp directory whose permissions sshd would otherwise reject.
            "StrictModes no",
            "UsePAM no",
            "PrintMotd no",
            "LogLevel ERROR",
        };
        if (_acceptGitProtocol)
        {
            lines.Add("AcceptEnv GIT_PROTOCOL");
        }

        return string.Join('\n', lines) + "\n";
    }
}
