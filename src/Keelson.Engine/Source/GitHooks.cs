namespace Keelson.Engine.Source;

/// <summary>Seams for tests: see every git process started, and pass extra ssh options (a port for scp-like URLs).</summary>
internal sealed record GitHooks
{
    public static readonly GitHooks None = new();

    public Action<GitInvocation>? Started { get; init; }

    public IReadOnlyList<string> SshOptions { get; init; } = [];
}
