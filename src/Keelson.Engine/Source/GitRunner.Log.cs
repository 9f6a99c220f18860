using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

internal sealed partial class GitRunner
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "{Description}: exit code {ExitCode} after {ElapsedMs:0} ms")]
    private partial void LogCommand(string description, int exitCode, double elapsedMs);
}
