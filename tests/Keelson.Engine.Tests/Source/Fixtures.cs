using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>One git daemon per test class.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public GitDaemonServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GitDaemonServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One nginx + git-http-backend per test class.</summary>
public sealed class HttpFixture : IAsyncLifetime
{
    public GitHttpServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GitHttpServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One sshd (accepting GIT_PROTOCOL, so protocol v2) per test class.</summary>
public sealed class SshFixture : IAsyncLifetime
{
    public GitSshServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GitSshServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One sshd that does not accept GIT_PROTOCOL (so git speaks protocol v0) per test class.</summary>
public sealed class SshV0Fixture : IAsyncLifetime
{
    public GitSshServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GitSshServer.StartAsync(acceptGitProtocol: false);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
