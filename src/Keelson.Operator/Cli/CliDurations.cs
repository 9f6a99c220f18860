using Keelson.Templating.Dates;

namespace Keelson.Operator.Cli;

/// <summary>Durations on the command line are written the Go way (<c>30s</c>, <c>3m</c>), like the Application's retry backoff.</summary>
internal static class CliDurations
{
    public static bool TryParse(string text, out TimeSpan value) => GoDuration.TryParse(text, out value) && value > TimeSpan.Zero;
}
