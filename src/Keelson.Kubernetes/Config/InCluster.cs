namespace Keelson.Kubernetes.Config;

/// <summary>Configuration of a pod from its service account and the service environment variables.</summary>
internal static class InCluster
{
    public const string DefaultServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubeClientConfig Load(KubeConfigOptions options)
    {
        var host = options.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = options.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException(
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (or use a kubeconfig)");
        }

        if (!int.TryParse(port, out var portNumber) || portNumber is <= 0 or > 65535)
        {
            throw new KubeConfigException($"KUBERNETES_SERVICE_PORT is not a port number: '{port}'");
        }

        // IPv6 service addresses need brackets in a URL.
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        var server = new Uri($"https://{hostPart}:{portNumber}");

        var dir = options.ServiceAccountPath;
        var tokenPath = Path.Combine(dir, "token");
        if (!File.Exists(tokenPath))
        {
            throw new KubeConfigException($"in-cluster: service account token {tokenPath} does not exist (is automountServiceAccountToken off?)");
        }

        var caPath = Path.Combine(dir, "ca.crt");
        string caPem;
        try
        {
            caPem = File.ReadAllText(caPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"in-cluster: CA certificate {caPath} cannot be read: {ex.Message}", ex);
        }

        var nsPath = Path.Combine(dir, "namespace");
        var ns = File.Exists(nsPath) ? File.ReadAllText(nsPath).Trim() : "";

        return new KubeClientConfig
        {
            Server = server,
            Namespace = ns.Length > 0 ? ns : "default",
            Source = "in-cluster",
            CertificateAuthorities = KubeClientConfig.ParseCertificates(caPem, $"in-cluster: {caPath}"),
            Credentials = new TokenFileCredentials(tokenPath, null),
        };
    }
}
