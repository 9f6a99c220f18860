namespace Keelson.Kubernetes.Yaml;

internal enum EventType
{
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias,
    Scalar,
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

internal struct YamlEvent
{
    public EventType Type;
    public Mark Start;
    public string? Anchor;
    public string? Tag;
    public string? Value;

    /// <summary>libyaml's plain_implicit: a plain scalar without a tag, or tagged "!".</summary>
    public bool Implicit;

    public ScalarStyle Style;
}

/// <summary>
/// The event parser over <see cref="YamlScanner"/>: libyaml's state machine (as ported in go-yaml v2), pulling
/// tokens exactly when libyaml does so that the same inputs succeed or fail.
/// </summary>
internal sealed class YamlParser(string text)
{
    private const string DefaultSecondaryPrefix = ScalarResolver.TagPrefix;

    private readonly YamlScanner _scanner = new(text);
    private readonly List<State> _states = [];
    private readonly List<Mark> _marks = [];
    private readonly List<(string Handle, string Prefix)> _tagDirectives = [];
    private State _state = State.StreamStart;

    private enum State
    {
        StreamStart,
        ImplicitDocumentStart,
        DocumentStart,
        DocumentContent,
        DocumentEnd,
        BlockNode,
        BlockNodeOrIndentlessSequence,
        FlowNode,
        BlockSequenceFirstEntry,
        BlockSequenceEntry,
        IndentlessSequenceEntry,
        BlockMappingFirstKey,
        BlockMappingKey,
        BlockMappingValue,
        FlowSequenceFirstEntry,
        FlowSequenceEntry,
        FlowSequenceEntryMappingKey,
        FlowSequenceEntryMappingValue,
        FlowSequenceEntryMappingEnd,
        FlowMappingFirstKey,
        FlowMappingKey,
        FlowMappingValue,
        FlowMappingEmptyValue,
        End,
    }

    /// <summary>The next event, or false once the stream has ended.</summary>
    public bool Next(out YamlEvent e)
    {
        if (_scanner.StreamEndProduced || _state == State.End)
        {
            e = default;
            return false;
        }

        e = _state switch
        {
            State.StreamStart => StreamStart(),
            State.ImplicitDocumentStart => DocumentStart(implicitAllowed: true),
            State.DocumentStart => DocumentStart(implicitAllowed: false),
            State.DocumentContent => DocumentContent(),
            State.DocumentEnd => DocumentEnd(),
            State.BlockNode => Node(block: true, indentlessSequence: false),
            State.BlockNodeOrIndentlessSequence => Node(block: true, indentlessSequence: true),
            State.FlowNode => Node(block: false, indentlessSequence: false),
            State.BlockSequenceFirstEntry => BlockSequenceEntry(first: true),
            State.BlockSequenceEntry => BlockSequenceEntry(first: false),
            State.IndentlessSequenceEntry => IndentlessSequenceEntry(),
            State.BlockMappingFirstKey => BlockMappingKey(first: true),
            State.BlockMappingKey => BlockMappingKey(first: false),
            State.BlockMappingValue => BlockMappingValue(),
            State.FlowSequenceFirstEntry => FlowSequenceEntry(first: true),
            State.FlowSequenceEntry => FlowSequenceEntry(first: false),
            State.FlowSequenceEntryMappingKey => FlowSequenceEntryMappingKey(),
            State.FlowSequenceEntryMappingValue => FlowSequenceEntryMappingValue(),
            State.FlowSequenceEntryMappingEnd => FlowSequenceEntryMappingEnd(),
            State.FlowMappingFirstKey => FlowMappingKey(first: true),
            State.FlowMappingKey => FlowMappingKey(first: false),
            State.FlowMappingValue => FlowMappingValue(empty: false),
            State.FlowMappingEmptyValue => FlowMappingValue(empty: true),
            _ => throw new InvalidOperationException($"unexpected parser state {_state}"),
        };
        return true;
    }

