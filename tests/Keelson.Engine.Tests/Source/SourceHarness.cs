using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Keelson.Engine.Source;
using Keelson.Testing.Git;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// A <see cref="GitSource"/> on a fresh cache directory, with what a test wants to observe: every git process it
/// started (as handed to Process), its metrics, and its log lines.
/// </summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    private readonly TempDirectory _cache = new("keelson-cache");
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    private SourceHarness(Func<GitSourceOptions, GitSourceOptions>? configure, TimeProvider time, IReadOnlyList<string> sshOptions, Action<GitInvocation>? started)
    {
        var options = new GitSourceOptions { CacheRoot = _cache.Path, CommandTimeout = TimeSpan.FromSeconds(60) };
        Options = configure?.Invoke(options) ?? options;
        Source = new GitSource(
            Options,
            Logs,
            time,
            meterFactory: null,
            new GitHooks
            {
                Started = invocation =>
                {
                    Invocations.Enqueue(invocation);
                    started?.Invoke(invocation);
                },
                SshOptions = sshOptions,
            });
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Source.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _counts.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        _listener.Start();
    }

    public GitSource Source { get; }

    public GitSourceOptions Options { get; }

    public string CacheRoot => _cache.Path;

    public ConcurrentQueue<GitInvocation> Invocations { get; } = new();

    public ListLogger<GitSource> Logs { get; } = new();

    public long Fetches => Count("keelson.source.fetches");

    public long LsRemotes => Count("keelson.source.ls_remotes");

    public long Extractions => Count("keelson.source.extractions");

    /// <param name="started">Called on the thread that started each git process, right after the start.</param>
    public static SourceHarness Create(
        Func<GitSourceOptions, GitSourceOptions>? configure = null,
        TimeProvider? time = null,
        IReadOnlyList<string>? sshOptions = null,
        Action<GitInvocation>? started = null) =>
        new(configure, time ?? TimeProvider.System, sshOptions ?? [], started);

    /// <summary>The cache directory of a repository URL (bare repository and extracted trees).</summary>
    public string RepoDir(string url) => Path.Combine(CacheRoot, "repos", RepoUrl.Parse(url, allowFile: true).CacheKey);

    public long Count(string instrument) => _counts.GetValueOrDefault(instrument);

    public Task<SourceSnapshot> ResolveAsync(string url, string revision = "HEAD", GitCredentials? credentials = null, bool hard = false) =>
        Source.ResolveAsync(new SourceRequest { RepoUrl = url, Revision = revision, Credentials = credentials, Hard = hard }, TestContext.Current.CancellationToken);

    /// <summary>Resolves, reads a file of the snapshot and releases it.</summary>
    public async Task<(CommitInfo Commit, string? Content)> ReadAsync(string url, string revision, string file, GitCredentials? credentials = null, bool hard = false)
    {
        using var snapshot = await ResolveAsync(url, revision, credentials, hard);
        var path = Path.Combine(snapshot.RootPath, file);
        return (snapshot.Commit, File.Exists(path) ? await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) : null);
    }

    /// <summary>Every argument and environment value of every git process started so far, for leak checks.</summary>
    public IEnumerable<string> EverythingPassedToGit() =>
        Invocations.SelectMany(i => i.Arguments.Concat(i.Environment.Values).Append(i.FileName));

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        _listener.Dispose();
        _cache.Dispose();
    }
}

/// <summary>Keeps every formatted log line (and exception) so tests can check what would reach the logs.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}
