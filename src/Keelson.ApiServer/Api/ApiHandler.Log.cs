using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Api;

internal sealed partial class ApiHandler
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