    private YamlEvent StreamStart()
    {
        var token = _scanner.Peek();
        if (token.Type != TokenType.StreamStart)
        {
            throw Error("did not find expected <stream-start>", token.Start);
        }

        _state = State.ImplicitDocumentStart;
        _scanner.Skip();
        return new YamlEvent { Type = EventType.StreamStart, Start = token.Start };
    }

    private YamlEvent DocumentStart(bool implicitAllowed)
    {
        var token = _scanner.Peek();
        if (!implicitAllowed)
        {
            while (token.Type == TokenType.DocumentEnd)
            {
                _scanner.Skip();
                token = _scanner.Peek();
            }
        }

        if (implicitAllowed && token.Type is not (TokenType.VersionDirective or TokenType.TagDirective or TokenType.DocumentStart or TokenType.StreamEnd))
        {
            ProcessDirectives();
            _states.Add(State.DocumentEnd);
            _state = State.BlockNode;
            return new YamlEvent { Type = EventType.DocumentStart, Start = token.Start };
        }

        if (token.Type != TokenType.StreamEnd)
        {
            var start = token.Start;
            ProcessDirectives();
            token = _scanner.Peek();
            if (token.Type != TokenType.DocumentStart)
            {
                throw Error("did not find expected <document start>", token.Start);
            }

            _states.Add(State.DocumentEnd);
            _state = State.DocumentContent;
            _scanner.Skip();
            return new YamlEvent { Type = EventType.DocumentStart, Start = start };
        }

        _state = State.End;
        _scanner.Skip();
        return new YamlEvent { Type = EventType.StreamEnd, Start = token.Start };
    }

    private YamlEvent DocumentContent()
    {
        var token = _scanner.Peek();
        if (token.Type is TokenType.VersionDirective or TokenType.TagDirective or TokenType.DocumentStart or TokenType.DocumentEnd or TokenType.StreamEnd)
        {
            _state = Pop();
            return EmptyScalar(token.Start);
        }

        return Node(block: true, indentlessSequence: false);
    }

    private YamlEvent DocumentEnd()
    {
        var token = _scanner.Peek();
        if (token.Type == TokenType.DocumentEnd)
        {
            _scanner.Skip();
        }

        _tagDirectives.Clear();
        _state = State.DocumentStart;
        return new YamlEvent { Type = EventType.DocumentEnd, Start = token.Start };
    }

    private YamlEvent Node(bool block, bool indentlessSequence)
    {
        var token = _scanner.Peek();
        if (token.Type == TokenType.Alias)
        {
            _state = Pop();
            _scanner.Skip();
            return new YamlEvent { Type = EventType.Alias, Start = token.Start, Anchor = token.Value };
        }

        var start = token.Start;
        string? anchor = null;
        Token? tagToken = null;
        if (token.Type == TokenType.Anchor)
        {
            anchor = token.Value;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type == TokenType.Tag)
            {
                tagToken = token;
                _scanner.Skip();
                token = _scanner.Peek();
            }
        }
        else if (token.Type == TokenType.Tag)
        {
            tagToken = token;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type == TokenType.Anchor)
            {
                anchor = token.Value;
                _scanner.Skip();
                token = _scanner.Peek();
            }
        }

        string? tag = null;
        if (tagToken is { } t)
        {
            if (string.IsNullOrEmpty(t.Value))
            {
                tag = t.Suffix;
            }
            else
            {
                foreach (var (handle, prefix) in _tagDirectives)
                {
                    if (handle == t.Value)
                    {
                        tag = prefix + t.Suffix;
                        break;
                    }
                }

                if (string.IsNullOrEmpty(tag))
                {
                    throw Error("found undefined tag handle", t.Start, "while parsing a node", start);
                }
            }

            if (tag?.Length == 0)
            {
                tag = null;
            }
        }

