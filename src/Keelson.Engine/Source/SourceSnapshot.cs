namespace Keelson.Engine.Source;

/// <summary>The commit a revision resolved to. <see cref="Date"/> is the committer date.</summary>
public sealed record CommitInfo(string Sha, string Subject, string AuthorName, string AuthorEmail, DateTimeOffset Date);

/// <summary>
/// The files of one commit, extracted once and shared by every caller on that commit. <see cref="RootPath"/> is
/// read-only and stays on disk until the snapshot is disposed; dispose it once the files have been read so the
/// tree can be garbage-collected. <see cref="Revision"/> is the revision as requested, <see cref="Commit"/> what it
/// resolved to.
/// </summary>
public sealed record SourceSnapshot(string RepoUrl, string Revision, string RootPath, CommitInfo Commit) : IDisposable
{
    internal IDisposable? Lease { get; init; }

    public void Dispose() => Lease?.Dispose();

    // The lease is bookkeeping, not part of what the snapshot is.
    public bool Equals(SourceSnapshot? other) =>
        other is not null && RepoUrl == other.RepoUrl && Revision == other.Revision && RootPath == other.RootPath && Commit == other.Commit;

    public override int GetHashCode() => HashCode.Combine(RepoUrl, Revision, RootPath, Commit);
}
