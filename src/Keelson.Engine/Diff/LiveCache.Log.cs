using Keelson.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Diff;

public sealed partial class LiveCache
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Live cache: watching {Resource}")]
    private partial void LogWatchStarted(ApiResource resource);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live cache: stopped watching {Resource}: no owner needs it")]
    private partial void LogWatchStopped(ApiResource resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live cache: the first list of {Resource} took longer than {Timeout}; reading from the server meanwhile")]
    private partial void LogSyncSlow(ApiResource resource, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Live cache: a change subscriber failed")]
    private partial void LogSubscriberFailed(Exception error);
}
