using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

internal sealed partial class TreeStore
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Removed extracted tree {Path}")]
    private partial void LogEvicted(string path);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not remove extracted tree {Path}: {Error}")]
    private partial void LogEvictionFailed(string path, string error);
}
