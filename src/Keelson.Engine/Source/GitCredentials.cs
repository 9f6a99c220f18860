using System.Text;

namespace Keelson.Engine.Source;

/// <summary>
/// How to authenticate to one repository. The operator builds this from a Kubernetes Secret; the engine never reads
/// Secrets itself. Nothing in here is ever put on a command line, in a log line or in an exception message.
/// </summary>
public sealed record GitCredentials
{
    /// <summary>HTTP(S) user name. Defaults to "git" when only <see cref="Password"/> is given (token authentication).</summary>
    public string? Username { get; init; }

    /// <summary>HTTP(S) password or access token.</summary>
    public string? Password { get; init; }

    /// <summary>An unencrypted OpenSSH or PEM private key for ssh:// and scp-like URLs.</summary>
    public string? SshPrivateKey { get; init; }

    /// <summary>
    /// known_hosts lines for SSH. When given, host keys are checked strictly against them. When absent, an unknown host
    /// key is accepted on first use and remembered in a known_hosts file private to the cache; a changed key is refused.
    /// </summary>
    public string? KnownHosts { get; init; }

    /// <summary>
    /// PEM certificate(s) of the certificate authorities trusted for this HTTPS server, instead of the system's.
    /// Not secret; kept here because, like Flux's <c>ca.crt</c>, it travels with the repository's Secret.
    /// </summary>
    public string? CaCertificate { get; init; }

    // Records print every property by default; this one must never print a secret.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Username = ").Append(Username ?? "(none)");
        builder.Append(", Password = ").Append(Password is null ? "(none)" : "***");
        builder.Append(", SshPrivateKey = ").Append(SshPrivateKey is null ? "(none)" : "***");
        builder.Append(", KnownHosts = ").Append(KnownHosts is null ? "(none)" : "(given)");
        builder.Append(", CaCertificate = ").Append(CaCertificate is null ? "(none)" : "(given)");
        return true;
    }
}
