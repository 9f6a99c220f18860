using System.Globalization;

namespace Keelson.Engine;

/// <summary>Durations in messages users read (status, events): seconds, as short as they can be written.</summary>
internal static class Durations
{
    /// <summary>"30 s", "0.25 s".</summary>
    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