        if (indentlessSequence && token.Type == TokenType.BlockEntry)
        {
            _state = State.IndentlessSequenceEntry;
            return new YamlEvent { Type = EventType.SequenceStart, Start = start, Anchor = anchor, Tag = tag };
        }

        switch (token.Type)
        {
            case TokenType.Scalar:
                _state = Pop();
                _scanner.Skip();
                return new YamlEvent
                {
                    Type = EventType.Scalar,
                    Start = start,
                    Anchor = anchor,
                    Tag = tag,
                    Value = token.Value,
                    Implicit = (tag is null && token.Style == ScalarStyle.Plain) || tag == "!",
                    Style = token.Style,
                };
            case TokenType.FlowSequenceStart:
                _state = State.FlowSequenceFirstEntry;
                return new YamlEvent { Type = EventType.SequenceStart, Start = start, Anchor = anchor, Tag = tag };
            case TokenType.FlowMappingStart:
                _state = State.FlowMappingFirstKey;
                return new YamlEvent { Type = EventType.MappingStart, Start = start, Anchor = anchor, Tag = tag };
            case TokenType.BlockSequenceStart when block:
                _state = State.BlockSequenceFirstEntry;
                return new YamlEvent { Type = EventType.SequenceStart, Start = start, Anchor = anchor, Tag = tag };
            case TokenType.BlockMappingStart when block:
                _state = State.BlockMappingFirstKey;
                return new YamlEvent { Type = EventType.MappingStart, Start = start, Anchor = anchor, Tag = tag };
        }

        if (anchor is not null || tag is not null)
        {
            // Properties with no content: an empty plain scalar.
            _state = Pop();
            return new YamlEvent
            {
                Type = EventType.Scalar,
                Start = start,
                Anchor = anchor,
                Tag = tag,
                Value = "",
                Implicit = tag is null,
                Style = ScalarStyle.Plain,
            };
        }

