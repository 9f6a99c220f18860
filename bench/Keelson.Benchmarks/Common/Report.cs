using System.Globalization;

namespace Keelson.Benchmarks.Common;

/// <summary>Prints result lines in one recognisable shape so bench/run.sh output can be pasted into the README.</summary>
internal static class Report
{
    public static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
    }

    /// <summary>One figure: name, value, and the target it is measured against.</summary>
    public static void Figure(string name, string value, string target = "") =>
        Console.WriteLine(target.Length == 0 ? $"  {name,-58} {value}" : $"  {name,-58} {value}   (target {target})");

    public static void Note(string text) => Console.WriteLine($"  note: {text}");

    public static string Fixed(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Resident set size of this process in MB (from /proc, as the kernel counts it).</summary>
    public static double RssMegabytes(int? pid = null)
    {
        var path = pid is { } p ? $"/proc/{p}/status" : "/proc/self/status";
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return double.NaN;
    }
}
