using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keelson.Kubernetes.Config;

/// <summary>Where a kubeconfig value came from: the file, the field path and the line, for error messages.</summary>
internal sealed record Origin(string File, string Field, int Line)
{
    public string Directory => Path.GetDirectoryName(Path.GetFullPath(File)) ?? "/";

    public Origin Child(string name, YamlNode? node) => new(File, $"{Field}.{name}", node is null ? Line : (int)node.Start.Line);

    public KubeConfigException Error(string problem, Exception? inner = null) => new(File, Field, problem, Line, inner);
}

internal sealed record ClusterEntry(string Name, Origin Origin)
{
    public string? Server { get; init; }

    public string? CertificateAuthority { get; init; }

    public byte[]? CertificateAuthorityData { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    public string? TlsServerName { get; init; }

    public string? ProxyUrl { get; init; }

    public bool DisableCompression { get; init; }

    /// <summary>The <c>client.authentication.k8s.io/exec</c> extension, passed to exec plugins with provideClusterInfo.</summary>
    public JsonNode? ExecExtension { get; init; }
}

internal sealed record ExecEntry(Origin Origin)
{
    public required string ApiVersion { get; init; }

    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    public string? InstallHint { get; init; }

    public bool ProvideClusterInfo { get; init; }

    public string InteractiveMode { get; init; } = "IfAvailable";
}

internal sealed record UserEntry(string Name, Origin Origin)
{
    public string? ClientCertificate { get; init; }

    public byte[]? ClientCertificateData { get; init; }

    public string? ClientKey { get; init; }

    public byte[]? ClientKeyData { get; init; }

    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public ExecEntry? Exec { get; init; }

    public string? AuthProvider { get; init; }

    // Records print every property; this one holds secrets.
    public override string ToString() => $"user {Name} ({Origin.File})";
}

internal sealed record ContextEntry(string Name, Origin Origin)
{
    public string? Cluster { get; init; }

    public string? User { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>One kubeconfig file, parsed. Relative paths are already resolved against the file's folder.</summary>
internal sealed class KubeConfigFile
{
    public required string Path { get; init; }

    public string? CurrentContext { get; init; }

    public List<ClusterEntry> Clusters { get; } = [];

    public List<UserEntry> Users { get; } = [];

    public List<ContextEntry> Contexts { get; } = [];

    public static KubeConfigFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"kubeconfig {path}: cannot be read: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    public static KubeConfigFile Parse(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new KubeConfigException(path, "(document)", $"not valid YAML: {ex.Message}", (int)ex.Start.Line, ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "null" or "~" })
        {
            return new KubeConfigFile { Path = path };
        }

        var rootOrigin = new Origin(path, "(document)", 1);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw rootOrigin.Error("expected a mapping (apiVersion, kind, clusters, users, contexts)");
        }

        var file = new KubeConfigFile
        {
            Path = path,
            CurrentContext = Scalar(root, "current-context", new Origin(path, "current-context", 1)),
        };

        foreach (var (node, origin) in Items(root, "clusters", path))
        {
            var name = RequiredName(node, origin);
            var at = origin with { Field = $"clusters[{name}]" };
            var body = Mapping(node, "cluster", at);
            var o = at.Child("cluster", body);
            file.Clusters.Add(new ClusterEntry(name, o)
            {
                Server = Scalar(body, "server", o),
                CertificateAuthority = LocalPath(Scalar(body, "certificate-authority", o), o),
                CertificateAuthorityData = Base64(body, "certificate-authority-data", o),
                InsecureSkipTlsVerify = Bool(body, "insecure-skip-tls-verify", o),
                TlsServerName = Scalar(body, "tls-server-name", o),
                ProxyUrl = Scalar(body, "proxy-url", o),
                DisableCompression = Bool(body, "disable-compression", o),
                ExecExtension = ExecExtension(body, o),
            });
        }

        foreach (var (node, origin) in Items(root, "users", path))
        {
            var name = RequiredName(node, origin);
            var at = origin with { Field = $"users[{name}]" };
            var body = Mapping(node, "user", at);
            var o = at.Child("user", body);
            file.Users.Add(new UserEntry(name, o)
            {
                ClientCertificate = LocalPath(Scalar(body, "client-certificate", o), o),
                ClientCertificateData = Base64(body, "client-certificate-data", o),
                ClientKey = LocalPath(Scalar(body, "client-key", o), o),
                ClientKeyData = Base64(body, "client-key-data", o),
                Token = Scalar(body, "token", o),
                TokenFile = LocalPath(Scalar(body, "tokenFile", o), o),
                Username = Scalar(body, "username", o),
                Password = Scalar(body, "password", o),
                Exec = Exec(body, o),
                AuthProvider = body is not null && Child(body, "auth-provider") is YamlMappingNode ap
                    ? Scalar(ap, "name", o.Child("auth-provider", ap)) ?? "(unnamed)"
                    : null,
            });
        }

        foreach (var (node, origin) in Items(root, "contexts", path))
        {
            var name = RequiredName(node, origin);
            var at = origin with { Field = $"contexts[{name}]" };
            var body = Mapping(node, "context", at);
            var o = at.Child("context", body);
            file.Contexts.Add(new ContextEntry(name, o)
            {
                Cluster = Scalar(body, "cluster", o),
                User = Scalar(body, "user", o),
                Namespace = Scalar(body, "namespace", o),
            });
        }

        return file;
    }

