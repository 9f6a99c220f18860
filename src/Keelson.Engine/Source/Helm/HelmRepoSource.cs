using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Engine.Source.Helm;

/// <summary>
/// Charts from Helm HTTP repositories, the one client the pipeline uses (chart sources and chart dependencies):
/// reads index.yaml (kept per repository URL and credentials for <see cref="HelmRepoSourceOptions.IndexTtl"/>, then
/// revalidated with ETag / If-Modified-Since), picks a version as Helm does, downloads the .tgz, checks its sha256
/// against the index and keeps it on disk by (repository, chart, version, digest). Concurrent requests for the same
/// index or archive share one request. A server that does not answer is given up after short limits (connection,
/// silence, index), and a repository that failed is left alone for a while (see
/// <see cref="HelmRepoSourceOptions.FailureBackoff"/>), so Applications on a dead repository fail at once instead of
/// holding the workers. Thread-safe; credentials never appear in logs, messages or URLs.
/// </summary>
public sealed partial class HelmRepoSource : IDisposable
{
    private readonly HelmRepoSourceOptions _options;
    private readonly ILogger<HelmRepoSource> _logger;
    private readonly TimeProvider _time;

    // Keys credentials in memory without keeping them (or a stable hash of them) around.
    private readonly byte[] _credentialKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);

    // Per (repository, credentials): an index read with other credentials (or none) is never used, so a cached
    // index cannot let an Application see a repository its own credentials do not open.
    private readonly ConcurrentDictionary<(string Repo, string Credentials), CachedIndex> _indexes = new();
    private readonly SingleFlight<(string Repo, string Credentials), HelmRepoIndex> _indexFlights = new();
    private readonly SingleFlight<(string Repo, string Chart, string Version, string Digest), HelmChartArtifact> _downloads = new();

    // Archives already hashed by this process (path → sha256): the name carries the digest, the content was checked
    // once, so a steady state does not read every archive again on every reconcile.
    private readonly ConcurrentDictionary<string, string> _checked = new(StringComparer.Ordinal);

    // When this process last used each archive (path → time); archives it has not used fall back to their file time.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private readonly CancellationTokenSource _disposed = new();

    // Server failures per (repository, credentials, CA): of index reads, and apart from them of archive downloads,
    // whose failures (a dead file host, a stalled transfer) say nothing of the index, as a Git fetch's do not of ls-remote.
    private readonly FailureMemory _indexFailures;
    private readonly FailureMemory _chartFailures;
    private readonly HelmRepoMetrics _metrics;

    /// <summary>The name of the meter the source's counters are on (see <see cref="HelmRepoMetrics"/>).</summary>
    public const string MeterName = "Keelson.Engine.Source.Helm";

    public HelmRepoSource(HelmRepoSourceOptions options, ILogger<HelmRepoSource>? logger = null, TimeProvider? time = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IndexTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StallTimeout, TimeSpan.Zero);
        _options = options;
        _logger = logger ?? NullLogger<HelmRepoSource>.Instance;
        _time = time ?? TimeProvider.System;
        // Credentials nobody has used for an hour after their pause (a rotated password) are forgotten.
        _indexFailures = new FailureMemory(options.FailureBackoff, options.MaxFailureBackoff, TimeSpan.FromHours(1), _time, enabled: true);
        _chartFailures = new FailureMemory(options.FailureBackoff, options.MaxFailureBackoff, TimeSpan.FromHours(1), _time, enabled: true);
        _metrics = new HelmRepoMetrics(meterFactory);
    }

    /// <summary>
    /// The cached archive of <paramref name="chart"/> at the version <paramref name="versionOrRange"/> selects: an
    /// exact version, or a Masterminds range (<c>^1.2</c>, <c>&gt;=1.0 &lt;2.0</c>, <c>1.x</c>; empty means the
    /// latest), using an index younger than <see cref="HelmRepoSourceOptions.IndexTtl"/> without asking the server.
    /// </summary>
    /// <exception cref="SourceException">
    /// With a message fit for an Application's status: the repository cannot be reached (<see cref="SourceErrorReason.Unreachable"/>),
    /// refuses the credentials (<see cref="SourceErrorReason.AuthenticationFailed"/>), has no such chart or version
    /// (<see cref="SourceErrorReason.RevisionNotFound"/>), took too long (<see cref="SourceErrorReason.Timeout"/>),
    /// sends too much (<see cref="SourceErrorReason.TooLarge"/>), or sends an archive whose digest differs from the index's.
    /// A repository that failed a moment ago is not asked again until its pause is over: the same failure is thrown at once.
    /// </exception>
    public Task<HelmChartArtifact> FetchAsync(HelmRepoConnection repo, string chart, string versionOrRange, CancellationToken cancellationToken) =>
        FetchAsync(repo, chart, versionOrRange, HelmIndexFreshness.Cached, cancellationToken);

    /// <summary>As <see cref="FetchAsync(HelmRepoConnection, string, string, CancellationToken)"/>, with how fresh the index must be.</summary>
    /// <exception cref="SourceException">As the other overload.</exception>
    public async Task<HelmChartArtifact> FetchAsync(HelmRepoConnection repo, string chart, string versionOrRange, HelmIndexFreshness freshness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(versionOrRange);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var baseUrl = BaseUrl(repo.Url);
        CheckName(chart, "chart name");
        var repoKey = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(baseUrl.AbsoluteUri)))[..16];
        var failureKey = repoKey + ":" + FailureKey(repo);
        var index = await IndexAsync(repo, baseUrl, (repoKey, CredentialKey(repo)), failureKey, freshness, cancellationToken).ConfigureAwait(false);
        var entry = index.Pick(chart, versionOrRange.Trim(), baseUrl.AbsoluteUri);
        CheckName(entry.Version, "chart version");
        var digest = entry.Digest.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? entry.Digest["sha256:".Length..] : entry.Digest;
        digest = digest.ToLowerInvariant();
        if (digest.Length > 0 && !Sha256Hex().IsMatch(digest))
        {
            throw new SourceException(
                SourceErrorReason.GitError,
                $"chart \"{chart}\" {entry.Version} in the Helm repository {baseUrl.AbsoluteUri} has an invalid digest \"{entry.Digest}\" (expected 64 hexadecimal digits)");
        }

        var reload = freshness == HelmIndexFreshness.Reload;
        // A refresh is a person asking: worth an attempt even on a repository that failed a moment ago.
        var ask = freshness != HelmIndexFreshness.Cached;
        return await _downloads.RunAsync(
            (repoKey, chart, entry.Version, digest),
            () => DownloadAsync(repo, baseUrl, repoKey, failureKey, chart, entry, digest, reload, ask, _disposed.Token),
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _metrics.Dispose();
        _disposed.Dispose();
    }

    private async Task<HelmRepoIndex> IndexAsync(
        HelmRepoConnection repo, Uri baseUrl, (string, string) key, string failureKey, HelmIndexFreshness freshness, CancellationToken cancellationToken)
    {
        if (freshness == HelmIndexFreshness.Cached && _indexes.TryGetValue(key, out var cached) && _time.GetUtcNow() - cached.CheckedAt < _options.IndexTtl)
        {
            return cached.Index;
        }

        // While the repository's pause lasts, or while one request asks it again, the others are told its last failure.
        if (freshness == HelmIndexFreshness.Cached && _indexFailures.Recall(failureKey) is { } remembered)
        {
            _metrics.RememberedFailures.Add(1);
            throw remembered;
        }

        // A caller that arrives while a read is under way shares it: it started after the caller's own request did
        // not, but it is as fresh as any read this caller could start now.
        return await _indexFlights.RunAsync(
            key,
            async () =>
            {
                var url = new Uri(baseUrl, "index.yaml");
                var started = _time.GetTimestamp();
                var previous = freshness == HelmIndexFreshness.Reload ? null : _indexes.GetValueOrDefault(key);
                var limit = _options.IndexTimeout < _options.RequestTimeout ? _options.IndexTimeout : _options.RequestTimeout;
                Response response;
                using (_indexFailures.Begin(failureKey))
                {
                    try
                    {
                        response = await GetAsync(repo, url, _options.MaxIndexBytes, limit, previous, _disposed.Token).ConfigureAwait(false);
                    }
                    catch (SourceException e) when (IsServerFailure(e, index: true))
                    {
                        // Every caller sharing this attempt, and every one until the next, is told the same.
                        throw Remember(_indexFailures, failureKey, e, baseUrl, "index");
                    }
                }

                _indexFailures.Forget(failureKey);
                var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
                if (response.NotModified && previous is not null)
                {
                    _indexes[key] = previous with { CheckedAt = _time.GetUtcNow() };
                    _metrics.IndexRequests.Add(1, new KeyValuePair<string, object?>("result", "not_modified"));
                    LogIndexNotModified(url.AbsoluteUri, elapsed);
                    return previous.Index;
                }

                // A server that ignores conditional requests (or a hard refresh) sends the same bytes again: a large
                // index takes seconds to read, so it is read again only when its bytes differ.
                var hash = Hex(SHA256.HashData(response.Data));
                if (_indexes.GetValueOrDefault(key) is { } known && known.Hash == hash)
                {
                    _indexes[key] = known with { CheckedAt = _time.GetUtcNow(), ETag = response.ETag, LastModified = response.LastModified };
                    _metrics.IndexRequests.Add(1, new KeyValuePair<string, object?>("result", "unchanged"));
                    LogIndexUnchanged(url.AbsoluteUri, response.Data.Length, elapsed);
                    return known.Index;
                }

                var index = HelmRepoIndex.Parse(Encoding.UTF8.GetString(response.Data), url.AbsoluteUri);
                _indexes[key] = new CachedIndex(index, _time.GetUtcNow(), response.ETag, response.LastModified, hash);
                _metrics.IndexRequests.Add(1, new KeyValuePair<string, object?>("result", "read"));
                LogIndexRead(url.AbsoluteUri, response.Data.Length, elapsed);
                return index;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<HelmChartArtifact> DownloadAsync(
        HelmRepoConnection repo,
        Uri baseUrl,
        string repoKey,
        string failureKey,
        string chart,
        HelmIndexEntry entry,
        string expected,
        bool reload,
        bool ask,
        CancellationToken cancellationToken)
    {
        var path = CachePath(repoKey, chart, entry.Version, expected);
        if (File.Exists(path) && !(reload && expected.Length == 0))
        {
            // A hard refresh hashes the file again rather than trusting what this process checked before.
            var have = !reload && _checked.TryGetValue(path, out var known) ? known : await HashFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (expected.Length == 0 || have == expected)
            {
                _checked[path] = have;
                _used[path] = _time.GetUtcNow();
                LogCacheHit(chart, entry.Version, baseUrl.AbsoluteUri);
                return new HelmChartArtifact(chart, entry.Version, path, have);
            }

            // The name says which digest the file should have; something changed it on disk.
            _checked.TryRemove(path, out _);
            LogCorrupt(chart, entry.Version, baseUrl.AbsoluteUri);
        }

        if (entry.Urls.Count == 0)
        {
            throw new SourceException(SourceErrorReason.RevisionNotFound, $"chart \"{chart}\" {entry.Version} in the Helm repository {baseUrl.AbsoluteUri} lists no download URL");
        }

        Uri url;
        try
        {
            url = new Uri(baseUrl, entry.Urls[0]);
        }
        catch (UriFormatException)
        {
            throw new SourceException(SourceErrorReason.InvalidUrl, $"chart \"{chart}\" {entry.Version} in the Helm repository {baseUrl.AbsoluteUri} has an invalid URL: {RepoUrl.Redact(entry.Urls[0])}");
        }

        if (url.Scheme is not ("http" or "https"))
        {
            throw new SourceException(SourceErrorReason.ProtocolNotAllowed, $"chart \"{chart}\" {entry.Version}: {Display(url)} is not an http(s) URL");
        }

        // Only a download the cache cannot serve waits on the server, so charts already here are served while it is down.
        if (!ask && _chartFailures.Recall(failureKey) is { } remembered)
        {
            _metrics.RememberedFailures.Add(1);
            throw remembered;
        }

        var started = _time.GetTimestamp();
        byte[] data;
        using (_chartFailures.Begin(failureKey))
        {
            try
            {
                data = (await GetAsync(repo, url, _options.MaxChartBytes, _options.RequestTimeout, null, cancellationToken).ConfigureAwait(false)).Data;
            }
            catch (SourceException e) when (IsServerFailure(e, index: false))
            {
                throw Remember(_chartFailures, failureKey, e, baseUrl, "archive");
            }
        }

        _chartFailures.Forget(failureKey);
        var actual = Hex(SHA256.HashData(data));
        if (expected.Length > 0 && actual != expected)
        {
            throw new SourceException(
                SourceErrorReason.GitError,
                $"chart \"{chart}\" {entry.Version} from {Display(url)} failed its integrity check: its sha256 digest is {actual}, the repository index says {expected}");
        }

        if (expected.Length == 0)
        {
            LogNoDigest(chart, entry.Version, baseUrl.AbsoluteUri);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await File.WriteAllBytesAsync(temp, data, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        _checked[path] = actual;
        _used[path] = _time.GetUtcNow();

        var shown = Display(url);
        var elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
        _metrics.Downloads.Add(1);
        _metrics.DownloadDuration.Record(elapsedMs / 1000);
        LogDownloaded(chart, entry.Version, shown, data.Length, elapsedMs);
        Trim();
        return new HelmChartArtifact(chart, entry.Version, path, actual);
    }

    /// <summary>
    /// Deletes the least recently used archives while the cache is over <see cref="HelmRepoSourceOptions.MaxCacheBytes"/>,
    /// sparing any used within <see cref="HelmRepoSourceOptions.KeepRecentlyUsed"/>. A deleted archive is simply
    /// downloaded again when next asked for. Runs after downloads only, so a steady state never lists the cache.
    /// </summary>
    private void Trim()
    {
        lock (_trimming)
        {
            List<(string Path, long Size, DateTimeOffset Used)> archives;
            try
            {
                archives = [.. new DirectoryInfo(_options.CacheRoot)
                    .EnumerateFiles("*.tgz", SearchOption.AllDirectories)
                    .Select(f => (f.FullName, f.Length, _used.TryGetValue(f.FullName, out var used) ? used : new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogTrimFailed(_options.CacheRoot, ex.Message);
                return;
            }

            var total = archives.Sum(a => a.Size);
            if (total <= _options.MaxCacheBytes)
            {
                return;
            }

            var keepAfter = _time.GetUtcNow() - _options.KeepRecentlyUsed;
            foreach (var (path, size, used) in archives.Where(a => a.Used < keepAfter).OrderBy(a => a.Used))
            {
                if (total <= _options.MaxCacheBytes)
                {
                    break;
                }

                try
                {
                    File.Delete(path);
                    total -= size;
                    _checked.TryRemove(path, out _);
                    _used.TryRemove(path, out _);
                    LogTrimmed(path, size);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogTrimFailed(path, ex.Message);
                }
            }
        }
    }

    private async Task<Response> GetAsync(HelmRepoConnection repo, Uri url, long maxBytes, TimeSpan limit, CachedIndex? previous, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(limit, _time);
        // Restarted before each read of the body: it fires only when nothing at all arrives for that long.
        using var stall = new CancellationTokenSource(_options.StallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stall.Token, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Keelson", "1.0"));
        if (previous?.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }
        else if (previous?.LastModified is { } modified)
        {
            request.Headers.IfModifiedSince = modified;
        }

        var sendCredentials = repo.Username is not null && (repo.PassCredentialsToAllHosts || SameOrigin(url, repo.Url));
        if (sendCredentials && repo.Username is { } user)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + repo.Password)));
        }

        try
        {
            using var response = await Client(repo).SendAsync(request, linked.Token).ConfigureAwait(false);
            var shown = Display(response.RequestMessage?.RequestUri ?? url);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var why = repo.Username is null ? "the repository needs credentials"
                    : sendCredentials ? "the repository refused the credentials"
                    : "the repository's credentials are only sent to its own host unless passing them to all hosts is allowed";
                throw new SourceException(SourceErrorReason.AuthenticationFailed, $"GET {shown}: {(int)response.StatusCode} {response.ReasonPhrase} ({why})");
            }

            if (response.StatusCode == HttpStatusCode.NotModified && previous is not null)
            {
                return new Response([], true, null, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                // The status rides along so a missing archive is told apart from a server in trouble.
                var status = new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
                throw new SourceException(SourceErrorReason.Unreachable, $"GET {shown}: {(int)response.StatusCode} {response.ReasonPhrase}", status);
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw TooLarge(shown, maxBytes);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (true)
            {
                stall.CancelAfter(_options.StallTimeout);
                var n = await stream.ReadAsync(chunk, linked.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (buffer.Length + n > maxBytes)
                {
                    throw TooLarge(shown, maxBytes);
                }

                buffer.Write(chunk, 0, n);
            }

            return new Response(buffer.ToArray(), false, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified);
        }
        catch (HttpRequestException e)
        {
            var tls = e.InnerException is AuthenticationException;
            var reason = tls ? "the server's TLS certificate is not trusted" + (repo.CaPem is null ? " (set a CA certificate for this repository)" : " by the repository's CA certificate")
                // .NET only says "An error occurred while sending the request." then.
                : e.HttpRequestError == HttpRequestError.ResponseEnded ? "the server closed the connection without answering"
                : e.Message;
            throw new SourceException(SourceErrorReason.Unreachable, $"GET {Display(url)}: {RepoUrl.Redact(reason)}", e);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested && Stopped(e, timeout, stall, limit) is { } why)
        {
            throw new SourceException(SourceErrorReason.Timeout, $"GET {Display(url)}: {why}", e);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection broke in the middle of the answer.
            throw new SourceException(SourceErrorReason.Unreachable, $"GET {Display(url)}: {RepoUrl.Redact(e.Message)}", e);
        }
    }

    /// <summary>Which of the limits stopped a request, in words that are the same at each failure; null if none did.</summary>
    private string? Stopped(Exception e, CancellationTokenSource timeout, CancellationTokenSource stall, TimeSpan limit) =>
        // Silence first: when both have passed (only a clock moved by hand does that), it is the cause.
        stall.IsCancellationRequested ? $"the server sent nothing for {Durations.Seconds(_options.StallTimeout)}"
        : timeout.IsCancellationRequested ? $"no complete answer within {Durations.Seconds(limit)}"
        // The handler's own connect limit: an OperationCanceledException around a TimeoutException.
        : e is OperationCanceledException { InnerException: TimeoutException } ? $"no connection within {Durations.Seconds(_options.ConnectTimeout)}"
        : null;

    // What a request can fail with because of the server or the credentials, not because of the chart asked for: a
    // missing index means a wrong or vanished repository, a missing archive only that one chart version.
    private static bool IsServerFailure(SourceException e, bool index) =>
        e.Reason is SourceErrorReason.Timeout or SourceErrorReason.AuthenticationFailed
        || (e.Reason == SourceErrorReason.Unreachable
            && (index || e.InnerException is not HttpRequestException { StatusCode: HttpStatusCode.NotFound or HttpStatusCode.Gone }));

    private SourceException Remember(FailureMemory memory, string key, SourceException failure, Uri repo, string what)
    {
        var (told, wait, count) = memory.Remember(key, failure);
        if (count > 0)
        {
            LogLeftAlone(repo.AbsoluteUri, what, failure.Reason.ToString(), count, wait.TotalSeconds);
        }

        return told;
    }

    private HttpMessageInvoker Client(HelmRepoConnection repo)
    {
        var ca = repo.CaPem is { Length: > 0 } pem ? Hex(SHA256.HashData(Encoding.UTF8.GetBytes(pem))) : "";
        return _clients.GetOrAdd(ca, _ => CreateClient(repo.CaPem, _options.ConnectTimeout));
    }

    private static HttpMessageInvoker CreateClient(string? caPem, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            // The TCP connection and the TLS handshake together.
            ConnectTimeout = connectTimeout,
            // .NET drops the Authorization header when it follows a redirect.
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (caPem is { Length: > 0 })
        {
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPem(caPem);
            }
            catch (CryptographicException e)
            {
                throw new SourceException(SourceErrorReason.InvalidUrl, "the repository's CA certificate is not valid PEM: " + e.Message, e);
            }

            if (roots.Count == 0)
            {
                throw new SourceException(SourceErrorReason.InvalidUrl, "the repository's CA certificate holds no PEM certificate");
            }

            // Like Helm's --ca-file: these roots replace the system's. Go does not check revocation, nor do we.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private string CredentialKey(HelmRepoConnection repo) =>
        repo.Username is null ? "" : Hex(HMACSHA256.HashData(_credentialKey, Encoding.UTF8.GetBytes(repo.Username + "\0" + repo.Password)));

    // Everything that can turn a failure into a success: fixed credentials, another CA (a TLS failure), passing the
    // credentials to the archives' host. Keyed like the credentials, so the key says nothing of the secret.
    private string FailureKey(HelmRepoConnection repo) =>
        Hex(HMACSHA256.HashData(
            _credentialKey,
            Encoding.UTF8.GetBytes($"{repo.Username is not null}\0{repo.Username}\0{repo.Password}\0{repo.CaPem}\0{repo.PassCredentialsToAllHosts}")))[..32];

    // By (repository, chart, version, digest): an archive republished under the same version gets a new file, so
    // whatever was rendered from the old one (keyed by path) is not mistaken for the new one.
    private string CachePath(string repoKey, string chart, string version, string digest) =>
        // Full, so it is the same string the cache trim finds on disk.
        Path.GetFullPath(Path.Combine(_options.CacheRoot, repoKey, $"{chart}-{version}-{(digest.Length > 0 ? digest[..16] : "nodigest")}.tgz"));

    private static Uri BaseUrl(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new SourceException(SourceErrorReason.ProtocolNotAllowed, $"{RepoUrl.Redact(url.OriginalString)} is not an http(s) Helm repository URL");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new SourceException(SourceErrorReason.InvalidUrl, $"{Display(url)}: credentials belong in the repository's Secret, not in its URL");
        }

        // Helm resolves chart URLs against the repository URL as a directory.
        var text = url.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    private static void CheckName(string value, string what)
    {
        if (!SafeName().IsMatch(value) || value.Contains("..", StringComparison.Ordinal))
        {
            throw new SourceException(SourceErrorReason.InvalidRevision, $"invalid {what} \"{value}\"");
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static SourceException TooLarge(string url, long maxBytes) =>
        new(SourceErrorReason.TooLarge, $"GET {url}: the response is larger than the limit of {maxBytes} bytes");

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Hex(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    // Query strings may carry tokens (signed URLs); user-info may carry a password.
    private static string Display(Uri url) => new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.AbsoluteUri;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();

    /// <summary>An index as last read, with what the server sent to revalidate it.</summary>
    private sealed record CachedIndex(HelmRepoIndex Index, DateTimeOffset CheckedAt, string? ETag, DateTimeOffset? LastModified, string Hash);

    private sealed record Response(byte[] Data, bool NotModified, string? ETag, DateTimeOffset? LastModified);
}
