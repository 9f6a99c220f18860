using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

internal sealed partial class RepoCache
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Listed {RefCount} refs of {Url} in {ElapsedMs:0} ms")]
    private partial void LogListed(string url, int refCount, double elapsedMs);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Fetched ({Kind}) from {Url}: exit code {ExitCode} after {ElapsedMs:0} ms")]
    private partial void LogFetched(string url, string kind, int exitCode, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Url} failed ({Reason}, {Count} time(s) in a row): requests for it fail at once for the next {WaitSeconds:0} s unless refreshed")]
    private partial void LogLeftAlone(string url, string reason, int count, double waitSeconds);
}