        throw Error("did not find expected node content", token.Start, block ? "while parsing a block node" : "while parsing a flow node", start);
    }

    private YamlEvent BlockSequenceEntry(bool first)
    {
        if (first)
        {
            _marks.Add(_scanner.Peek().Start);
            _scanner.Skip();
        }

        var token = _scanner.Peek();
        if (token.Type == TokenType.BlockEntry)
        {
            var mark = token.End;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type is not (TokenType.BlockEntry or TokenType.BlockEnd))
            {
                _states.Add(State.BlockSequenceEntry);
                return Node(block: true, indentlessSequence: false);
            }

            _state = State.BlockSequenceEntry;
            return EmptyScalar(mark);
        }

        if (token.Type == TokenType.BlockEnd)
        {
            _state = Pop();
            _marks.RemoveAt(_marks.Count - 1);
            _scanner.Skip();
            return new YamlEvent { Type = EventType.SequenceEnd, Start = token.Start };
        }

        throw Error("did not find expected '-' indicator", token.Start, "while parsing a block collection", PopMark());
    }

    private YamlEvent IndentlessSequenceEntry()
    {
        var token = _scanner.Peek();
        if (token.Type == TokenType.BlockEntry)
        {
            var mark = token.End;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type is not (TokenType.BlockEntry or TokenType.Key or TokenType.Value or TokenType.BlockEnd))
            {
                _states.Add(State.IndentlessSequenceEntry);
                return Node(block: true, indentlessSequence: false);
            }

            _state = State.IndentlessSequenceEntry;
            return EmptyScalar(mark);
        }

        _state = Pop();
        return new YamlEvent { Type = EventType.SequenceEnd, Start = token.Start };
    }

    private YamlEvent BlockMappingKey(bool first)
    {
        if (first)
        {
            _marks.Add(_scanner.Peek().Start);
            _scanner.Skip();
        }

        var token = _scanner.Peek();
        if (token.Type == TokenType.Key)
        {
            var mark = token.End;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type is not (TokenType.Key or TokenType.Value or TokenType.BlockEnd))
            {
                _states.Add(State.BlockMappingValue);
                return Node(block: true, indentlessSequence: true);
            }

            _state = State.BlockMappingValue;
            return EmptyScalar(mark);
        }

        if (token.Type == TokenType.BlockEnd)
        {
            _state = Pop();
            _marks.RemoveAt(_marks.Count - 1);
            _scanner.Skip();
            return new YamlEvent { Type = EventType.MappingEnd, Start = token.Start };
        }

        throw Error("did not find expected key", token.Start, "while parsing a block mapping", PopMark());
    }

    private YamlEvent BlockMappingValue()
    {
        var token = _scanner.Peek();
        if (token.Type == TokenType.Value)
        {
            var mark = token.End;
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type is not (TokenType.Key or TokenType.Value or TokenType.BlockEnd))
            {
                _states.Add(State.BlockMappingKey);
                return Node(block: true, indentlessSequence: true);
            }

            _state = State.BlockMappingKey;
            return EmptyScalar(mark);
        }

        _state = State.BlockMappingKey;
        return EmptyScalar(token.Start);
    }

    private YamlEvent FlowSequenceEntry(bool first)
    {
        if (first)
        {
            _marks.Add(_scanner.Peek().Start);
            _scanner.Skip();
        }

        var token = _scanner.Peek();
        if (token.Type != TokenType.FlowSequenceEnd)
        {
            if (!first)
            {
                if (token.Type != TokenType.FlowEntry)
                {
                    throw Error("did not find expected ',' or ']'", token.Start, "while parsing a flow sequence", PopMark());
                }

                _scanner.Skip();
                token = _scanner.Peek();
            }

            if (token.Type == TokenType.Key)
            {
                // "[a: b]": a single-pair mapping inside a flow sequence.
                _state = State.FlowSequenceEntryMappingKey;
                _scanner.Skip();
                return new YamlEvent { Type = EventType.MappingStart, Start = token.Start };
            }

            if (token.Type != TokenType.FlowSequenceEnd)
            {
                _states.Add(State.FlowSequenceEntry);
                return Node(block: false, indentlessSequence: false);
            }
        }

        _state = Pop();
        _marks.RemoveAt(_marks.Count - 1);
        _scanner.Skip();
        return new YamlEvent { Type = EventType.SequenceEnd, Start = token.Start };
    }

    private YamlEvent FlowSequenceEntryMappingKey()
    {
        var token = _scanner.Peek();
        if (token.Type is not (TokenType.Value or TokenType.FlowEntry or TokenType.FlowSequenceEnd))
        {
            _states.Add(State.FlowSequenceEntryMappingValue);
            return Node(block: false, indentlessSequence: false);
        }

        // libyaml 0.1 (and so go-yaml v2) consumes the token here even when it is the ':' of the pair.
        var mark = token.End;
        _scanner.Skip();
        _state = State.FlowSequenceEntryMappingValue;
        return EmptyScalar(mark);
    }

    private YamlEvent FlowSequenceEntryMappingValue()
    {
        var token = _scanner.Peek();
        if (token.Type == TokenType.Value)
        {
            _scanner.Skip();
            var next = _scanner.Peek();
            if (next.Type is not (TokenType.FlowEntry or TokenType.FlowSequenceEnd))
            {
                _states.Add(State.FlowSequenceEntryMappingEnd);
                return Node(block: false, indentlessSequence: false);
            }
        }

        _state = State.FlowSequenceEntryMappingEnd;
        return EmptyScalar(token.Start);
    }

    private YamlEvent FlowSequenceEntryMappingEnd()
    {
        var token = _scanner.Peek();
        _state = State.FlowSequenceEntry;
        return new YamlEvent { Type = EventType.MappingEnd, Start = token.Start };
    }

    private YamlEvent FlowMappingKey(bool first)
    {
        if (first)
        {
            _marks.Add(_scanner.Peek().Start);
            _scanner.Skip();
        }

        var token = _scanner.Peek();
        if (token.Type != TokenType.FlowMappingEnd)
        {
            if (!first)
            {
                if (token.Type != TokenType.FlowEntry)
                {
                    throw Error("did not find expected ',' or '}'", token.Start, "while parsing a flow mapping", PopMark());
                }

                _scanner.Skip();
                token = _scanner.Peek();
            }

            if (token.Type == TokenType.Key)
            {
                _scanner.Skip();
                token = _scanner.Peek();
                if (token.Type is not (TokenType.Value or TokenType.FlowEntry or TokenType.FlowMappingEnd))
                {
                    _states.Add(State.FlowMappingValue);
                    return Node(block: false, indentlessSequence: false);
                }

                _state = State.FlowMappingValue;
                return EmptyScalar(token.Start);
            }

            if (token.Type != TokenType.FlowMappingEnd)
            {
                _states.Add(State.FlowMappingEmptyValue);
                return Node(block: false, indentlessSequence: false);
            }
        }

        _state = Pop();
        _marks.RemoveAt(_marks.Count - 1);
        _scanner.Skip();
        return new YamlEvent { Type = EventType.MappingEnd, Start = token.Start };
    }

    private YamlEvent FlowMappingValue(bool empty)
    {
        var token = _scanner.Peek();
        if (empty)
        {
            _state = State.FlowMappingKey;
            return EmptyScalar(token.Start);
        }

        if (token.Type == TokenType.Value)
        {
            _scanner.Skip();
            token = _scanner.Peek();
            if (token.Type is not (TokenType.FlowEntry or TokenType.FlowMappingEnd))
            {
                _states.Add(State.FlowMappingKey);
                return Node(block: false, indentlessSequence: false);
            }
        }

        _state = State.FlowMappingKey;
        return EmptyScalar(token.Start);
    }

    private static YamlEvent EmptyScalar(Mark mark) =>
        new() { Type = EventType.Scalar, Start = mark, Value = "", Implicit = true, Style = ScalarStyle.Plain };

    private void ProcessDirectives()
    {
        var token = _scanner.Peek();
        var sawVersion = false;
        while (token.Type is TokenType.VersionDirective or TokenType.TagDirective)
        {
            if (token.Type == TokenType.VersionDirective)
            {
                if (sawVersion)
                {
                    throw Error("found duplicate %YAML directive", token.Start);
                }

                if (token.Major != 1 || token.Minor != 1)
                {
                    throw Error($"found incompatible YAML document (%YAML {token.Major}.{token.Minor}; only 1.1 is accepted)", token.Start);
                }

                sawVersion = true;
            }
            else
            {
                AddTagDirective(token.Value!, token.Suffix!, allowDuplicates: false, token.Start);
            }

            _scanner.Skip();
            token = _scanner.Peek();
        }

        AddTagDirective("!", "!", allowDuplicates: true, token.Start);
        AddTagDirective("!!", DefaultSecondaryPrefix, allowDuplicates: true, token.Start);
    }

    private void AddTagDirective(string handle, string prefix, bool allowDuplicates, Mark mark)
    {
        foreach (var (existing, _) in _tagDirectives)
        {
            if (existing == handle)
            {
                if (allowDuplicates)
                {
                    return;
                }

                throw Error("found duplicate %TAG directive", mark);
            }
        }

        _tagDirectives.Add((handle, prefix));
    }

    private State Pop()
    {
        var state = _states[^1];
        _states.RemoveAt(_states.Count - 1);
        return state;
    }

    private Mark PopMark()
    {
        var mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        return mark;
    }

    private static YamlException Error(string problem, Mark at, string? context = null, Mark contextMark = default) =>
        new(context is null ? problem : $"{problem} ({context} started at line {contextMark.Line + 1}, column {contextMark.Column + 1})",
            at.Line + 1,
            at.Column + 1);
}
