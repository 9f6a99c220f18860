using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

public sealed partial class GitSource
{
    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Extracted {Count} files of {Sha} from {Url} in {ElapsedMs:0} ms")]
    private partial void LogExtracted(string url, string sha, int count, double elapsedMs);
}
