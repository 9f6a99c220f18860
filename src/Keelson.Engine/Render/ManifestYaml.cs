using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Engine.Render;

/// <summary>The one place the engine parses YAML streams, so callers see one exception type with a position.</summary>
internal static class ManifestYaml
{
    /// <summary>Every document of a YAML stream, in order; an empty document is null.</summary>
    /// <exception cref="YamlSyntaxException">The text is not valid YAML.</exception>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string text)
    {
        try
        {
            return KubeYaml.ParseDocuments(text);
        }
        catch (YamlException ex)
        {
            throw new YamlSyntaxException(ex.Problem.Length > 0 ? ex.Problem : ex.Message, ex.Line, ex.Column, ex);
        }
    }
}

/// <summary>A YAML syntax error with its 1-based position (0 when the problem has no single place).</summary>
internal sealed class YamlSyntaxException(string message, int line, int column, Exception inner) : Exception(message, inner)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}
