using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Kubernetes;

namespace Keelson.Operator.Applications;

/// <summary>
/// <c>spec</c> of an Application, read from the unstructured object with the CRD's defaults, so an object that
/// bypassed defaulting (an older CRD, a status-less test object) means the same as one that did not.
/// </summary>
internal sealed record ApplicationSpec
{
    public required SourceSpec Source { get; init; }

    public DestinationSpec Destination { get; init; } = new();

    public SyncPolicySpec SyncPolicy { get; init; } = new();

    /// <summary>Reads <c>spec</c> of an Application.</summary>
    /// <exception cref="SpecException">A field is missing or malformed; the message names it.</exception>
    public static ApplicationSpec Parse(JsonObject application)
    {
        ArgumentNullException.ThrowIfNull(application);
        var spec = JsonRead.Object(application, "spec") ?? throw new SpecException("spec", "is missing");
        var destination = Text(JsonRead.Object(spec, "destination"), "namespace");
        return new ApplicationSpec
        {
            Source = SourceSpec.Parse(
                JsonRead.Object(spec, "source") ?? throw new SpecException("spec.source", "is missing"),
                application.GetName() ?? "",
                destination ?? "default"),
            Destination = new DestinationSpec { Namespace = destination },
            SyncPolicy = SyncPolicySpec.Parse(JsonRead.Object(spec, "syncPolicy")),
        };
    }

    internal static string? Text(JsonObject? parent, string name) => JsonRead.String(parent, name) is { Length: > 0 } s ? s.Trim() : null;
}

/// <summary><c>spec.source</c>: where the desired state comes from.</summary>
internal sealed record SourceSpec
{
    public required string RepoUrl { get; init; }

    public string TargetRevision { get; init; } = "HEAD";

    /// <summary>Directory in the repository, "" for the root.</summary>
    public string Path { get; init; } = "";

    /// <summary>Name of a Secret in the Application's namespace with the repository's credentials.</summary>
    public string? SecretName { get; init; }

    public DirectoryOptions Directory { get; init; } = new();

    /// <summary>
    /// <c>spec.source.helm</c>, with the release name defaulted to the Application's name and the release namespace
    /// to the destination's. Used whenever the source is a chart; the cluster's capabilities are added by the reconciler.
    /// </summary>
    public required HelmSourceOptions Helm { get; init; }

    /// <summary><c>spec.source.chart</c>: the source is this chart of the Helm repository at <see cref="RepoUrl"/>.</summary>
    public string? Chart { get; init; }

    /// <summary>
    /// <c>spec.source.helm.repositories</c>: the Secrets (in the Application's namespace) holding credentials for the
    /// Helm repositories a chart's non-vendored dependencies come from, each for the repositories under its URL.
    /// </summary>
    public IReadOnlyList<DependencyRepositorySpec> DependencyRepositories { get; init; } = [];

