using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Config;

/// <summary>The <c>status</c> of an ExecCredential a plugin prints. Holds secrets: never printed.</summary>
internal sealed record ExecCredentialStatus(string? Token, string? ClientCertificateData, string? ClientKeyData, DateTimeOffset? ExpirationTimestamp)
{
    public override string ToString() => $"ExecCredentialStatus(expires {ExpirationTimestamp?.ToString("O") ?? "never"})";
}

/// <summary>The cluster an exec plugin is told about when it asks for it (provideClusterInfo).</summary>
internal sealed record ExecClusterInfo(string Server, string? TlsServerName, bool InsecureSkipTlsVerify, byte[]? CertificateAuthorityData, string? ProxyUrl, bool DisableCompression, JsonNode? Config);

/// <summary>
/// Credentials from a client-go exec credential plugin (aws eks get-token, gke-gcloud-auth-plugin, kubelogin...).
/// The plugin runs without a terminal; its answer is cached until its expirationTimestamp, and it runs again after a
/// 401. Concurrent requests share one run.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim needs disposing only when its AvailableWaitHandle is used.")]
internal sealed class ExecCredentialPlugin(ExecEntry config, ExecClusterInfo? cluster) : KubeCredentials
{
    public const string V1 = "client.authentication.k8s.io/v1";
    public const string V1Beta1 = "client.authentication.k8s.io/v1beta1";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private const int MaxStderr = 2000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Credential? _cached;
    private DateTimeOffset? _expiry;

    public override string Description => $"exec plugin {Path.GetFileName(config.Command)}";

    internal override async ValueTask<Credential> GetAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is not null && (_expiry is null || time.GetUtcNow() < _expiry))
            {
                return _cached;
            }

            var status = await RunAsync(cancellationToken);
            _cached = ToCredential(status);
            _expiry = status.ExpirationTimestamp;
            return _cached;
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
            // Only drop the cache if it still holds what was rejected; otherwise another request already refreshed.
            if (ReferenceEquals(_cached, used))
            {
                _cached = null;
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Credential ToCredential(ExecCredentialStatus status)
    {
        if (!string.IsNullOrEmpty(status.Token))
        {
            return new Credential("Bearer " + status.Token, LoadCertificate(status));
        }

        return new Credential(null, LoadCertificate(status));
    }

    private X509Certificate2? LoadCertificate(ExecCredentialStatus status)
    {
        if (string.IsNullOrEmpty(status.ClientCertificateData))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(status.ClientCertificateData, status.ClientKeyData);
        }
        catch (CryptographicException ex)
        {
            throw new KubeCredentialException($"{Description} returned a client certificate or key that cannot be loaded: {ex.Message}", ex);
        }
    }

    private async Task<ExecCredentialStatus> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(config.Command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in config.Args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in config.Env)
        {
            start.Environment[name] = value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = ExecInfo().ToJsonString();

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            var hint = string.IsNullOrEmpty(config.InstallHint) ? "" : $"\n{config.InstallHint.Trim()}";
            throw new KubeCredentialException($"{Description} could not be started ({config.Command}): {ex.Message}{hint}", ex);
        }

        // No terminal: the plugin must not wait for input.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new KubeCredentialException($"{Description} did not finish within {RunTimeout.TotalMinutes:0} minutes");
        }

        if (process.ExitCode != 0)
        {
            var err = (await stderr).Trim();
            if (err.Length > MaxStderr)
            {
                err = err[..MaxStderr] + "...";
            }

            throw new KubeCredentialException($"{Description} exited with code {process.ExitCode}{(err.Length > 0 ? ": " + err : "")}");
        }

        return Parse(await stdout);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private JsonObject ExecInfo()
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (config.ProvideClusterInfo && cluster is not null)
        {
            var c = new JsonObject { ["server"] = cluster.Server };
            if (cluster.TlsServerName is not null)
            {
                c["tls-server-name"] = cluster.TlsServerName;
            }

            if (cluster.InsecureSkipTlsVerify)
            {
                c["insecure-skip-tls-verify"] = true;
            }

            if (cluster.CertificateAuthorityData is not null)
            {
                c["certificate-authority-data"] = Convert.ToBase64String(cluster.CertificateAuthorityData);
            }

            if (cluster.ProxyUrl is not null)
            {
                c["proxy-url"] = cluster.ProxyUrl;
            }

            if (cluster.DisableCompression)
            {
                c["disable-compression"] = true;
            }

            if (cluster.Config is not null)
            {
                c["config"] = cluster.Config.DeepClone();
            }

            spec["cluster"] = c;
        }

        return new JsonObject { ["apiVersion"] = config.ApiVersion, ["kind"] = "ExecCredential", ["spec"] = spec };
    }

    // Never put the output in a message: it holds the token.
    private ExecCredentialStatus Parse(string output)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(output);
        }
        catch (JsonException)
        {
            throw new KubeCredentialException($"{Description} printed something that is not JSON (expected an ExecCredential)");
        }

        if (node is not JsonObject obj || Json.String(obj, "kind") != "ExecCredential")
        {
            throw new KubeCredentialException($"{Description} printed JSON that is not an ExecCredential");
        }

        var apiVersion = Json.String(obj, "apiVersion");
        if (apiVersion != config.ApiVersion)
        {
            throw new KubeCredentialException($"{Description} answered with apiVersion '{apiVersion}', but the kubeconfig asks for '{config.ApiVersion}'");
        }

        if (Json.Object(obj, "status") is not { } status)
        {
            throw new KubeCredentialException($"{Description} returned an ExecCredential without status");
        }

        var token = Json.String(status, "token");
        var cert = Json.String(status, "clientCertificateData");
        var key = Json.String(status, "clientKeyData");
        if (string.IsNullOrEmpty(token) && string.IsNullOrEmpty(cert))
        {
            throw new KubeCredentialException($"{Description} returned neither status.token nor status.clientCertificateData");
        }

        if (string.IsNullOrEmpty(cert) != string.IsNullOrEmpty(key))
        {
            throw new KubeCredentialException($"{Description} returned {(string.IsNullOrEmpty(cert) ? "clientKeyData without clientCertificateData" : "clientCertificateData without clientKeyData")}");
        }

        DateTimeOffset? expiry = null;
        if (Json.String(status, "expirationTimestamp") is { } exp)
        {
            expiry = KubeTime.Parse(exp) ?? throw new KubeCredentialException($"{Description} returned an expirationTimestamp that is not RFC 3339: '{exp}'");
        }

        return new ExecCredentialStatus(token, cert, key, expiry);
    }
}
