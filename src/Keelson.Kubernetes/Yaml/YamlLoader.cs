using System.Text;

namespace Keelson.Kubernetes.Yaml;

internal enum NodeKind
{
    Scalar,
    Mapping,
    Sequence,
    Alias,
}

/// <summary>One node of a parsed document, shaped like go-yaml v2's parser output so decoding can follow it.</summary>
internal sealed class YamlNode(NodeKind kind, int line, int column)
{
    public NodeKind Kind { get; } = kind;

    /// <summary>Scalar text, or the anchor name an alias refers to.</summary>
    public string Value { get; init; } = "";

    /// <summary>Full tag ("tag:yaml.org,2002:str", "!foo", "!"), null when the node has none.</summary>
    public string? Tag { get; init; }

    /// <summary>libyaml's plain_implicit: an untagged plain scalar (or one tagged just "!").</summary>
    public bool Implicit { get; init; }

    /// <summary>Mapping keys and values interleaved, or sequence items (created on first use; scalars have none).</summary>
    public List<YamlNode> Children => field ??= [];

    public YamlNode? Target { get; set; }

    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>
/// Turns YAML text into document trees: libyaml's reader checks, then <see cref="YamlParser"/>'s events assembled the
/// way go-yaml v2 assembles its node tree (anchors registered before their children, aliases resolved as they are
/// read, a fresh anchor table per document).
/// </summary>
internal static class YamlLoader
{
    /// <summary>
    /// Roots of the documents in <paramref name="text"/>; more than <paramref name="maxDocuments"/> is an error, unless
    /// <paramref name="stopAfterFirst"/>, which reads the first document and nothing after it (as yaml.Unmarshal does).
    /// </summary>
    public static List<YamlNode> Load(string text, YamlReadOptions options, int maxDocuments = int.MaxValue, bool stopAfterFirst = false)
    {
        var documents = new List<YamlNode>();
        var parser = new YamlParser(Prepare(text, options));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var open = new Stack<YamlNode>();
        YamlNode? root = null;
        while (parser.Next(out var e))
        {
            var line = e.Start.Line + 1;
            var column = e.Start.Column + 1;
            switch (e.Type)
            {
                case EventType.DocumentStart:
                    if (documents.Count >= maxDocuments)
                    {
                        throw new YamlException(
                            $"expected a single YAML document but found more (document {documents.Count + 1} starts here)", line, column);
                    }

                    anchors.Clear();
                    root = null;
                    break;
                case EventType.DocumentEnd:
                    documents.Add(root!);
                    if (stopAfterFirst)
                    {
                        return documents;
                    }

                    break;
                case EventType.Scalar:
                    Attach(new YamlNode(NodeKind.Scalar, line, column) { Value = e.Value!, Tag = e.Tag, Implicit = e.Implicit }, e.Anchor, anchors, open, ref root);
                    break;
                case EventType.Alias:
                    if (!anchors.TryGetValue(e.Anchor!, out var target))
                    {
                        throw new YamlException($"unknown anchor '{e.Anchor}' referenced", line, column);
                    }

                    Attach(new YamlNode(NodeKind.Alias, line, column) { Value = e.Anchor!, Target = target }, null, anchors, open, ref root);
                    break;
                case EventType.MappingStart or EventType.SequenceStart:
                    if (open.Count >= options.MaxDepth)
                    {
                        throw new YamlException($"exceeded max depth of {options.MaxDepth}", line, column);
                    }

                    var kind = e.Type == EventType.MappingStart ? NodeKind.Mapping : NodeKind.Sequence;
                    var opened = new YamlNode(kind, line, column) { Tag = e.Tag };
                    Attach(opened, e.Anchor, anchors, open, ref root);
                    open.Push(opened);
                    break;
                case EventType.MappingEnd or EventType.SequenceEnd:
                    open.Pop();
                    break;
            }
        }

        return documents;
    }

    /// <summary>libyaml's reader checks: the size limit, a byte-order mark skipped, only printable characters.</summary>
    public static string Prepare(string text, YamlReadOptions options)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > options.MaxDocumentBytes)
        {
            throw new YamlException($"document is {bytes} bytes, over the limit of {options.MaxDocumentBytes}", 1, 1);
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        CheckCharacters(text);
        return text;
    }

    private static void Attach(YamlNode node, string? anchor, Dictionary<string, YamlNode> anchors, Stack<YamlNode> open, ref YamlNode? root)
    {
        // Registered before any child is read, as in go-yaml: an alias inside its own anchor's node refers to it and
        // fails later as "value contains itself".
        if (anchor is not null)
        {
            anchors[anchor] = node;
        }

        if (open.Count == 0)
        {
            root = node;
        }
        else
        {
            open.Peek().Children.Add(node);
        }
    }

    /// <summary>libyaml's reader refuses characters outside YAML's printable set, wherever they are.</summary>
    private static void CheckCharacters(string text)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\t' or '\r' or (>= ' ' and <= '~'))
            {
                continue;
            }

            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (c == '\u0085' || c is >= '\u00A0' and <= '\uD7FF' || c is >= '\uE000' and <= '\uFFFD')
            {
                continue;
            }

            throw new YamlException($"control characters are not allowed (found U+{(int)c:X4})", line, i - lineStart + 1);
        }
    }
}
