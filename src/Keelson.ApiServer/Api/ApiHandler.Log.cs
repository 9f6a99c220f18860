using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Api;

internal sealed partial class ApiHandler
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Verb} {Path} {Status} in {Milliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string verb, string path, int status, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
