using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

/// <summary>
/// Gets the files of a revision of a Git repository onto disk, through the git CLI: one bare repository per URL
/// under the cache root, shared by every caller; a cheap, briefly cached <c>ls-remote</c> decides whether anything has
/// to be fetched; only the needed commit is fetched; each commit's files are extracted once and shared. Repository
/// caches unused for a while, or over the size limit, are removed by a periodic check (see GitSource.Trim.cs).
/// Thread-safe; one instance per cache root.
/// </summary>
public sealed partial class GitSource : IAsyncDisposable
{
    /// <summary>Name of the <see cref="Meter"/> whose counters show the git work done (see the instruments in the docs).</summary>
    public const string MeterName = "Keelson.Engine.Source";

    private readonly GitSourceOptions _options;
    private readonly ILogger<GitSource> _logger;
    private readonly TimeProvider _time;
    private readonly SourcePaths _paths;
    private readonly GitRunner _runner;
    private readonly TreeStore _trees;
    private readonly TreeExtractor _extractor;
    private readonly SourceMetrics _metrics;
    private readonly FileStream _lock;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _reposGate = new();
    private readonly Dictionary<string, RepoSlot> _repos = new(StringComparer.Ordinal);
    private readonly Lock _trimGate = new();
    private readonly ITimer _trimTimer;
    private readonly SingleFlight<string, bool> _extractions = new();
    private readonly byte[] _credentialSalt = RandomNumberGenerator.GetBytes(32);
    private long _sequence;
    private int _disposed;

    public GitSource(GitSourceOptions options, ILogger<GitSource> logger, TimeProvider time)
        : this(options, logger, time, meterFactory: null, GitHooks.None)
    {
    }

    public GitSource(GitSourceOptions options, ILogger<GitSource> logger, TimeProvider time, IMeterFactory? meterFactory)
        : this(options, logger, time, meterFactory, GitHooks.None)
    {
    }