    public static SourceSpec Parse(JsonObject source, string appName, string releaseNamespace)
    {
        var repoUrl = ApplicationSpec.Text(source, "repoURL") ?? throw new SpecException("spec.source.repoURL", "is required");
        var chart = ApplicationSpec.Text(source, "chart");
        if (chart is not null)
        {
            if (!Uri.TryCreate(repoUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new SpecException("spec.source.repoURL", $"must be an http:// or https:// Helm repository when spec.source.chart is set, not '{repoUrl}'");
            }

            if (chart.Contains('/', StringComparison.Ordinal) || chart.Contains("..", StringComparison.Ordinal))
            {
                throw new SpecException("spec.source.chart", $"'{chart}' is not a chart name (no '/' or '..')");
            }
        }

        var path = (JsonRead.String(source, "path") ?? "").Trim();
        if (path is "." or "./")
        {
            path = "";
        }

        var directory = JsonRead.Object(source, "directory");
        string? secret = null;
        if (JsonRead.Object(source, "secretRef") is { } secretRef)
        {
            secret = ApplicationSpec.Text(secretRef, "name") ?? throw new SpecException("spec.source.secretRef.name", "is required when secretRef is set");
        }

        return new SourceSpec
        {
            RepoUrl = repoUrl,
            Chart = chart,
            TargetRevision = ApplicationSpec.Text(source, "targetRevision") ?? (chart is null ? "HEAD" : "*"),
            Path = path,
            SecretName = secret,
            Directory = new DirectoryOptions
            {
                Recurse = JsonRead.Bool(directory, "recurse") ?? false,
                Include = JsonRead.String(directory, "include") ?? new DirectoryOptions().Include,
                Exclude = JsonRead.String(directory, "exclude") ?? "",
            },
            Helm = HelmSpec.Parse(source["helm"], appName, releaseNamespace),
            DependencyRepositories = HelmSpec.Repositories(source["helm"] as JsonObject),
        };
    }
}

/// <summary>One <c>spec.source.helm.repositories</c> entry: the Secret for the Helm repositories under <see cref="Url"/>.</summary>
internal sealed record DependencyRepositorySpec(string Url, string SecretName);

/// <summary>Reads <c>spec.source.helm</c> strictly: a field of the wrong type is an error naming it, not ignored.</summary>
internal static class HelmSpec
{
    private const string Prefix = "spec.source.helm";

    public static HelmSourceOptions Parse(JsonNode? node, string appName, string releaseNamespace)
    {
        if (node is null)
        {
            return new HelmSourceOptions { ReleaseName = appName, Namespace = releaseNamespace };
        }

        if (node is not JsonObject helm)
        {
            throw new SpecException(Prefix, "must be an object");
        }

        var version = String(helm, "version");
        if (version is not (null or "v3" or "v4"))
        {
            throw new SpecException($"{Prefix}.version", $"'{version}' is not supported (use v3 or v4)");
        }

        return new HelmSourceOptions
        {
            ReleaseName = String(helm, "releaseName") is { Length: > 0 } release ? release : appName,
            Namespace = releaseNamespace,
            ValueFiles = Strings(helm, "valueFiles"),
            Values = String(helm, "values"),
            ValuesObject = helm["valuesObject"] switch
            {
                null => null,
                JsonObject o => (JsonObject)o.DeepClone(),
                _ => throw new SpecException($"{Prefix}.valuesObject", "must be an object"),
            },
            Parameters = Parameters(helm),
            SkipCrds = Bool(helm, "skipCrds"),
            KubeVersion = String(helm, "kubeVersion"),
            ApiVersions = Strings(helm, "apiVersions"),
            IgnoreMissingValueFiles = Bool(helm, "ignoreMissingValueFiles"),
            Version = version,
        };
    }

    /// <summary>Reads <c>spec.source.helm.repositories</c>: <c>[{url, secretRef: {name}}]</c>.</summary>
    public static List<DependencyRepositorySpec> Repositories(JsonObject? helm)
    {
        var list = new List<DependencyRepositorySpec>();
        if (helm?["repositories"] is null)
        {
            return list;
        }

        if (helm["repositories"] is not JsonArray items)
        {
            throw new SpecException($"{Prefix}.repositories", "must be a list of {url, secretRef: {name}}");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var where = $"{Prefix}.repositories[{i}]";
            if (items[i] is not JsonObject item)
            {
                throw new SpecException(where, "must be an object {url, secretRef: {name}}");
            }

            var url = String(item, "url", where)?.Trim() is { Length: > 0 } u ? u : throw new SpecException($"{where}.url", "is required");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.UserInfo.Length > 0)
            {
                // A URL with user-info may hold a password: it is not echoed.
                var shown = url.Contains('@', StringComparison.Ordinal) ? "" : $", not '{url}'";
                throw new SpecException($"{where}.url", $"must be an http:// or https:// URL without credentials in it{shown}");
            }

            var secret = item["secretRef"] is JsonObject secretRef && String(secretRef, "name", $"{where}.secretRef")?.Trim() is { Length: > 0 } name
                ? name
                : throw new SpecException($"{where}.secretRef.name", "is required");
            list.Add(new DependencyRepositorySpec(url, secret));
        }