    private static IEnumerable<(YamlMappingNode Node, Origin Origin)> Items(YamlMappingNode root, string name, string path)
    {
        var node = Child(root, name);
        if (node is null || IsNull(node))
        {
            yield break;
        }

        if (node is not YamlSequenceNode list)
        {
            throw new Origin(path, name, (int)node.Start.Line).Error("expected a list");
        }

        var index = 0;
        foreach (var item in list)
        {
            var origin = new Origin(path, $"{name}[{index}]", (int)item.Start.Line);
            if (item is not YamlMappingNode map)
            {
                throw origin.Error("expected a mapping with name and " + name.TrimEnd('s'));
            }

            yield return (map, origin);
            index++;
        }
    }

    private static string RequiredName(YamlMappingNode node, Origin origin) =>
        Scalar(node, "name", origin) is { Length: > 0 } name ? name : throw origin.Error("name is missing");

    private static YamlMappingNode? Mapping(YamlMappingNode parent, string name, Origin origin)
    {
        var node = Child(parent, name);
        return node switch
        {
            null => null,
            YamlMappingNode map => map,
            _ when IsNull(node) => null,
            _ => throw origin.Child(name, node).Error("expected a mapping"),
        };
    }

    private static YamlNode? Child(YamlMappingNode? parent, string name)
    {
        if (parent is null)
        {
            return null;
        }

        foreach (var (key, value) in parent.Children)
        {
            if (key is YamlScalarNode s && s.Value == name)
            {
                return value;
            }
        }

        return null;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "null" or "~" or "Null" or "NULL";

    private static string? Scalar(YamlMappingNode? parent, string name, Origin origin)
    {
        var node = Child(parent, name);
        if (node is null || IsNull(node))
        {
            return null;
        }

        return node is YamlScalarNode s ? s.Value : throw origin.Child(name, node).Error("expected a string");
    }

    private static bool Bool(YamlMappingNode? parent, string name, Origin origin)
    {
        var node = Child(parent, name);
        if (node is null || IsNull(node))
        {
            return false;
        }

        // YAML 1.1 booleans, as Go's yaml decoder accepts them.
        return (node as YamlScalarNode)?.Value?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" or "y" => true,
            "false" or "no" or "off" or "n" => false,
            _ => throw origin.Child(name, node).Error("expected true or false"),
        };
    }

    private static byte[]? Base64(YamlMappingNode? parent, string name, Origin origin)
    {
        var value = Scalar(parent, name, origin);
        if (value is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            // The value itself stays out of the message: it may be a private key.
            throw origin.Child(name, Child(parent, name)).Error("not valid base64");
        }
    }

    private static string? LocalPath(string? value, Origin origin) =>
        string.IsNullOrEmpty(value) || System.IO.Path.IsPathRooted(value) ? value : System.IO.Path.GetFullPath(System.IO.Path.Combine(origin.Directory, value));

