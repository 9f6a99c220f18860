using System.Text.Json.Nodes;

namespace Keelson.Engine.Render;

/// <summary>The one place the engine parses YAML streams, so the parser can be swapped without touching callers.</summary>
internal static class ManifestYaml
{
    /// <summary>Every document of a YAML stream, in order; an empty document is null.</summary>
    /// <exception cref="YamlSyntaxException">The text is not valid YAML.</exception>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string text)
    {
        try
        {
            return YamlStandIn.ParseDocuments(text);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            var e = YamlStandInException.From(ex);
            throw new YamlSyntaxException(e.Message, e.Line, e.Column, ex);
        }
    }
}

/// <summary>A YAML syntax error with its 1-based position.</summary>
internal sealed class YamlSyntaxException(string message, int line, int column, Exception inner) : Exception(message, inner)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}
