using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Diff;

public sealed partial class LiveCache
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Live cache: watching {Resource} ({ApiVersion})")]
    private partial void LogWatchStarted(string resource, string apiVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live cache: stopped watching {Resource} ({ApiVersion}): no owner needs it")]
    private partial void LogWatchStopped(string resource, string apiVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live cache: the first list of {Resource} took longer than {Timeout}; reading from the server meanwhile")]
    private partial void LogSyncSlow(string resource, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Live cache: a change subscriber failed")]
    private partial void LogSubscriberFailed(Exception error);
}
