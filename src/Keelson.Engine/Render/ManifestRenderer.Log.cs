using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Render;

public sealed partial class ManifestRenderer
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Rendered '{Path}' with {Renderer}: {Count} objects in {Elapsed}")]
    private static partial void Rendered(ILogger logger, string path, string renderer, int count, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Render of '{Path}' at {Key} served from the cache")]
    private static partial void CacheHit(ILogger logger, string path, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not following {Link}: symbolic links to directories are not followed")]
    internal static partial void LinkedDirectorySkipped(ILogger logger, string link);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping {Link}: the symbolic link's target does not exist")]
    internal static partial void DanglingLinkSkipped(ILogger logger, string link);
}
