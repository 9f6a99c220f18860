using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

/// <summary>Credentials plus a fingerprint of them, so cached answers are only shared between identical credentials.</summary>
internal sealed record Auth(GitCredentials? Credentials, string Key);

/// <summary>
/// The cache of one repository URL: a bare repository that only ever receives the commits asked for, the recent
/// <c>ls-remote</c> answers (per credentials, so a caller without access never gets answers obtained with someone
/// else's credentials), and what is known to be present. Fetches into the repository are serialised; concurrent
/// requests for the same commit share one fetch. A failure to reach the server is remembered for a while (see
/// <see cref="FailureMemory"/>), so callers that follow get it at once instead of running git again.
/// </summary>
internal sealed partial class RepoCache : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _refsGate = new();
    private readonly Dictionary<string, RefsEntry> _refs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _present = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CommitInfo> _commits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _abbreviations = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, string> _fetches = new();
    private readonly SingleFlight<string, CommitInfo> _commitReads = new();
    private readonly FailureMemory _listFailures;
    private readonly FailureMemory _fetchFailures;
    private readonly GitRunner _runner;
    private readonly GitSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly SourceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationToken _lifetime;
    private readonly Func<long> _sequence;
    private long _fetchCount;

    public RepoCache(
        RepoUrl url,
        string dir,
        GitRunner runner,
        GitSourceOptions options,
        TimeProvider time,
        SourceMetrics metrics,
        ILogger logger,
        Func<long> sequence,
        CancellationToken lifetime)
    {
        Url = url;
        Dir = dir;
        GitDir = Path.Combine(dir, "repo.git");
        TreesDir = Path.Combine(dir, "trees");
        _runner = runner;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _sequence = sequence;
        _lifetime = lifetime;
        // A local repository fails at once; remembering its failure would only delay noticing that it is back.
        _listFailures = new FailureMemory(options, time, enabled: url.LocalPath is null);
        _fetchFailures = new FailureMemory(options, time, enabled: url.LocalPath is null);
    }

    public RepoUrl Url { get; }

    public string Dir { get; }

    public string GitDir { get; }

    public string TreesDir { get; }

    /// <summary>Counts the fetches run so far, so a size measured after the last one is known to be current.</summary>
    public long Fetches => Interlocked.Read(ref _fetchCount);

    /// <summary>
    /// Whether a git command of this repository runs or is about to: an ls-remote, a fetch or a commit read, also one
    /// whose callers have all given up (it carries on for the cache's sake).
    /// </summary>
    public bool IsBusy
    {
        get
        {
            lock (_refsGate)
            {
                if (_refs.Values.Any(e => !e.Task.IsCompleted))
                {
                    return true;
                }
            }

            return _fetches.IsRunning || _commitReads.IsRunning;
        }
    }

    public void Dispose() => _writeLock.Dispose();

    /// <summary>Completes when no git command of this repository is running any more.</summary>
    public Task IdleAsync()
    {
        Task[] listing;
        lock (_refsGate)
        {
            listing = [.. _refs.Values.Select(e => e.Task)];
        }

        var all = listing.Append(_fetches.IdleAsync()).Append(_commitReads.IdleAsync());
        return Task.WhenAll(all.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
    }

    /// <summary>Creates the bare repository if needed; returns the complete trees already on disk, oldest first.</summary>
    public async Task<IReadOnlyList<string>> InitializeAsync(CancellationToken cancellationToken)
    {
        SourcePaths.CreatePrivate(Dir);
        if (!File.Exists(Path.Combine(GitDir, "HEAD")))
        {
            // Build beside and rename, so a crash never leaves a half-made repository at the final path.
            var temp = GitDir + ".init-" + Guid.NewGuid().ToString("N");
            var result = await _runner.RunAsync(
                new GitCommand { GitDir = temp, Arguments = ["init", "--bare", "--quiet", "--template="], Description = $"Creating the cache of {Url}" },
                cancellationToken);
            if (!result.Ok)
            {
                throw new SourceException(SourceErrorReason.GitError, $"Creating the cache repository for {Url} failed: {result.Error.Trim()}");
            }

            if (Directory.Exists(GitDir))
            {
                Directory.Delete(GitDir, recursive: true);
            }

            Directory.Move(temp, GitDir);
            await File.WriteAllTextAsync(Path.Combine(Dir, "url"), Url.Normalized + "\n", cancellationToken);
        }

        Directory.CreateDirectory(TreesDir);
        var trees = new List<DirectoryInfo>();
        foreach (var dir in new DirectoryInfo(TreesDir).EnumerateDirectories())
        {
            if (RemoteRefs.FullSha().IsMatch(dir.Name))
            {
                trees.Add(dir);
            }
            else
            {
                // Left by a crash during an extraction or a deletion.
                dir.Delete(recursive: true);
            }
        }

        foreach (var leftover in new DirectoryInfo(Dir).EnumerateDirectories("repo.git.init-*"))
        {
            leftover.Delete(recursive: true);
        }

        return [.. trees.OrderBy(d => d.LastWriteTimeUtc).Select(d => d.FullName)];
    }

    /// <summary>
    /// The refs the server advertises for these credentials: a recent answer is reused (and concurrent callers share
    /// one <c>ls-remote</c>); a recent failure is reported again without asking the server. A refresh only accepts an
    /// answer that was asked for after it arrived, and asks even when the server failed a moment ago.
    /// </summary>
    public Task<RemoteRefs> ListRefsAsync(Auth auth, bool refresh, CancellationToken cancellationToken)
    {
        var arrived = _sequence();
        RefsEntry entry;
        lock (_refsGate)
        {
            _refs.TryGetValue(auth.Key, out var current);
            var reusable = current is not null && Reusable(current, refresh, arrived);
            var probing = reusable && !current!.Task.IsCompleted;
            if (!refresh && _listFailures.Recall(auth.Key, probing) is { } remembered)
            {
                _metrics.RememberedFailures.Add(1);
                return Task.FromException<RemoteRefs>(remembered);
            }

            if (current is null || !reusable)
            {
                var fresh = new RefsEntry(_sequence());
                fresh.Task = Task.Run(() => LsRemoteAsync(auth, fresh), CancellationToken.None);
                _refs[auth.Key] = fresh;
                current = fresh;
            }

            entry = current;
        }

        return entry.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Makes sure the commit is in the repository, fetching as little as the server allows.</summary>
    public async Task<string> EnsureCommitAsync(string sha, string? tipRef, Auth auth, bool refresh, CancellationToken cancellationToken)
    {
        if (_present.ContainsKey(sha))
        {
            return sha;
        }

        ThrowIfFailedRecently(auth, refresh, probing: _fetches.IsRunning);
        return await _fetches.RunAsync(sha, () => FetchCommitAsync(sha, tipRef, auth, refresh), cancellationToken);
    }

    /// <summary>Finds the one commit an abbreviated SHA names, fetching the whole history if it is not here yet.</summary>
    public async Task<string> ResolveAbbreviationAsync(string prefix, string revision, Auth auth, bool refresh, CancellationToken cancellationToken)
    {
        if (_abbreviations.TryGetValue(prefix, out var known))
        {
            return known;
        }

        return await _fetches.RunAsync("abbrev:" + prefix, () => FetchAbbreviationAsync(prefix, revision, auth, refresh), cancellationToken);
    }

    public async Task<CommitInfo> GetCommitAsync(string sha, CancellationToken cancellationToken)
    {
        if (_commits.TryGetValue(sha, out var known))
        {
            return known;
        }

        return await _commitReads.RunAsync(sha, () => ReadCommitAsync(sha), cancellationToken);
    }

    private bool Reusable(RefsEntry entry, bool refresh, long arrived)
    {
        if (refresh)
        {
            return entry.Sequence > arrived;
        }

        if (!entry.Task.IsCompleted)
        {
            return true;
        }

        // A failure is reported again by the failure memory, for as long as it says, not by the answer cache.
        return entry.Task.IsCompletedSuccessfully && _time.GetElapsedTime(entry.CompletedAt) < _options.LsRemoteCacheTtl;
    }

    private async Task<RemoteRefs> LsRemoteAsync(Auth auth, RefsEntry entry)
    {
        try
        {
            _metrics.LsRemotes.Add(1);
            var start = _time.GetTimestamp();
            var result = await _runner.RunAsync(
                new GitCommand
                {
                    GitDir = GitDir,
                    Remote = Url,
                    Credentials = auth.Credentials,
                    Arguments = ["ls-remote", "--symref", "--", Url.Normalized],
                    Description = $"git ls-remote of {Url}",
                    // The answer is small: a server that has not given it by now is down, however long a fetch may take.
                    Timeout = _options.LsRemoteTimeout < _options.CommandTimeout ? _options.LsRemoteTimeout : _options.CommandTimeout,
                },
                _lifetime);
            if (!result.Ok)
            {
                throw GitErrors.Failure($"Listing the refs of {Url}", Url, result);
            }

            var refs = RemoteRefs.Parse(result.Output);
            _listFailures.Forget(auth.Key);
            var elapsed = _time.GetElapsedTime(start).TotalMilliseconds;
            LogListed(Url.Normalized, refs.Count, elapsed);
            return refs;
        }
        catch (SourceException ex)
        {
            // Every caller sharing this attempt, and every one until the next, is told the same.
            throw Remember(_listFailures, auth, ex);
        }
        finally
        {
            entry.CompletedAt = _time.GetTimestamp();
        }
    }

    private async Task<string> FetchCommitAsync(string sha, string? tipRef, Auth auth, bool refresh)
    {
        await _writeLock.WaitAsync(_lifetime);
        try
        {
            if (await HasCommitAsync(sha))
            {
                return Present(sha);
            }

            // Queued behind a fetch that has just failed: fail with it rather than wait for the server once more.
            ThrowIfFailedRecently(auth, refresh);
            try
            {
                return await FetchMissingCommitAsync(sha, tipRef, auth);
            }
            catch (SourceException ex) when (IsServerFailure(ex.Reason))
            {
                throw Remember(_fetchFailures, auth, ex);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<string> FetchMissingCommitAsync(string sha, string? tipRef, Auth auth)
    {
        // What servers allow (checked with git 2.39): under protocol v2, upload-pack serves any object it has when
        // asked by SHA, reachable or not, whatever uploadpack.allow*SHA1InWant says. file://, git daemon and
        // git-http-backend (behind a server that passes the Git-Protocol header on, as nginx does) speak v2; over
        // SSH only when sshd accepts the GIT_PROTOCOL variable (AcceptEnv). Under v0 an unadvertised SHA is
        // refused ("Server does not allow request for unadvertised object") unless the server sets
        // uploadpack.allowReachableSHA1InWant or allowAnySHA1InWant. So: a depth-1 fetch of the SHA first,
        // then the advertised ref it was found at, then everything.
        var byCommit = await FetchAsync("commit", auth, ["--depth=1", "+" + sha + ":refs/keelson/commits/" + sha]);
        if (byCommit.Ok && await HasCommitAsync(sha))
        {
            return Present(sha);
        }

        if (!byCommit.Ok && !GitErrors.IsRefusedWant(byCommit.Error))
        {
            throw GitErrors.Failure($"Fetching commit {sha} of {Url}", Url, byCommit);
        }

        // Protocol v0 servers only hand out advertised tips: fetch the ref the commit was found at.
        if (tipRef is not null && tipRef.StartsWith("refs/", StringComparison.Ordinal))
        {
            var byRef = await FetchAsync("ref", auth, ["--depth=1", "+" + tipRef + ":refs/keelson/tip"]);
            if (!byRef.Ok && !GitErrors.IsRefusedWant(byRef.Error))
            {
                throw GitErrors.Failure($"Fetching {tipRef} of {Url}", Url, byRef);
            }

            if (byRef.Ok && await HasCommitAsync(sha))
            {
                await KeepAsync(sha);
                return Present(sha);
            }
        }

        // Last resort: every branch and tag with their history.
        await FetchAllAsync(auth);
        if (await HasCommitAsync(sha))
        {
            await KeepAsync(sha);
            return Present(sha);
        }

        throw new SourceException(SourceErrorReason.RevisionNotFound, $"Commit {sha} was not found in {Url}.");
    }

    private async Task<string> FetchAbbreviationAsync(string prefix, string revision, Auth auth, bool refresh)
    {
        await _writeLock.WaitAsync(_lifetime);
        try
        {
            var sha = await FindAbbreviationAsync(prefix, revision);
            if (sha is null)
            {
                ThrowIfFailedRecently(auth, refresh);
                try
                {
                    await FetchAllAsync(auth);
                }
                catch (SourceException ex) when (IsServerFailure(ex.Reason))
                {
                    throw Remember(_fetchFailures, auth, ex);
                }

                sha = await FindAbbreviationAsync(prefix, revision)
                    ?? throw new SourceException(
                        SourceErrorReason.RevisionNotFound,
                        $"Revision '{revision}' was not found in {Url}: no branch or tag has that name and no commit on a branch or tag starts with it.");
            }

            _abbreviations[prefix] = sha;
            Present(sha);
            return sha;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<string?> FindAbbreviationAsync(string prefix, string revision)
    {
        var result = await _runner.RunAsync(
            new GitCommand
            {
                GitDir = GitDir,
                Arguments = ["rev-parse", "--verify", "--quiet", "--end-of-options", prefix + "^{commit}"],
                Description = $"Looking up {prefix} in {Url}",
            },
            _lifetime);
        if (result.Ok)
        {
            return result.Output.Trim();
        }

        if (result.Error.Contains("ambiguous", StringComparison.OrdinalIgnoreCase))
        {
            throw new SourceException(SourceErrorReason.AmbiguousRevision, $"Revision '{revision}' matches more than one commit in {Url}; use more characters of the SHA.");
        }

        return null;
    }

    private async Task FetchAllAsync(Auth auth)
    {
        List<string> args = ["+refs/heads/*:refs/keelson/heads/*", "+refs/tags/*:refs/keelson/tags/*"];
        if (File.Exists(Path.Combine(GitDir, "shallow")))
        {
            args.Insert(0, "--unshallow");
        }

        var result = await FetchAsync("all", auth, args);
        if (!result.Ok)
        {
            throw GitErrors.Failure($"Fetching the branches and tags of {Url}", Url, result);
        }
    }

    private async Task<GitResult> FetchAsync(string kind, Auth auth, IReadOnlyList<string> args)
    {
        var start = _time.GetTimestamp();
        _metrics.Fetches.Add(1, new KeyValuePair<string, object?>("kind", kind));
        var result = await _runner.RunAsync(
            new GitCommand
            {
                GitDir = GitDir,
                Remote = Url,
                Credentials = auth.Credentials,
                Arguments = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", .. args.Where(a => a.StartsWith('-')), "--", Url.Normalized, .. args.Where(a => !a.StartsWith('-'))],
                Description = $"git fetch of {Url}",
            },
            _lifetime);
        Interlocked.Increment(ref _fetchCount);
        var elapsed = _time.GetElapsedTime(start);
        _metrics.FetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
        LogFetched(Url.Normalized, kind, result.ExitCode, elapsed.TotalMilliseconds);
        if (result.Ok)
        {
            _fetchFailures.Forget(auth.Key);
        }

        return result;
    }

    // What a fetch can fail with because of the server or the credentials, not because of the commit asked for.
    private static bool IsServerFailure(SourceErrorReason reason) =>
        reason is SourceErrorReason.Unreachable or SourceErrorReason.Timeout or SourceErrorReason.AuthenticationFailed or SourceErrorReason.HostKeyVerificationFailed;

    private void ThrowIfFailedRecently(Auth auth, bool refresh, bool probing = false)
    {
        if (!refresh && _fetchFailures.Recall(auth.Key, probing) is { } remembered)
        {
            _metrics.RememberedFailures.Add(1);
            throw remembered;
        }
    }

    private SourceException Remember(FailureMemory memory, Auth auth, SourceException failure)
    {
        var (told, wait, count) = memory.Remember(auth.Key, failure);
        if (count > 0)
        {
            LogLeftAlone(Url.Normalized, failure.Reason.ToString(), count, wait.TotalSeconds);
        }

        return told;
    }

    private async Task<bool> HasCommitAsync(string sha)
    {
        var result = await _runner.RunAsync(
            new GitCommand { GitDir = GitDir, Arguments = ["cat-file", "-e", sha + "^{commit}"], Description = $"Looking for {sha} in the cache of {Url}" },
            _lifetime);
        return result.Ok;
    }

    // A ref per fetched commit keeps it from ever being pruned and offers it as common history in the next fetch.
    private async Task KeepAsync(string sha)
    {
        var result = await _runner.RunAsync(
            new GitCommand { GitDir = GitDir, Arguments = ["update-ref", "refs/keelson/commits/" + sha, sha], Description = $"Recording {sha} in the cache of {Url}" },
            _lifetime);
        if (!result.Ok)
        {
            throw new SourceException(SourceErrorReason.GitError, $"Recording commit {sha} in the cache of {Url} failed: {result.Error.Trim()}");
        }
    }

    private string Present(string sha)
    {
        _present[sha] = true;
        return sha;
    }

    private async Task<CommitInfo> ReadCommitAsync(string sha)
    {
        var result = await _runner.RunAsync(
            new GitCommand
            {
                GitDir = GitDir,
                Arguments = ["log", "-1", "--no-decorate", "--format=%H%x00%s%x00%an%x00%ae%x00%cI", "--end-of-options", sha],
                Description = $"Reading commit {sha} of {Url}",
            },
            _lifetime);
        var fields = result.Output.TrimEnd('\n').Split('\0');
        if (!result.Ok || fields.Length != 5
            || !DateTimeOffset.TryParse(fields[4], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new SourceException(SourceErrorReason.GitError, $"Reading commit {sha} of {Url} failed: {result.Error.Trim()}");
        }

        var subject = fields[1].Length > 1000 ? fields[1][..1000] : fields[1];
        var info = new CommitInfo(fields[0], subject, fields[2], fields[3], date);
        _commits[sha] = info;
        return info;
    }

    private sealed class RefsEntry(long sequence)
    {
        public long Sequence { get; } = sequence;

        public Task<RemoteRefs> Task { get; set; } = null!;

        public long CompletedAt { get; set; }
    }
}

/// <summary>Turns git's stderr into a reason and a message a user can act on.</summary>
internal static partial class GitErrors
{
    public static bool IsRefusedWant(string error) => RefusedWant().IsMatch(error);

    public static SourceException Failure(string action, RepoUrl url, GitResult result)
    {
        // Killed by SIGPIPE (128 + 13) without a word: it wrote its request to a connection the server had closed.
        if (result.ExitCode == 141 && string.IsNullOrWhiteSpace(result.Error))
        {
            return new SourceException(SourceErrorReason.Unreachable, $"Cannot reach repository {url}: the server closed the connection without answering.");
        }

        var detail = Summary(result.Error);
        var reason = Classify(result.Error);
        var message = reason switch
        {
            SourceErrorReason.HostKeyVerificationFailed => $"The SSH host key of {url} could not be verified: {detail}",
            SourceErrorReason.AuthenticationFailed => $"Authentication to {url} failed: {detail}",
            SourceErrorReason.Timeout => $"The server of {url} stopped answering: {detail}",
            SourceErrorReason.Unreachable => $"Cannot reach repository {url}: {detail}",
            _ => $"{action} failed (git exit code {result.ExitCode}): {detail}",
        };
        return new SourceException(reason, message);
    }

    public static SourceErrorReason Classify(string error) =>
        HostKey().IsMatch(error) ? SourceErrorReason.HostKeyVerificationFailed
        : Authentication().IsMatch(error) ? SourceErrorReason.AuthenticationFailed
        : Stalled().IsMatch(error) ? SourceErrorReason.Timeout
        : Unreachable().IsMatch(error) ? SourceErrorReason.Unreachable
        : SourceErrorReason.GitError;

    private static string Summary(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("Please make sure you have the correct access rights", StringComparison.Ordinal)
                && l != "and the repository exists.")
            .TakeLast(4);
        var text = string.Join(" ", lines);
        if (text.Length == 0)
        {
            return "git gave no reason";
        }

        return text.Length > 600 ? text[..600] + "…" : text;
    }

    [GeneratedRegex("not our ref|unadvertised object|couldn't find remote ref|no such remote ref|does not allow request", RegexOptions.IgnoreCase)]
    private static partial Regex RefusedWant();

    [GeneratedRegex("Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key is known", RegexOptions.IgnoreCase)]
    private static partial Regex HostKey();

    [GeneratedRegex(@"Authentication failed|could not read (Username|Password)|Permission denied \(|Permission denied, please try again|returned error: 40[13]|terminal prompts disabled|HTTP Basic: Access denied|invalid credentials", RegexOptions.IgnoreCase)]
    private static partial Regex Authentication();

    // curl's low-speed check over http(s); ssh's ConnectTimeout once connected (the server accepted but said nothing).
    [GeneratedRegex(@"Operation too slow|timed out during banner exchange", RegexOptions.IgnoreCase)]
    private static partial Regex Stalled();

    [GeneratedRegex(@"Could not resolve host|Connection refused|unable to connect|Failed to connect|Connection timed out|No route to host|Could not read from remote repository|does not appear to be a git repository|not found|no such repository|returned error: 404|not exported|unable to access|Connection reset|Connection closed|SSL certificate problem|early EOF|hung up", RegexOptions.IgnoreCase)]
    private static partial Regex Unreachable();
}