    private static ExecEntry? Exec(YamlMappingNode? user, Origin userOrigin)
    {
        var node = Mapping(user ?? new YamlMappingNode(), "exec", userOrigin);
        if (node is null)
        {
            return null;
        }

        var o = userOrigin.Child("exec", node);
        var apiVersion = Scalar(node, "apiVersion", o);
        if (apiVersion is not (ExecCredentialPlugin.V1 or ExecCredentialPlugin.V1Beta1))
        {
            throw o.Child("apiVersion", Child(node, "apiVersion")).Error(apiVersion is null
                ? $"missing (use {ExecCredentialPlugin.V1})"
                : $"'{apiVersion}' is not supported (use {ExecCredentialPlugin.V1} or {ExecCredentialPlugin.V1Beta1})");
        }

        var command = Scalar(node, "command", o);
        if (string.IsNullOrEmpty(command))
        {
            throw o.Child("command", Child(node, "command")).Error("missing");
        }

        // A command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
        if (command.Contains('/', StringComparison.Ordinal))
        {
            command = LocalPath(command, o)!;
        }

        var args = new List<string>();
        if (Child(node, "args") is { } argsNode && !IsNull(argsNode))
        {
            if (argsNode is not YamlSequenceNode seq)
            {
                throw o.Child("args", argsNode).Error("expected a list of strings");
            }

            args.AddRange(seq.Select(a => (a as YamlScalarNode)?.Value ?? throw o.Child("args", a).Error("expected a string")));
        }

        var env = new List<KeyValuePair<string, string>>();
        if (Child(node, "env") is { } envNode && !IsNull(envNode))
        {
            if (envNode is not YamlSequenceNode seq)
            {
                throw o.Child("env", envNode).Error("expected a list of {name, value}");
            }

            var i = 0;
            foreach (var item in seq)
            {
                var eo = new Origin(o.File, $"{o.Field}.env[{i++}]", (int)item.Start.Line);
                if (item is not YamlMappingNode map || Scalar(map, "name", eo) is not { Length: > 0 } envName)
                {
                    throw eo.Error("expected a mapping with name and value");
                }

                env.Add(new(envName, Scalar(map, "value", eo) ?? ""));
            }
        }

        var interactive = Scalar(node, "interactiveMode", o);
        if (interactive is null && apiVersion == ExecCredentialPlugin.V1)
        {
            throw o.Child("interactiveMode", null).Error("missing (required by client.authentication.k8s.io/v1: Never, IfAvailable or Always)");
        }

        interactive ??= "IfAvailable";
        if (interactive is not ("Never" or "IfAvailable" or "Always"))
        {
            throw o.Child("interactiveMode", Child(node, "interactiveMode")).Error($"'{interactive}' is not one of Never, IfAvailable, Always");
        }

        return new ExecEntry(o)
        {
            ApiVersion = apiVersion,
            Command = command,
            Args = args,
            Env = env,
            InstallHint = Scalar(node, "installHint", o),
            ProvideClusterInfo = Bool(node, "provideClusterInfo", o),
            InteractiveMode = interactive,
        };
    }

    private static JsonNode? ExecExtension(YamlMappingNode? cluster, Origin origin)
    {
        if (Child(cluster, "extensions") is not YamlSequenceNode list)
        {
            return null;
        }

        foreach (var item in list.OfType<YamlMappingNode>())
        {
            if (Scalar(item, "name", origin) == "client.authentication.k8s.io/exec")
            {
                return ToJson(Child(item, "extension"));
            }
        }

        return null;
    }

    /// <summary>Converts a YAML node to JSON with YAML 1.1 plain-scalar typing (the extension is opaque to us).</summary>
    private static JsonNode? ToJson(YamlNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    obj[(k as YamlScalarNode)?.Value ?? ""] = ToJson(v);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode s when s.Style is ScalarStyle.Plain:
                if (IsNull(s))
                {
                    return null;
                }

                if (s.Value is "true" or "false")
                {
                    return JsonValue.Create(s.Value == "true");
                }

                if (long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return JsonValue.Create(l);
                }

                if (double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return JsonValue.Create(d);
                }

                return JsonValue.Create(s.Value);
            case YamlScalarNode s:
                return JsonValue.Create(s.Value);
            default:
                return null;
        }
    }
}