    internal GitSource(GitSourceOptions options, ILogger<GitSource> logger, TimeProvider time, IMeterFactory? meterFactory, GitHooks hooks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.CacheRoot);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CommandTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LsRemoteTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StallTimeout, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailureBackoff, options.FailureBackoff);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LsRemoteCacheTtl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTrees, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxOutputBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTreeBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RepoIdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRepoCacheBytes, 0);
        if (options.RepoTrimInterval != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RepoTrimInterval, TimeSpan.Zero);
        }

        _options = options;
        _logger = logger;
        _time = time;
        _paths = new SourcePaths(options.CacheRoot);
        SourcePaths.CreatePrivate(_paths.Root);
        try
        {
            // FileShare.None takes an exclusive advisory lock: two owners of one cache would corrupt each other's trees.
            _lock = new FileStream(_paths.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"The Git cache {_paths.Root} is in use by another process or GitSource; give each its own cache root.", ex);
        }

        _paths.Prepare();
        _metrics = new SourceMetrics(meterFactory);
        _runner = new GitRunner(options, _paths, time, logger, hooks);
        _trees = new TreeStore(options.MaxTrees, logger, _metrics);
        _extractor = new TreeExtractor(_runner, options, logger);
        AdoptRepos();
        _trimTimer = time.CreateTimer(_ => OnTrimTimer(), null, options.RepoTrimInterval, options.RepoTrimInterval);
    }

    /// <summary>The meter this instance reports to (tests and benchmarks listen to it).</summary>
    internal Meter Meter => _metrics.Meter;

    /// <summary>
    /// Resolves the revision and returns its files. Throws <see cref="SourceException"/> with a reason and a message
    /// fit for a user (never containing credentials). Dispose the snapshot once its files have been read.
    /// </summary>
    public async Task<SourceSnapshot> ResolveAsync(SourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var url = RepoUrl.Parse(request.RepoUrl, _options.AllowFileUrls);
        if (url.LocalPath is { } local && IsWithin(local, _paths.Root))
        {
            throw new SourceException(SourceErrorReason.ProtocolNotAllowed, $"Repository URL '{url}' points into Keelson's own Git cache.");
        }

        var revision = NormalizeRevision(request.Revision);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var token = linked.Token;

        // In use from here until the tree is leased: the periodic check never removes the cache meanwhile.
        var slot = Acquire(url, out var opening);
        try
        {
            var repo = await opening.WaitAsync(token);
            var auth = new Auth(request.Credentials, Fingerprint(request.Credentials));
            // A refresh is a person asking: it asks the server now, even one that failed a moment ago.
            var refresh = request.Hard || request.FreshRefs;
            var refs = await repo.ListRefsAsync(auth, refresh, token);
            var sha = refs.Resolve(revision) switch
            {
                Resolution.Tip tip => await repo.EnsureCommitAsync(tip.Sha, tip.Ref, auth, refresh, token),
                Resolution.Commit commit => await repo.EnsureCommitAsync(commit.Sha, null, auth, refresh, token),
                Resolution.Abbreviated abbreviated => await repo.ResolveAbbreviationAsync(abbreviated.Prefix, revision, auth, refresh, token),
                _ => throw NotFound(revision, url, refs),
            };

            var info = await repo.GetCommitAsync(sha, token);
            var lease = await LeaseTreeAsync(repo, sha, token);
            return new SourceSnapshot(request.RepoUrl.Trim(), revision, lease.Path, info) { Lease = lease };
        }
        finally
        {
            Release(slot);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _trimTimer.DisposeAsync();
        // A check under way finishes before the cache is let go (it may be moving a directory); none starts after.
        _trimGate.Enter();
        _trimGate.Exit();

        await _lifetime.CancelAsync();
        Task<RepoCache>[] openings;
        lock (_reposGate)
        {
            openings = [.. _repos.Values.Select(s => s.Opening).OfType<Task<RepoCache>>()];
        }

        var open = new List<RepoCache>();
        foreach (var opening in openings)
        {
            try
            {
                open.Add(await opening);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SourceException or IOException)
            {
                // Its set-up failed or was stopped; nothing of it runs.
            }
        }

        await Task.WhenAll(open.Select(r => r.IdleAsync()).Append(_extractions.IdleAsync()));
        foreach (var repo in open)
        {
            repo.Dispose();
        }

        _metrics.Dispose();
        _lifetime.Dispose();
        await _lock.DisposeAsync();
    }

    internal static string NormalizeRevision(string? revision)
    {
        var text = revision?.Trim() ?? "";
        if (text.Length == 0)
        {
            return "HEAD";
        }

        // The rules of git check-ref-format, plus no leading '-': a revision is only ever compared with ref names
        // here, but it must not be able to look like an option or a revision expression either.
        if (text.Length > 1024 || text.StartsWith('-') || InvalidRevision().IsMatch(text) || text.EndsWith('.') || text.EndsWith(".lock", StringComparison.Ordinal))
        {
            throw new SourceException(SourceErrorReason.InvalidRevision, $"Revision '{Printable(text)}' is not a valid branch, tag or commit name.");
        }

        return text;
    }

    private static string Printable(string text) =>
        new(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static SourceException NotFound(string revision, RepoUrl url, RemoteRefs refs) =>
        refs.Count == 0
            ? new SourceException(SourceErrorReason.RevisionNotFound, $"Repository {url} is empty: it has no branches or tags, so revision '{revision}' does not exist.")
            : revision == "HEAD"
                ? new SourceException(SourceErrorReason.RevisionNotFound, $"Repository {url} has no HEAD (it points at a branch that does not exist); name a branch or tag.")
                : new SourceException(SourceErrorReason.RevisionNotFound, $"Revision '{revision}' was not found in {url}: no branch or tag has that name and it is not a commit SHA.");

    private static bool IsWithin(string path, string root)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    private string Fingerprint(GitCredentials? credentials)
    {
        if (credentials is null)
        {
            return "anonymous";
        }

        var text = new StringBuilder();
        foreach (var field in new[] { credentials.Username, credentials.Password, credentials.SshPrivateKey, credentials.KnownHosts, credentials.CaCertificate })
        {
            text.Append(field is null ? -1 : field.Length).Append(':').Append(field).Append('\n');
        }

        return Convert.ToHexString(HMACSHA256.HashData(_credentialSalt, Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Marks the repository's cache in use (creating or opening it if needed) until <see cref="Release"/>.</summary>
    private RepoSlot Acquire(RepoUrl url, out Task<RepoCache> opening)
    {
        lock (_reposGate)
        {
            if (!_repos.TryGetValue(url.CacheKey, out var slot))
            {
                slot = new RepoSlot(url.CacheKey, _paths.RepoDir(url));
                _repos.Add(url.CacheKey, slot);
            }

            // Started off the lock: opening creates directories and runs git.
            var target = slot;
            slot.Opening ??= Task.Run(() => CreateRepoAsync(url, target), CancellationToken.None);
            slot.Url = url.Normalized;
            slot.Users++;
            slot.LastUse = _time.GetTimestamp();
            opening = slot.Opening;
            return slot;
        }
    }

    private void Release(RepoSlot slot)
    {
        lock (_reposGate)
        {
            slot.Users--;
            slot.LastUse = _time.GetTimestamp();
        }
    }

    private async Task<RepoCache> CreateRepoAsync(RepoUrl url, RepoSlot slot)
    {
        var repo = new RepoCache(url, slot.Dir, _runner, _options, _time, _metrics, _logger, () => Interlocked.Increment(ref _sequence), _lifetime.Token);
        try
        {
            var trees = await repo.InitializeAsync(_lifetime.Token);
            _trees.Adopt(trees);
            lock (_reposGate)
            {
                slot.Repo = repo;
            }

            return repo;
        }
        catch (Exception ex)
        {
            // A failed set-up (disk full, say) must not stick: the next caller tries again.
            lock (_reposGate)
            {
                slot.Opening = null;
            }

            repo.Dispose();
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new SourceException(SourceErrorReason.GitError, $"The cache for {url} could not be prepared in {repo.Dir}: {ex.Message}", ex);
            }

            throw;
        }
    }

    private async Task<TreeStore.TreeLease> LeaseTreeAsync(RepoCache repo, string sha, CancellationToken cancellationToken)
    {
        var path = Path.Combine(repo.TreesDir, sha);
        // A tree can be collected between being added and being leased (only when every other one is in use);
        // then it is simply extracted again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (_trees.TryAcquire(path) is { } lease)
            {
                if (Directory.Exists(path))
                {
                    return lease;
                }

                // Deleted behind our back (someone cleaning the disk): forget it and extract it again.
                lease.Dispose();
                _trees.Forget(path);
            }

            await _extractions.RunAsync(path, () => ExtractAsync(repo, sha, path), cancellationToken);
        }

        throw new SourceException(SourceErrorReason.GitError, $"The files of commit {sha} of {repo.Url} were removed as soon as they were written; raise MaxTrees.");
    }

    private async Task<bool> ExtractAsync(RepoCache repo, string sha, string path)
    {
        if (!Directory.Exists(path))
        {
            var temp = Path.Combine(repo.TreesDir, ".tmp-" + sha[..12] + "-" + Guid.NewGuid().ToString("N")[..8]);
            var start = _time.GetTimestamp();
            try
            {
                var count = await _extractor.ExtractAsync(repo.GitDir, repo.Url, sha, temp, _lifetime.Token);
                Directory.Move(temp, path);
                _metrics.Extractions.Add(1);
                var elapsed = _time.GetElapsedTime(start).TotalMilliseconds;
                LogExtracted(repo.Url.Normalized, sha, count, elapsed);
            }
            catch (Exception ex)
            {
                _trees.Delete(temp);
                if (ex is IOException or UnauthorizedAccessException)
                {
                    throw new SourceException(SourceErrorReason.GitError, $"The files of commit {sha} of {repo.Url} could not be written to {repo.TreesDir}: {ex.Message}", ex);
                }

                throw;
            }
        }

        _trees.Add(path);
        return true;
    }

    [GeneratedRegex(@"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|^/|/$")]
    private static partial Regex InvalidRevision();
}
