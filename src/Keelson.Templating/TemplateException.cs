namespace Keelson.Templating;

/// <summary>
/// A parse or execution error, with Go's message: <c>template: NAME:LINE: ...</c> for parse errors and
/// <c>template: NAME:LINE:COL: executing "NAME" at &lt;NODE&gt;: ...</c> for execution errors.
/// </summary>
public class TemplateException : Exception
{
    public TemplateException(string message, string templateName, int line, int column, Exception? innerException = null)
        : base(message, innerException)
    {
        TemplateName = templateName;
        Line = line;
        Column = column;
    }

    /// <summary>The template being parsed or executed.</summary>
    public string TemplateName { get; }

    /// <summary>1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>Column in UTF-8 bytes from the start of the line, as Go counts; 0 for parse errors.</summary>
    public int Column { get; }

    internal static TemplateException Parse(string name, int line, string message) =>
        new("template: " + name + ":" + line.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": " + message, name, line, 0);

    internal static TemplateException NoSuchTemplate(string name, string setName) =>
        new("template: no template " + Fmt.GoStrconv.Quote(name) + " associated with template " + Fmt.GoStrconv.Quote(setName), name, 0, 0);
}
