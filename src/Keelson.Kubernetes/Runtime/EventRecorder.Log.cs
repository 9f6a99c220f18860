using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Runtime;

public sealed partial class EventRecorder
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Reason} about {Object} dropped: too many events for this object")]
    private partial void LogRateLimited(string reason, string @object);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write event {Reason} about {Object}: {Problem}")]
    private partial void LogWriteFailed(string reason, string @object, string problem);
}
