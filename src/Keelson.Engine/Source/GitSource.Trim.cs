namespace Keelson.Engine.Source;

/// <summary>
/// The periodic check that keeps the repository caches bounded: a cache unused for
/// <see cref="GitSourceOptions.RepoIdleTimeout"/> is removed, then the least recently used while the bare repositories
/// together exceed <see cref="GitSourceOptions.MaxRepoCacheBytes"/>. A cache in use is never removed: one a caller
/// holds (from opening it until its tree is leased), one a git command runs in (also one its callers gave up on),
/// one whose files are being extracted or read. Everything that starts work on a cache holds it first, under
/// <c>_reposGate</c>, so a cache found unused under that lock stays unused until it is gone from <c>_repos</c>; a later
/// request then creates a fresh one. The directory is renamed aside under the lock, so the fresh one never meets a
/// deletion in progress, and deleted after.
/// </summary>
public sealed partial class GitSource
{
    /// <summary>Registers the caches found on disk (from an earlier run) as used now: the idle time counts from the start.</summary>
    private void AdoptRepos()
    {
        var now = _time.GetTimestamp();
        foreach (var dir in Directory.EnumerateDirectories(_paths.Repos))
        {
            var key = Path.GetFileName(dir);
            if (key.Length == 32 && key.All(char.IsAsciiHexDigitLower))
            {
                _repos[key] = new RepoSlot(key, dir) { LastUse = now };
            }
        }
    }

    private void OnTrimTimer()
    {
        // A check still running (a slow disk) makes this one unnecessary.
        if (!_trimGate.TryEnter())
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                Trim();
            }
        }
