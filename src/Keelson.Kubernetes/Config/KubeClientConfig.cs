using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keelson.Kubernetes.Config;

/// <summary>Where to look for a kubeconfig and which context to use.</summary>
public sealed record KubeConfigOptions
{
    /// <summary>An explicit kubeconfig file (like <c>kubectl --kubeconfig</c>); it must exist. Overrides KUBECONFIG.</summary>
    public string? Path { get; init; }

    /// <summary>The context to use instead of the file's current-context.</summary>
    public string? Context { get; init; }

    /// <summary>Reads environment variables (KUBECONFIG, HOME, KUBERNETES_SERVICE_*); tests pass their own.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The service account folder used in a cluster.</summary>
    public string ServiceAccountPath { get; init; } = InCluster.DefaultServiceAccountPath;
}

/// <summary>
/// Everything needed to reach one cluster: server, TLS trust, client identity and default namespace. Build it from a
/// kubeconfig (<see cref="FromKubeConfig"/>), from inside a pod (<see cref="FromInCluster"/>), or let
/// <see cref="Load"/> pick like controller-runtime does. <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed record KubeClientConfig
{
    public required Uri Server { get; init; }

    /// <summary>The context's namespace, or the pod's namespace in a cluster; "default" when neither says.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>The kubeconfig context this came from (null in a cluster or when built by hand).</summary>
    public string? Context { get; init; }

    /// <summary>Where this came from: the kubeconfig file(s), or "in-cluster".</summary>
    public string Source { get; init; } = "(code)";

    /// <summary>CA certificates to trust for the server instead of the system store; empty means the system store.</summary>
    public IReadOnlyList<X509Certificate2> CertificateAuthorities { get; init; } = [];

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name to verify the server certificate against, instead of the server URL's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>A static client certificate (with its private key) for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    public KubeCredentials Credentials { get; init; } = KubeCredentials.None;

    /// <summary>An HTTP(S) or SOCKS5 proxy; null uses the environment's proxy settings (HTTPS_PROXY, NO_PROXY).</summary>
    public Uri? Proxy { get; init; }

    public bool DisableCompression { get; init; }

    /// <summary>
    /// Finds a configuration the way controller-runtime does: an explicit path, then KUBECONFIG, then in-cluster
    /// (when KUBERNETES_SERVICE_HOST is set), then <c>~/.kube/config</c>.
    /// </summary>
    public static KubeClientConfig Load(KubeConfigOptions? options = null)
    {
        options ??= new KubeConfigOptions();
        if (options.Path is null && string.IsNullOrEmpty(options.GetEnvironmentVariable("KUBECONFIG"))
            && !string.IsNullOrEmpty(options.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            return FromInCluster(options);
        }

        return FromKubeConfig(options);
    }

    /// <summary>Loads a kubeconfig: the explicit path, else the KUBECONFIG list (merged), else <c>~/.kube/config</c>.</summary>
    public static KubeClientConfig FromKubeConfig(KubeConfigOptions? options = null) => KubeConfigLoader.Load(options ?? new KubeConfigOptions());

    public static KubeClientConfig FromKubeConfig(string path, string? context = null) =>
        KubeConfigLoader.Load(new KubeConfigOptions { Path = path, Context = context });

    /// <summary>The configuration of a pod: service host and port from the environment, the service account's token, CA and namespace.</summary>
    public static KubeClientConfig FromInCluster(KubeConfigOptions? options = null) => InCluster.Load(options ?? new KubeConfigOptions());

    /// <summary>A bearer-token configuration, e.g. for the API server simulator.</summary>
    public static KubeClientConfig ForToken(Uri server, string token, string? caCertificatePem = null, string ns = "default") => new()
    {
        Server = server,
        Credentials = KubeCredentials.Token(token),
        CertificateAuthorities = caCertificatePem is null ? [] : ParseCertificates(caCertificatePem, "CA certificate"),
        Namespace = ns,
    };

    public override string ToString() =>
        $"server {Server}, {(Context is null ? "" : $"context {Context}, ")}namespace {Namespace}, auth {Credentials.Description}" +
        $"{(ClientCertificate is null ? "" : $" + client certificate {ClientCertificate.Subject}")}, from {Source}";

    internal static X509Certificate2[] ParseCertificates(string pem, string what)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new KubeConfigException($"{what} is not a valid PEM certificate bundle: {ex.Message}", ex);
        }

        if (collection.Count == 0)
        {
            throw new KubeConfigException($"{what} contains no PEM certificate");
        }

        return [.. collection];
    }
}
