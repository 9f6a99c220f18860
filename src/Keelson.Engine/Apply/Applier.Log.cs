using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Apply;

internal sealed partial class Applier
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Applied {Object} ({Action})")]
    private partial void LogApplied(ResourceRef @object, Diff.DiffAction action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replaced {Object}: deleted and re-created because of an immutable field")]
    private partial void LogReplaced(ResourceRef @object);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created namespace {Namespace}")]
    private partial void LogNamespaceCreated(string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hook {Object} ({Phase}) succeeded")]
    private partial void LogHookRan(ResourceRef @object, HookPhase phase);
}
