using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

internal sealed partial class TreeExtractor
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Skipped '{Path}' of commit {Sha} in {Url}: {Reason}")]
    private partial void LogSkipped(string url, string sha, string path, string reason);
}
