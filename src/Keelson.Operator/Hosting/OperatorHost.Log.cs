using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Hosting;

public sealed partial class OperatorHost
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Leader is now {Leader}")]
    private partial void LogLeader(string leader);

    [LoggerMessage(Level = LogLevel.Error, Message = "Leadership lost")]
    private partial void LogLeadershipLost();
}
