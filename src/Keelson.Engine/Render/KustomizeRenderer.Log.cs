using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Render;

internal sealed partial class KustomizeRenderer
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {Program} for {Kustomization}")]
    private static partial void KustomizeStarting(ILogger logger, string program, string kustomization);
}
