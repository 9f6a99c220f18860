using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public sealed partial class Informer
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Informer {Resource}: listed {Count} objects at resourceVersion {ResourceVersion}")]
    private partial void LogListed(string resource, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Informer {Resource}: resourceVersion {ResourceVersion} is too old (410); listing again")]
    private partial void LogRelist(string resource, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Informer {Resource}: {What}; retrying in {Delay}. {Error}")]
    private partial void LogRetry(string resource, string what, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Informer {Resource}: the watch broke ({Problem}); resuming from the last resourceVersion")]
    private partial void LogResume(string resource, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Informer {Resource}: an event handler failed")]
    private partial void LogHandlerFailed(string resource, Exception exception);
}