#pragma warning disable CA1031 // An exception escaping a timer callback ends the process; the next check tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogTrimFailed(_paths.Repos, ex.Message);
        }
        finally
        {
            _trimGate.Exit();
        }
    }

    private void Trim()
    {
        DeleteAside();
        Measure();

        var removed = new List<Removal>();
        lock (_reposGate)
        {
            foreach (var slot in _repos.Values.Where(s => _time.GetElapsedTime(s.LastUse) >= _options.RepoIdleTimeout).ToList())
            {
                if (!InUse(slot) && Retire(slot) is { } removal)
                {
                    removed.Add(removal);
                }
            }

            var total = _repos.Values.Sum(s => s.Bytes);
            foreach (var slot in _repos.Values.OrderBy(s => s.LastUse).ToList())
            {
                if (total <= _options.MaxRepoCacheBytes)
                {
                    break;
                }

                if (!InUse(slot) && Retire(slot) is { } removal)
                {
                    total -= slot.Bytes;
                    removed.Add(removal with { ForSize = true });
                }
            }
        }

        foreach (var removal in removed)
        {
            var url = removal.Url ?? ReadUrl(removal.Aside) ?? removal.Dir;
            if (removal.Aside is { } aside)
            {
                Delete(aside);
            }

            removal.Repo?.Dispose();
            _metrics.ReposRemoved.Add(1, new KeyValuePair<string, object?>("reason", removal.ForSize ? "size" : "idle"));
            if (removal.ForSize)
            {
                LogRepoRemovedForSize(url, removal.Bytes, _options.MaxRepoCacheBytes);
            }
            else
            {
                LogRepoRemovedIdle(url, removal.Bytes, removal.Idle.TotalMinutes);
            }
        }
    }

    /// <summary>
    /// Brings the sizes of the bare repositories up to date, walking only those fetched since they were last measured
    /// (and, once, those found on disk at start-up).
    /// </summary>
    private void Measure()
    {
        List<(RepoSlot Slot, long Fetches)> stale;
        lock (_reposGate)
        {
            stale = [.. _repos.Values
                .Where(s => s.Opening is null or { IsCompleted: true })
                .Select(s => (s, s.Repo?.Fetches ?? 0))
                .Where(m => m.Item2 != m.s.MeasuredAtFetch)];
        }

        foreach (var (slot, fetches) in stale)
        {
            // Outside the lock: only this check removes caches, so the directory stays where it is meanwhile.
            if (SizeOf(Path.Combine(slot.Dir, "repo.git")) is { } bytes)
            {
                lock (_reposGate)
                {
                    slot.Bytes = bytes;
                    slot.MeasuredAtFetch = fetches;
                }
            }
        }
    }

    private static long? SizeOf(string dir)
    {
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None, IgnoreInaccessible = false };
            return new DirectoryInfo(dir).EnumerateFiles("*", options).Sum(f => f.Length);
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file went away under a fetch running now; the next check measures again.
            return null;
        }
    }

    // Under _reposGate.
    private bool InUse(RepoSlot slot) =>
        slot.Users > 0
        || slot.Opening is { IsCompleted: false }
        || slot.Repo is { IsBusy: true }
        || _extractions.IsRunningFor(path => string.Equals(Path.GetDirectoryName(path), slot.TreesDir, StringComparison.Ordinal))
        || _trees.AnyLeasedIn(slot.TreesDir);

    // Under _reposGate, for a cache not in use: nothing can start on it before it leaves _repos.
    private Removal? Retire(RepoSlot slot)
    {
        var aside = Path.Combine(_paths.Repos, ".del-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(slot.Dir, aside);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by hand: only the memory of it is left.
            aside = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRepoRemoveFailed(slot.Dir, ex.Message);
            return null;
        }

        // Its trees went with the directory; none is leased (that would make the cache in use).
        _trees.ForgetAllIn(slot.TreesDir);
        _repos.Remove(slot.Key);
        return new Removal(slot.Url, slot.Dir, aside, slot.Repo, slot.Bytes, _time.GetElapsedTime(slot.LastUse), ForSize: false);
    }

    /// <summary>Deletes caches moved aside by this check, or left aside by an earlier one that failed or was cut short.</summary>
    private void DeleteAside()
    {
        foreach (var dir in Directory.EnumerateDirectories(_paths.Repos, ".del-*"))
        {
            Delete(dir);
        }
    }

    private void Delete(string dir)
    {
        if (SourcePaths.TryDelete(dir) is { } error)
        {
            // Left aside; the next check tries again.
            LogRepoRemoveFailed(dir, error);
        }
    }

    private static string? ReadUrl(string? dir)
    {
        if (dir is null)
        {
            return null;
        }

        try
        {
            return File.ReadAllText(Path.Combine(dir, "url")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The cache of one repository URL, on disk and perhaps open. Every field is guarded by <c>_reposGate</c>.</summary>
    private sealed class RepoSlot(string key, string dir)
    {
        public string Key { get; } = key;

        public string Dir { get; } = dir;

        public string TreesDir => Path.Combine(Dir, "trees");

        /// <summary>The normalised URL; null for a cache found on disk and not asked for since.</summary>
        public string? Url { get; set; }

        /// <summary>Opening (or creating) the cache; null before the first request, or after a failed opening.</summary>
        public Task<RepoCache>? Opening { get; set; }

        /// <summary>The open cache, once <see cref="Opening"/> succeeded.</summary>
        public RepoCache? Repo { get; set; }

        /// <summary>Requests holding the cache right now.</summary>
        public int Users { get; set; }

        /// <summary>Timestamp (of the injected clock) of the last request's start or end.</summary>
        public long LastUse { get; set; }

        /// <summary>Size of the bare repository as last measured.</summary>
        public long Bytes { get; set; }

        /// <summary>The repository's fetch count when <see cref="Bytes"/> was measured (-1: never measured).</summary>
        public long MeasuredAtFetch { get; set; } = -1;
    }

    private sealed record Removal(string? Url, string Dir, string? Aside, RepoCache? Repo, long Bytes, TimeSpan Idle, bool ForSize);
}
