using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Controllers;

public sealed partial class SimulatedControllers
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulated controller for {Resource} {Namespace}/{Name} failed: {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string resource, string @namespace, string name, string reason);
}
