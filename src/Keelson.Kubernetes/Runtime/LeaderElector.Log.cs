using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public sealed partial class LeaderElector
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader (lease {Namespace}/{Name})")]
    private partial void LogAcquired(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not renew lease {Namespace}/{Name} within the renew deadline; stepping down")]
    private partial void LogLost(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released lease {Namespace}/{Name}")]
    private partial void LogReleased(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Identity}: lease attempt failed: {Problem}")]
    private partial void LogAttemptFailed(string identity, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity}: leader work or callback failed")]
    private partial void LogWorkFailed(string identity, Exception exception);
}