        return list;
    }

    private static List<HelmParameter> Parameters(JsonObject helm)
    {
        var list = new List<HelmParameter>();
        if (helm["parameters"] is null)
        {
            return list;
        }

        if (helm["parameters"] is not JsonArray items)
        {
            throw new SpecException($"{Prefix}.parameters", "must be a list of {name, value, forceString}");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var where = $"{Prefix}.parameters[{i}]";
            if (items[i] is not JsonObject item)
            {
                throw new SpecException(where, "must be an object {name, value, forceString}");
            }

            var name = String(item, "name", where) is { Length: > 0 } n ? n : throw new SpecException($"{where}.name", "is required");
            var value = item["value"] switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),

                // A number or boolean written without quotes means what its text says, as on Helm's command line.
                JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
                _ => throw new SpecException($"{where}.value", "must be a string"),
            };
            list.Add(new HelmParameter(name, value, Bool(item, "forceString", where)));
        }

        return list;
    }

    private static string? String(JsonObject parent, string name, string where = Prefix) => parent[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new SpecException($"{where}.{name}", "must be a string"),
    };

    private static bool Bool(JsonObject parent, string name, string where = Prefix) => parent[name] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new SpecException($"{where}.{name}", "must be true or false"),
    };

    private static List<string> Strings(JsonObject parent, string name)
    {
        if (parent[name] is null)
        {
            return [];
        }

        if (parent[name] is not JsonArray items)
        {
            throw new SpecException($"{Prefix}.{name}", "must be a list of strings");
        }

        var list = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            list.Add(items[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new SpecException($"{Prefix}.{name}[{i}]", "must be a string"));
        }

        return list;
    }
}

/// <summary><c>spec.destination</c>.</summary>
internal sealed record DestinationSpec
{
    /// <summary>Set on namespaced objects that have no namespace of their own.</summary>
    public string? Namespace { get; init; }
}

/// <summary><c>spec.syncPolicy</c>.</summary>
internal sealed record SyncPolicySpec
{
    // Argo CD options that describe what Keelson always does; accepted so migrated Applications need no edit.
    private static readonly string[] AlwaysOn = ["ServerSideApply", "ApplyOutOfSyncOnly"];

    /// <summary>Null: Keelson only reports OutOfSync (and syncs on request).</summary>
    public AutomatedPolicy? Automated { get; init; }

    public bool CreateNamespace { get; init; }

    /// <summary>
    /// <c>Replace=true</c>: an object whose change the API server refuses as immutable (a Deployment's selector, a Job's
    /// template) is deleted and re-created. Narrower than Argo CD's option of that name, which replaces every object
    /// with <c>kubectl replace</c>: Keelson still applies server-side and replaces only what cannot be patched, as
    /// Flux's <c>force</c> does.
    /// </summary>
    public bool Replace { get; init; }

    /// <summary>Null: a failed sync is not retried until the revision or the spec changes, or a sync is requested.</summary>
    public RetryPolicy? Retry { get; init; }

    public static SyncPolicySpec Parse(JsonObject? policy)
    {
        if (policy is null)
        {
            return new SyncPolicySpec();
        }

        AutomatedPolicy? automated = null;
        if (JsonRead.Object(policy, "automated") is { } auto)
        {
            automated = new AutomatedPolicy
            {
                Prune = JsonRead.Bool(auto, "prune") ?? false,
                SelfHeal = JsonRead.Bool(auto, "selfHeal") ?? false,
                AllowEmpty = JsonRead.Bool(auto, "allowEmpty") ?? false,
            };
        }

        var createNamespace = false;
        var replace = false;
        if (JsonRead.Array(policy, "syncOptions") is { } options)
        {
            for (var i = 0; i < options.Count; i++)
            {
                var text = options[i] is JsonValue v && v.TryGetValue(out string? s) ? s.Trim() : "";
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = eq > 0 ? (text[..eq], text[(eq + 1)..]) : (text, "");
                var where = $"spec.syncPolicy.syncOptions[{i}]";
                if (value is not ("true" or "false"))
                {
                    throw new SpecException(where, $"'{text}' is not NAME=true or NAME=false");
                }

                if (name == "CreateNamespace")
                {
                    createNamespace = value == "true";
                }
                else if (name == "Replace")
                {
                    replace = value == "true";
                }
                else if (!AlwaysOn.Contains(name, StringComparer.Ordinal))
                {
                    throw new SpecException(where, $"'{name}' is not a supported sync option (supported: CreateNamespace, Replace, and {string.Join(", ", AlwaysOn)} which are always on)");
                }
                else if (value == "false")
                {
                    throw new SpecException(where, $"{name} cannot be turned off: Keelson always applies server-side and only what is out of sync");
                }
            }
        }

        return new SyncPolicySpec
        {
            Automated = automated,
            CreateNamespace = createNamespace,
            Replace = replace,
            Retry = JsonRead.Object(policy, "retry") is { } retry ? RetryPolicy.Parse(retry) : null,
        };
    }
}

