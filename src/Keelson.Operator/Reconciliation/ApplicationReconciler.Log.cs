using Microsoft.Extensions.Logging;

namespace Keelson.Operator.Reconciliation;

internal sealed partial class ApplicationReconciler
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Count} Applications with {Workers} workers")]
    private partial void LogStarted(int count, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Application} synced {Revision} ({Trigger}): {Created} created, {Configured} configured, {Pruned} pruned")]
    private partial void LogSynced(string application, string revision, string trigger, int created, int configured, int pruned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Application} sync to {Revision} failed: {Message}")]
    private partial void LogSyncFailed(string application, string revision, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Application} deleted with its {Count} resources")]
    private partial void LogFinalized(string application, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Application} changed meanwhile: {Message}")]
    private partial void LogStale(string application, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Application} could not be reconciled: {Message}")]
    private partial void LogApiError(string application, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster's version and API versions could not be read for Helm's .Capabilities: {Message}")]
    private partial void LogCapabilitiesUnavailable(string message);
}
