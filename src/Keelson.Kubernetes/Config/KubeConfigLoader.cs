using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Keelson.Kubernetes.Config;

/// <summary>
/// Loads kubeconfig files and resolves one context, with kubectl's merge rules: in a KUBECONFIG list, the first
/// file that defines a cluster, user or context name (or current-context) wins, and missing files are skipped.
/// </summary>
internal static class KubeConfigLoader
{
    public static KubeClientConfig Load(KubeConfigOptions options)
    {
        var files = new List<KubeConfigFile>();
        string source;
        if (options.Path is { } explicitPath)
        {
            if (!File.Exists(explicitPath))
            {
                throw new KubeConfigException($"kubeconfig {explicitPath} does not exist");
            }

            files.Add(KubeConfigFile.Load(explicitPath));
            source = explicitPath;
        }
        else if (options.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list)
        {
            var paths = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal).ToList();
            files.AddRange(paths.Where(File.Exists).Select(KubeConfigFile.Load));
            if (files.Count == 0)
            {
                throw new KubeConfigException($"none of the files in KUBECONFIG exist: {list}");
            }

            source = string.Join(Path.PathSeparator, files.Select(f => f.Path));
        }
        else
        {
            var home = options.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var path = Path.Combine(home, ".kube", "config");
            if (!File.Exists(path))
            {
                throw new KubeConfigException($"no kubeconfig: KUBECONFIG is not set and {path} does not exist");
            }

            files.Add(KubeConfigFile.Load(path));
            source = path;
        }

