using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

public sealed partial class GitSource
{
    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Extracted {Count} files of {Sha} from {Url} in {ElapsedMs:0} ms")]
    private partial void LogExtracted(string url, string sha, int count, double elapsedMs);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Removed the Git cache of {Url} ({Bytes} bytes): unused for {IdleMinutes:0} minutes")]
    private partial void LogRepoRemovedIdle(string url, long bytes, double idleMinutes);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Removed the Git cache of {Url} ({Bytes} bytes), the least recently used, to keep the repositories under {MaxBytes} bytes; it is fetched again when next used")]
    private partial void LogRepoRemovedForSize(string url, long bytes, long maxBytes);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Could not remove the Git cache {Path}: {Reason}")]
    private partial void LogRepoRemoveFailed(string path, string reason);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "The check of the Git caches in {Path} failed: {Reason}")]
    private partial void LogTrimFailed(string path, string reason);
}
