using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source.Helm;

public sealed partial class HelmRepoSource
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "Read Helm repository index {Url} ({Bytes} bytes) in {ElapsedMs:0} ms")]
    private partial void LogIndexRead(string url, int bytes, double elapsedMs);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Downloaded chart {Chart} {Version} from {Url} ({Bytes} bytes) in {ElapsedMs:0} ms")]
    private partial void LogDownloaded(string chart, string version, string url, int bytes, double elapsedMs);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Chart {Chart} {Version} of {Repo} served from the cache")]
    private partial void LogCacheHit(string chart, string version, string repo);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "The cached archive of chart {Chart} {Version} of {Repo} no longer has its digest; downloading it again")]
    private partial void LogCorrupt(string chart, string version, string repo);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Chart {Chart} {Version} of {Repo} has no digest in the index; it is used unchecked")]
    private partial void LogNoDigest(string chart, string version, string repo);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Debug, Message = "Helm repository index {Url} not modified ({ElapsedMs:0} ms)")]
    private partial void LogIndexNotModified(string url, double elapsedMs);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Debug, Message = "Helm repository index {Url} sent again unchanged ({Bytes} bytes in {ElapsedMs:0} ms); the index read before is kept")]
    private partial void LogIndexUnchanged(string url, int bytes, double elapsedMs);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Deleted the cached chart archive {Path} ({Bytes} bytes), least recently used, to keep the cache under its size limit")]
    private partial void LogTrimmed(string path, long bytes);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Could not trim the chart cache at {Path}: {Reason}")]
    private partial void LogTrimFailed(string path, string reason);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "Helm repository {Url} failed ({What}: {Reason}, {Count} time(s) in a row): requests that need it fail at once for the next {WaitSeconds:0} s unless refreshed")]
    private partial void LogLeftAlone(string url, string what, string reason, int count, double waitSeconds);
}
