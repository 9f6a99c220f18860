using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Lifecycle;

internal sealed partial class Lifecycle
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle step for {Resource} {Key} failed: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string resource, string key, string reason);
}
