namespace Keelson.Engine.Render.Helm;

/// <summary>
/// A chart could not be loaded, its values are invalid, or a template failed. The message is Helm's wording where Helm
/// has one (for example <c>validation: chart.metadata.type must be application or library</c> or
/// <c>execution error at (mychart/templates/x.yaml:12:3): ...</c>). <see cref="File"/> is the chart path of the file
/// at fault (<c>mychart/templates/x.yaml</c>) when there is one; <see cref="Line"/> and <see cref="Column"/> are
/// 1-based, 0 when unknown.
/// </summary>
public sealed class HelmException : Exception
{
    public HelmException()
    {
    }

    public HelmException(string message)
        : base(message)
    {
    }

    public HelmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HelmException(string message, string? file, int line = 0, int column = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        File = file;
        Line = line;
        Column = column;
    }

    public string? File { get; }

    public int Line { get; }

    public int Column { get; }
}
