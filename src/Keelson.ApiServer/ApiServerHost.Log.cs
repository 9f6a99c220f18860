using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer;

public sealed partial class ApiServerHost
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API server simulator listening on {Url}")]
    private static partial void LogListening(ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarting: dropping all connections on port {Port}")]
    private static partial void LogRestarting(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarting: watch history starts afresh at resourceVersion {ResourceVersion}")]
    private static partial void LogWatchCacheStart(ILogger logger, long resourceVersion);
}
