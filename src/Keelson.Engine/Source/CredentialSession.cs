namespace Keelson.Engine.Source;

/// <summary>
/// The credentials of one git command as files in a fresh 0700 directory (0600 files), deleted when the command ends.
/// Git reaches them through the askpass helper and the ssh options; nothing secret is in an argument or variable.
/// </summary>
internal sealed class CredentialSession : IDisposable
{
    private CredentialSession(string directory) => Directory = directory;

    public string Directory { get; }

    public string? KeyFile { get; private set; }

    public string? KnownHostsFile { get; private set; }

    public string? CaFile { get; private set; }

    public static CredentialSession Create(string tempRoot, GitCredentials credentials)
    {
        var dir = Path.Combine(tempRoot, Guid.NewGuid().ToString("N"));
        SourcePaths.CreatePrivate(dir);
        var session = new CredentialSession(dir);
        try
        {
            if (!string.IsNullOrEmpty(credentials.Password))
            {
                Write(dir, "username", string.IsNullOrEmpty(credentials.Username) ? "git" : credentials.Username);
                Write(dir, "password", credentials.Password);
            }
            else if (!string.IsNullOrEmpty(credentials.Username))
            {
                Write(dir, "username", credentials.Username);
            }

            if (!string.IsNullOrWhiteSpace(credentials.SshPrivateKey))
            {
                // ssh refuses a key file without a final newline.
                var key = credentials.SshPrivateKey.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";
                session.KeyFile = Write(dir, "ssh-key", key);
            }

            if (!string.IsNullOrWhiteSpace(credentials.KnownHosts))
            {
                session.KnownHostsFile = Write(dir, "known_hosts", credentials.KnownHosts.Trim() + "\n");
            }

            if (!string.IsNullOrWhiteSpace(credentials.CaCertificate))
            {
                session.CaFile = Write(dir, "ca.pem", credentials.CaCertificate.Trim() + "\n");
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    private static string Write(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        using var stream = new FileStream(path, SourcePaths.PrivateFile());
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        return path;
    }
}
