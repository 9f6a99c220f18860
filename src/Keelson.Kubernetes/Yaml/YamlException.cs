namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// A YAML document could not be read or a value could not be written. <see cref="Line"/> and <see cref="Column"/> are
/// 1-based and point at the offending text; both are 0 when the problem is not tied to a place (for example a value
/// handed to <see cref="KubeYaml.ToYaml"/> that JSON cannot hold).
/// </summary>
public sealed class YamlException : Exception
{
    public YamlException()
    {
    }

    public YamlException(string message)
        : base(message)
    {
        Problem = message;
    }

    public YamlException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    public YamlException(string problem, int line, int column, Exception? innerException = null)
        : base(line > 0 ? $"yaml: line {line}, column {column}: {problem}" : $"yaml: {problem}", innerException)
    {
        Problem = problem;
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the problem, 0 if unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column (in characters) of the problem, 0 if unknown.</summary>
    public int Column { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Problem { get; private init; } = "";

    /// <summary>Where in the JSON tree a value handed to <see cref="KubeYaml.ToYaml"/> failed, e.g. "data.script".</summary>
    public string? Path { get; private init; }

    /// <summary>The same problem, located one level further out in a tree being written.</summary>
    internal YamlException Within(string segment)
    {
        var path = Path is null ? segment : segment + (Path.StartsWith('[') ? "" : ".") + Path;
        return new YamlException($"yaml: at {path}: {Problem}", this) { Problem = Problem, Path = path };
    }
}