/// <summary><c>spec.syncPolicy.automated</c>. Argo CD's defaults: everything off.</summary>
internal sealed record AutomatedPolicy
{
    /// <summary>Delete objects that are no longer rendered.</summary>
    public bool Prune { get; init; }

    /// <summary>Sync again when a managed object drifts, not only when Git changes.</summary>
    public bool SelfHeal { get; init; }

    /// <summary>Allow a sync that would prune every object (an empty render).</summary>
    public bool AllowEmpty { get; init; }
}

/// <summary><c>spec.syncPolicy.retry</c>, with Argo CD's defaults (5 retries, 5 s doubling up to 3 min).</summary>
internal sealed record RetryPolicy
{
    public int Limit { get; init; } = 5;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public int Factor { get; init; } = 2;

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1 for the first retry):
    /// Duration × Factor^(retry−1), capped at MaxDuration.
    /// </summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ticks = Duration.Ticks * Math.Pow(Factor, retry - 1);
        return ticks >= MaxDuration.Ticks ? MaxDuration : TimeSpan.FromTicks((long)ticks);
    }

    public static RetryPolicy Parse(JsonObject retry)
    {
        var defaults = new RetryPolicy();
        var limit = JsonRead.Long(retry, "limit") ?? defaults.Limit;
        if (limit is < 0 or > int.MaxValue)
        {
            throw new SpecException("spec.syncPolicy.retry.limit", $"{limit} is not between 0 and {int.MaxValue}");
        }

        var backoff = JsonRead.Object(retry, "backoff");
        var factor = JsonRead.Long(backoff, "factor") ?? defaults.Factor;
        if (factor is < 1 or > 1000)
        {
            throw new SpecException("spec.syncPolicy.retry.backoff.factor", $"{factor} is not between 1 and 1000");
        }

        var duration = ReadDuration(backoff, "duration", defaults.Duration);
        var max = ReadDuration(backoff, "maxDuration", defaults.MaxDuration);
        if (max < duration)
        {
            throw new SpecException("spec.syncPolicy.retry.backoff.maxDuration", $"{Keelson.Templating.Dates.GoDuration.Format(max)} is shorter than duration {Keelson.Templating.Dates.GoDuration.Format(duration)}");
        }

        return new RetryPolicy { Limit = (int)limit, Factor = (int)factor, Duration = duration, MaxDuration = max };
    }

    private static TimeSpan ReadDuration(JsonObject? backoff, string name, TimeSpan fallback)
    {
        if (JsonRead.String(backoff, name) is not { } text)
        {
            return fallback;
        }

        return Keelson.Templating.Dates.GoDuration.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero
            ? value
            : throw new SpecException($"spec.syncPolicy.retry.backoff.{name}", $"'{text}' is not a positive duration (write e.g. 5s, 1m30s, 2h)");
    }
}

/// <summary>A spec the CRD schema let through but Keelson cannot act on; the message names the field.</summary>
internal sealed class SpecException(string field, string problem) : Exception($"{field} {problem}")
{
    public string Field { get; } = field;
}