        return Resolve(files, options.Context, source);
    }

    public static KubeClientConfig Resolve(IReadOnlyList<KubeConfigFile> files, string? contextName, string source)
    {
        var clusters = FirstWins(files.SelectMany(f => f.Clusters), c => c.Name);
        var users = FirstWins(files.SelectMany(f => f.Users), u => u.Name);
        var contexts = FirstWins(files.SelectMany(f => f.Contexts), c => c.Name);

        var name = contextName ?? files.Select(f => f.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        if (string.IsNullOrEmpty(name))
        {
            throw new KubeConfigException($"kubeconfig {source}: current-context is not set and no context was given");
        }

        if (!contexts.TryGetValue(name, out var context))
        {
            var known = contexts.Count == 0 ? "none" : string.Join(", ", contexts.Keys);
            var field = contextName is null ? "current-context" : "context";
            throw new KubeConfigException($"kubeconfig {source}: {field}: context \"{name}\" not found (contexts: {known})");
        }

        if (string.IsNullOrEmpty(context.Cluster))
        {
            throw context.Origin.Child("cluster", null).Error("missing");
        }

        if (!clusters.TryGetValue(context.Cluster, out var cluster))
        {
            throw context.Origin.Child("cluster", null).Error($"cluster \"{context.Cluster}\" not found");
        }

        UserEntry? user = null;
        if (!string.IsNullOrEmpty(context.User) && !users.TryGetValue(context.User, out user))
        {
            throw context.Origin.Child("user", null).Error($"user \"{context.User}\" not found");
        }

        var server = ServerUri(cluster);
        var cas = CertificateAuthorities(cluster);
        if (cluster.InsecureSkipTlsVerify && cas.Length > 0)
        {
            throw cluster.Origin.Child("insecure-skip-tls-verify", null).Error(
                "cannot be combined with a certificate authority (remove one of them)");
        }

        var clusterInfo = new ExecClusterInfo(
            server.ToString(), cluster.TlsServerName, cluster.InsecureSkipTlsVerify,
            cluster.CertificateAuthorityData ?? (cluster.CertificateAuthority is { } caFile ? File.ReadAllBytes(caFile) : null),
            cluster.ProxyUrl, cluster.DisableCompression, cluster.ExecExtension);

        return new KubeClientConfig
        {
            Server = server,
            Namespace = string.IsNullOrEmpty(context.Namespace) ? "default" : context.Namespace,
            Context = name,
            Source = source,
            CertificateAuthorities = cas,
            InsecureSkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = string.IsNullOrEmpty(cluster.TlsServerName) ? null : cluster.TlsServerName,
            Proxy = ProxyUri(cluster),
            DisableCompression = cluster.DisableCompression,
            ClientCertificate = user is null ? null : ClientCertificate(user),
            Credentials = user is null ? KubeCredentials.None : Credentials(user, clusterInfo),
        };
    }

    private static Dictionary<string, T> FirstWins<T>(IEnumerable<T> items, Func<T, string> name)
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            map.TryAdd(name(item), item);
        }

        return map;
    }

    private static Uri ServerUri(ClusterEntry cluster)
    {
        var o = cluster.Origin.Child("server", null);
        if (string.IsNullOrEmpty(cluster.Server))
        {
            throw o.Error("missing");
        }

        // kubectl accepts a bare host[:port] and assumes https.
        var text = cluster.Server.Contains("://", StringComparison.Ordinal) ? cluster.Server : "https://" + cluster.Server;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw o.Error($"'{cluster.Server}' is not an http(s) URL");
        }

        return uri;
    }

    private static Uri? ProxyUri(ClusterEntry cluster)
    {
        if (string.IsNullOrEmpty(cluster.ProxyUrl))
        {
            return null;
        }

        if (!Uri.TryCreate(cluster.ProxyUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "socks5"))
        {
            throw cluster.Origin.Child("proxy-url", null).Error("not an http, https or socks5 URL");
        }

        return uri;
    }

    private static X509Certificate2[] CertificateAuthorities(ClusterEntry cluster)
    {
        if (cluster.CertificateAuthorityData is not null && cluster.CertificateAuthority is not null)
        {
            throw cluster.Origin.Error("certificate-authority and certificate-authority-data are both set (keep one)");
        }

        if (cluster.CertificateAuthorityData is { } data)
        {
            return Certificates(Encoding.UTF8.GetString(data), cluster.Origin.Child("certificate-authority-data", null));
        }

        if (cluster.CertificateAuthority is { } path)
        {
            var o = cluster.Origin.Child("certificate-authority", null);
            return Certificates(ReadFile(path, o), o);
        }

        return [];
    }

    private static X509Certificate2[] Certificates(string pem, Origin origin)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw origin.Error($"not a valid PEM certificate: {ex.Message}", ex);
        }

        return collection.Count > 0 ? [.. collection] : throw origin.Error("contains no PEM certificate");
    }

    private static string ReadFile(string path, Origin origin)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw origin.Error($"cannot read {path}: {ex.Message}", ex);
        }
    }

    private static X509Certificate2? ClientCertificate(UserEntry user)
    {
        var o = user.Origin;
        if (user.ClientCertificate is not null && user.ClientCertificateData is not null)
        {
            throw o.Error("client-certificate and client-certificate-data are both set (keep one)");
        }

        if (user.ClientKey is not null && user.ClientKeyData is not null)
        {
            throw o.Error("client-key and client-key-data are both set (keep one)");
        }

        var certField = user.ClientCertificateData is not null ? "client-certificate-data" : "client-certificate";
        var keyField = user.ClientKeyData is not null ? "client-key-data" : "client-key";
        var cert = user.ClientCertificateData is { } cd ? Encoding.UTF8.GetString(cd)
            : user.ClientCertificate is { } cf ? ReadFile(cf, o.Child(certField, null)) : null;
        var key = user.ClientKeyData is { } kd ? Encoding.UTF8.GetString(kd)
            : user.ClientKey is { } kf ? ReadFile(kf, o.Child(keyField, null)) : null;
        if (cert is null && key is null)
        {
            return null;
        }

        if (cert is null || key is null)
        {
            throw o.Child(cert is null ? "client-certificate-data" : "client-key-data", null)
                .Error($"missing ({(cert is null ? "a client key" : "a client certificate")} is set without it)");
        }

        try
        {
            return X509Certificate2.CreateFromPem(cert, key);
        }
        catch (CryptographicException ex)
        {
            // The exception text is about format, never the key bytes.
            throw o.Child($"{certField}/{keyField}", null).Error($"cannot load the client certificate and key: {ex.Message}", ex);
        }
    }

    private static KubeCredentials Credentials(UserEntry user, ExecClusterInfo cluster)
    {
        var o = user.Origin;
        if (user.AuthProvider is { } provider)
        {
            throw o.Child("auth-provider", null).Error(
                $"auth provider '{provider}' is not supported (removed from Kubernetes); use an exec credential plugin such as gke-gcloud-auth-plugin or kubelogin");
        }

        var hasToken = !string.IsNullOrEmpty(user.Token) || !string.IsNullOrEmpty(user.TokenFile);
        var hasBasic = !string.IsNullOrEmpty(user.Username) || !string.IsNullOrEmpty(user.Password);
        if (hasToken && hasBasic)
        {
            throw o.Error("both a token and username/password are set; only one authentication method is allowed");
        }

        if (user.Exec is { } exec)
        {
            if (exec.InteractiveMode == "Always")
            {
                throw exec.Origin.Child("interactiveMode", null).Error(
                    "'Always' needs a terminal, which Keelson does not have; use a non-interactive plugin configuration");
            }

            return new ExecCredentialPlugin(exec, cluster);
        }

        if (!string.IsNullOrEmpty(user.TokenFile))
        {
            // As in client-go, the file wins and the inline token only covers a failed first read.
            return new TokenFileCredentials(user.TokenFile, string.IsNullOrEmpty(user.Token) ? null : user.Token);
        }

        if (!string.IsNullOrEmpty(user.Token))
        {
            return KubeCredentials.Token(user.Token);
        }

        if (hasBasic)
        {
            if (string.IsNullOrEmpty(user.Username))
            {
                throw o.Child("username", null).Error("missing (password is set)");
            }

            return KubeCredentials.Basic(user.Username, user.Password ?? "");
        }

        return KubeCredentials.None;
    }
}
