using Microsoft.Extensions.Logging;

namespace Keelson.Engine;

public sealed partial class SyncEngine
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Owner}: {Mode} at {Revision}: {Sync}; created {Created}, configured {Configured}, pruned {Pruned}, failed {Failed} in {Milliseconds:0} ms")]
    private partial void LogFinished(string owner, SyncMode mode, string? revision, SyncStatus sync, int created, int configured, int pruned, int failed, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Owner}: {Stage} failed: {Message}")]
    private partial void LogFailed(string owner, SyncStage stage, string message);
}
