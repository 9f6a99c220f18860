using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Keelson.Kubernetes.Config;

/// <summary>
/// How the client authenticates. Built from a kubeconfig or in-cluster configuration, or with the factories here.
/// Never prints the secret it holds.
/// </summary>
public abstract class KubeCredentials
{
    private protected KubeCredentials()
    {
    }

    public static KubeCredentials None { get; } = new NoCredentials();

    public static KubeCredentials Token(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return new StaticCredentials(new Credential("Bearer " + token, null), "bearer token");
    }

    /// <summary>A bearer token read from a file and re-read as it rotates (every minute, and after a 401).</summary>
    public static KubeCredentials TokenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new TokenFileCredentials(path, null);
    }

    public static KubeCredentials Basic(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        var value = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
        return new StaticCredentials(new Credential("Basic " + value, null), $"basic auth ({username})");
    }

    /// <summary>What kind of credential this is, safe to log (never the secret).</summary>
    public abstract string Description { get; }

    public override string ToString() => Description;

    internal abstract ValueTask<Credential> GetAsync(TimeProvider time, CancellationToken cancellationToken);

    /// <summary>
    /// Called when the server answered 401 to a request made with <paramref name="used"/>. Returns true when fresh
    /// credentials may succeed, so the request is worth one more try.
    /// </summary>
    internal virtual ValueTask<bool> RefreshAsync(Credential used, TimeProvider time, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);
}

/// <summary>What a request carries: an Authorization header value and/or a TLS client certificate.</summary>
internal sealed class Credential(string? authorization, X509Certificate2? clientCertificate)
{
    public static readonly Credential Empty = new(null, null);

    public string? Authorization { get; } = authorization;

    public X509Certificate2? ClientCertificate { get; } = clientCertificate;

    public override string ToString() => "(credential)";
}

internal sealed class NoCredentials : KubeCredentials
{
    public override string Description => "none";

    internal override ValueTask<Credential> GetAsync(TimeProvider time, CancellationToken cancellationToken) => ValueTask.FromResult(Credential.Empty);
}

internal sealed class StaticCredentials(Credential credential, string description) : KubeCredentials
{
    public override string Description => description;

    internal override ValueTask<Credential> GetAsync(TimeProvider time, CancellationToken cancellationToken) => ValueTask.FromResult(credential);
}

/// <summary>
/// A token file such as a projected service account token, which the kubelet rewrites before it expires. Re-read when
/// the copy in memory is older than a minute (as client-go does) and after a 401.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim needs disposing only when its AvailableWaitHandle is used.")]
internal sealed class TokenFileCredentials(string path, string? fallbackToken) : KubeCredentials
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Credential? _current;
    private long _readAt;

    public string Path => path;

    public override string Description => $"token file {path}";

    internal override async ValueTask<Credential> GetAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetElapsedTime(Volatile.Read(ref _readAt)) < MaxAge)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is not null && time.GetElapsedTime(_readAt) < MaxAge)
            {
                return _current;
            }

            return await ReadAsync(time, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    internal override async ValueTask<bool> RefreshAsync(Credential used, TimeProvider time, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!ReferenceEquals(_current, used) && _current is not null)
            {
                return true; // someone already re-read it
            }

            var fresh = await ReadAsync(time, cancellationToken);
            return fresh.Authorization != used.Authorization;
        }
        catch (KubeCredentialException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Credential> ReadAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A rotation in progress can briefly hide the file: keep using what we have.
            if (_current is not null)
            {
                return _current;
            }

            if (fallbackToken is not null)
            {
                return new Credential("Bearer " + fallbackToken, null);
            }

            throw new KubeCredentialException($"token file {path} cannot be read: {ex.Message}", ex);
        }

        if (token.Length == 0)
        {
            if (_current is not null)
            {
                return _current;
            }

            throw new KubeCredentialException($"token file {path} is empty");
        }

        var fresh = _current?.Authorization == "Bearer " + token ? _current : new Credential("Bearer " + token, null);
        _current = fresh;
        Volatile.Write(ref _readAt, time.GetTimestamp());
        return fresh;
    }
}
