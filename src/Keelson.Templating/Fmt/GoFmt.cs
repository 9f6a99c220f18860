using System.Text;
using Keelson.Templating.Fmt;

namespace Keelson.Templating;

/// <summary>Go's fmt.Sprintf, fmt.Sprint and fmt.Sprintln over the value model (see <see cref="GoValues"/>).</summary>
public static class GoFmt
{
    public static string Sprintf(string format, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(format);
        var sb = new StringBuilder(format.Length + 16);
        new Printer(sb).DoPrintf(format, args);
        return sb.ToString();
    }

    public static string Sprint(params object?[] args)
    {
        var sb = new StringBuilder();
        new Printer(sb).DoPrint(args);
        return sb.ToString();
    }

    public static string Sprintln(params object?[] args)
    {
        var sb = new StringBuilder();
        new Printer(sb).DoPrintln(args);
        return sb.ToString();
    }

    /// <summary>fmt.Sprint of one value: what %v prints.</summary>
    public static string Format(object? value)
    {
        switch (value)
        {
            case string s:
                return s;
            case null:
                return "<nil>";
        }

        var sb = new StringBuilder();
        new Printer(sb).DoPrint([value]);
        return sb.ToString();
    }

    internal static void Sprint(StringBuilder sb, ReadOnlySpan<object?> args, FunctionContext? context) =>
        new Printer(sb, context).DoPrint(args);

    internal static void Sprintf(StringBuilder sb, string format, ReadOnlySpan<object?> args, FunctionContext? context) =>
        new Printer(sb, context).DoPrintf(format, args);

    internal static void Sprintln(StringBuilder sb, ReadOnlySpan<object?> args, FunctionContext? context) =>
        new Printer(sb, context).DoPrintln(args);
}
