using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;
using Keelson.Templating.Semver;

namespace Keelson.Engine.Render.Helm;

/// <summary>Where a Helm HTTP repository is and how to reach it. The password never appears in messages.</summary>
public sealed record HelmRepository
{
    /// <summary>The repository's base URL (index.yaml lives under it).</summary>
    public required Uri Url { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>PEM certificates trusted for this repository instead of the system's roots.</summary>
    public string? CaPem { get; init; }
}

/// <summary>
/// Fetches charts from Helm HTTP repositories: reads index.yaml, picks the highest version a semver range allows
/// (Masterminds syntax, as Helm), downloads the .tgz, checks its sha256 digest against the index and caches it by
/// name, version and digest. Thread-safe.
/// </summary>
public sealed class HelmRepositoryClient(string cacheDirectory, TimeSpan? timeout = null)
{
    private const long MaxIndexBytes = 32L * 1024 * 1024;

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(60);

    /// <summary>Returns the path of the cached .tgz of <paramref name="chart"/> at the highest version <paramref name="versionRange"/> allows.</summary>
    /// <exception cref="HelmException">The repository cannot be read, has no such chart or version, or the archive's digest is wrong.</exception>
    public async Task<string> FetchAsync(HelmRepository repository, string chart, string versionRange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(chart);
        using var http = CreateClient(repository);
        var baseUrl = repository.Url.AbsoluteUri.EndsWith('/') ? repository.Url : new Uri(repository.Url.AbsoluteUri + "/");
        var index = await GetAsync(http, new Uri(baseUrl, "index.yaml"), MaxIndexBytes, cancellationToken).ConfigureAwait(false);
        var (version, url, digest) = Pick(index, chart, versionRange, baseUrl);

        var file = Path.Combine(cacheDirectory, $"{chart}-{version}-{(digest.Length > 0 ? digest[..Math.Min(16, digest.Length)] : "nodigest")}.tgz");
        if (digest.Length > 0 && File.Exists(file))
        {
            return file;
        }

        var data = await GetAsync(http, url, ChartLoader.MaxChartBytes, cancellationToken).ConfigureAwait(false);
        var actual = Convert.ToHexStringLower(SHA256.HashData(data));
        if (digest.Length > 0 && !string.Equals(actual, digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelmException($"chart {chart} {version} from {Display(url)}: digest is sha256:{actual}, the repository index says sha256:{digest}");
        }

        Directory.CreateDirectory(cacheDirectory);
        var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, data, cancellationToken).ConfigureAwait(false);
        File.Move(temp, file, overwrite: true);
        return file;
    }

    /// <summary>
    /// The dependencies of the chart in <paramref name="chartDirectory"/> that are neither vendored in charts/ nor
    /// local (file://), fetched from their repositories; pass the result as <see cref="HelmRenderOptions.FetchedDependencies"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> FetchMissingDependenciesAsync(string chartDirectory, Func<Uri, HelmRepository> repositoryFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositoryFor);
        var chart = ChartLoader.LoadDirectory(chartDirectory);
        var paths = new List<string>();
        foreach (var dep in chart.Metadata.Dependencies ?? [])
        {
            if (dep is null || chart.Dependencies.Any(d => d.Name == dep.Name))
            {
                continue;
            }

            if (!Uri.TryCreate(dep.Repository, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                continue;
            }

            paths.Add(await FetchAsync(repositoryFor(url), dep.Name, dep.Version, cancellationToken).ConfigureAwait(false));
        }

        return paths;
    }

    private static (string Version, Uri Url, string Digest) Pick(byte[] index, string chart, string versionRange, Uri baseUrl)
    {
        JsonNode? node;
        try
        {
            node = KubeYaml.Parse(Encoding.UTF8.GetString(index), ChartLoader.FirstDocument);
        }
        catch (YamlException e)
        {
            throw new HelmException($"{Display(baseUrl)}index.yaml is not valid YAML: {e.Message}", e);
        }

        if (node?["entries"]?[chart] is not JsonArray entries)
        {
            throw new HelmException($"chart \"{chart}\" not found in {Display(baseUrl)} repository");
        }

        var range = string.IsNullOrEmpty(versionRange) ? "*" : versionRange;
        if (!SemverConstraint.TryParse(range, out var constraint))
        {
            throw new HelmException($"invalid version range \"{versionRange}\" for chart {chart}");
        }

        SemverVersion? best = null;
        JsonObject? bestEntry = null;
        foreach (var entry in entries.OfType<JsonObject>())
        {
            if (entry["version"] is JsonValue v && SemverVersion.TryParse(v.ToString(), out var version)
                && constraint.IsSatisfiedBy(version) && (best is null || version.CompareTo(best) > 0))
            {
                best = version;
                bestEntry = entry;
            }
        }

        if (bestEntry is null || bestEntry["urls"] is not JsonArray { Count: > 0 } urls || urls[0] is not JsonValue first)
        {
            throw new HelmException($"chart \"{chart}\" version \"{versionRange}\" not found in {Display(baseUrl)} repository");
        }

        var url = new Uri(baseUrl, first.ToString());
        var digest = bestEntry["digest"] is JsonValue d ? d.ToString() : "";
        return (bestEntry["version"]!.ToString(), url, digest);
    }

    private HttpClient CreateClient(HelmRepository repository)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 5 };
        if (repository.CaPem is { } pem)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(pem);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        var http = new HttpClient(handler, disposeHandler: true) { Timeout = _timeout };
        if (repository.Username is { } user)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + repository.Password));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", token);
        }

        return http;
    }

    private static async Task<byte[]> GetAsync(HttpClient http, Uri url, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HelmException($"GET {Display(url)}: {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > maxBytes)
                {
                    throw new HelmException($"GET {Display(url)}: larger than {maxBytes} bytes");
                }

                buffer.Write(chunk, 0, n);
            }

            return buffer.ToArray();
        }
        catch (HttpRequestException e)
        {
            throw new HelmException($"GET {Display(url)}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HelmException($"GET {Display(url)}: timed out", e);
        }
    }

    // A URL may carry user:password; it is never shown.
    private static string Display(Uri url) =>
        url.UserInfo.Length == 0 ? url.AbsoluteUri : url.AbsoluteUri.Replace(url.UserInfo + "@", "", StringComparison.Ordinal);
}
