namespace Keelson.Kubernetes.Yaml;

/// <summary>What a <see cref="YamlReader"/> step met.</summary>
public enum YamlTokenKind
{
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar,

    /// <summary>A <c>*name</c> reference; the reader does not resolve it (parse the text with <see cref="KubeYaml"/> for that).</summary>
    Alias,
}

/// <summary>One step of a <see cref="YamlReader"/>: a node's start or end, a scalar, or an alias.</summary>
/// <param name="Value">A scalar's text as written (quotes and escapes resolved, no type resolution), or an alias's anchor name.</param>
/// <param name="Plain">An untagged plain scalar, whose meaning YAML resolves (<c>~</c> is null, <c>1.0</c> a number).</param>
public readonly record struct YamlToken(YamlTokenKind Kind, string? Value, bool Plain, int Line, int Column);

/// <summary>
/// The first document of a YAML stream as a sequence of tokens, read as the parser goes, with nothing kept: for a large
/// document of which a caller needs a small part (a Helm repository's index.yaml), where building the whole tree
/// would cost many times the text's size. Same syntax, limits and errors as <see cref="KubeYaml.Parse"/>; no alias
/// resolution, no type resolution of scalars.
/// </summary>
public sealed class YamlReader
{
    private readonly YamlParser _parser;
    private readonly int _maxDepth;
    private int _depth;
    private bool _done;

    /// <exception cref="YamlException">The text is over the size limit or holds characters YAML does not allow.</exception>
    public YamlReader(string text, YamlReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= YamlReadOptions.Default;
        _parser = new YamlParser(YamlLoader.Prepare(text, options));
        _maxDepth = options.MaxDepth;
    }

    /// <summary>The next token of the first document; false at its end (or when the stream has none).</summary>
    /// <exception cref="YamlException">The text is not valid YAML, or nests deeper than the limit.</exception>
    public bool Read(out YamlToken token)
    {
        while (!_done && _parser.Next(out var e))
        {
            var line = e.Start.Line + 1;
            var column = e.Start.Column + 1;
            switch (e.Type)
            {
                case EventType.DocumentEnd or EventType.StreamEnd:
                    // The first document's end, or a stream without one: what follows is not read.
                    _done = true;
                    continue;
                case EventType.MappingStart or EventType.SequenceStart:
                    if (++_depth > _maxDepth)
                    {
                        throw new YamlException($"exceeded max depth of {_maxDepth}", line, column);
                    }

                    token = new YamlToken(e.Type == EventType.MappingStart ? YamlTokenKind.MappingStart : YamlTokenKind.SequenceStart, null, false, line, column);
                    return true;
                case EventType.MappingEnd or EventType.SequenceEnd:
                    _depth--;
                    token = new YamlToken(e.Type == EventType.MappingEnd ? YamlTokenKind.MappingEnd : YamlTokenKind.SequenceEnd, null, false, line, column);
                    return true;
                case EventType.Scalar:
                    token = new YamlToken(YamlTokenKind.Scalar, e.Value, e.Implicit && e.Style == ScalarStyle.Plain, line, column);
                    return true;
                case EventType.Alias:
                    token = new YamlToken(YamlTokenKind.Alias, e.Anchor, false, line, column);
                    return true;
            }
        }

        _done = true;
        token = default;
        return false;
    }

    /// <summary>
    /// Skips the rest of the node whose start was just read: after a <see cref="YamlTokenKind.MappingStart"/> or
    /// <see cref="YamlTokenKind.SequenceStart"/>, reads up to and including its end; after anything else, does nothing.
    /// </summary>
    /// <exception cref="YamlException">The text is not valid YAML.</exception>
    public void Skip(in YamlToken start)
    {
        if (start.Kind is not (YamlTokenKind.MappingStart or YamlTokenKind.SequenceStart))
        {
            return;
        }

        var open = 1;
        while (open > 0 && Read(out var token))
        {
            open += token.Kind switch
            {
                YamlTokenKind.MappingStart or YamlTokenKind.SequenceStart => 1,
                YamlTokenKind.MappingEnd or YamlTokenKind.SequenceEnd => -1,
                _ => 0,
            };
        }
    }
}
