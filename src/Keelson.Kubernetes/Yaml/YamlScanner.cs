using System.Text;

namespace Keelson.Kubernetes.Yaml;

/// <summary>A position in the input: characters (code points) from the start, 0-based line and column.</summary>
internal readonly record struct Mark(int Index, int Line, int Column);

internal enum TokenType
{
    None,
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

internal enum ScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

internal struct Token
{
    public TokenType Type;
    public Mark Start;
    public Mark End;

    /// <summary>Scalar text, anchor or alias name, tag handle, or %TAG handle.</summary>
    public string? Value;

    /// <summary>Tag suffix, or %TAG prefix.</summary>
    public string? Suffix;

    public ScalarStyle Style;
    public int Major;
    public int Minor;
}

/// <summary>
/// A YAML 1.1 scanner that behaves as go-yaml v2's (libyaml's) does, quirks included: the same tokens, the same
/// simple-key bookkeeping (1024-character keys on one line), the same indentation and tab rules, the same escapes in
/// double-quoted scalars, line folding, block scalar chomping and indentation, and the same errors. Kubernetes
/// tooling reads manifests through exactly this logic, so matching it decides whether a file that works with kubectl
/// also works here.
/// </summary>
internal sealed class YamlScanner(string text)
{
    // libyaml refuses to nest deeper than this, in flow levels and in block indentation levels.
    private const int MaxNesting = 10_000;

    private readonly string _text = text;
    private readonly List<Token> _tokens = [];
    private readonly List<int> _indents = [];
    private readonly List<SimpleKey> _simpleKeys = [];
    private readonly Dictionary<int, int> _simpleKeysByToken = [];
    private readonly StringBuilder _value = new();
    private readonly StringBuilder _leadingBreak = new();
    private readonly StringBuilder _trailingBreaks = new();
    private int _pos;
    private Mark _mark;
    private int _head;
    private int _tokensParsed;
    private bool _tokenAvailable;
    private bool _streamStartProduced;
    private bool _streamEndProduced;
    private int _indent;
    private bool _simpleKeyAllowed;
    private int _flowLevel;
    private int _sliceStart = -1;
    private int _sliceLength;

    /// <summary>The next token, scanning as far ahead as a pending simple key requires.</summary>
    public Token Peek()
    {
        if (!_tokenAvailable)
        {
            FetchMoreTokens();
        }

        return _tokens[_head];
    }

    public void Skip()
    {
        _tokenAvailable = false;
        _tokensParsed++;
        _streamEndProduced = _tokens[_head].Type == TokenType.StreamEnd;
        _head++;
        if (_head > 64 && _head * 2 > _tokens.Count)
        {
            _tokens.RemoveRange(0, _head);
            _head = 0;
        }
    }

    public bool StreamEndProduced => _streamEndProduced;

    private void FetchMoreTokens()
    {
        while (true)
        {
            if (_head != _tokens.Count)
            {
                // A simple key that may still turn out to start at the head token means we cannot hand it out yet.
                if (!_simpleKeysByToken.TryGetValue(_tokensParsed, out var index) || index >= _simpleKeys.Count || !IsValid(ref Keys[index]))
                {
                    break;
                }
            }

            FetchNextToken();
        }

        _tokenAvailable = true;
    }

    private void FetchNextToken()
    {
        if (!_streamStartProduced)
        {
            FetchStreamStart();
            return;
        }

        ScanToNextToken();
        UnrollIndent(_mark.Column);
        var c = At(0);
        if (_pos >= _text.Length)
        {
            FetchStreamEnd();
            return;
        }

        if (_mark.Column == 0)
        {
            if (c == '%')
            {
                FetchDirective();
                return;
            }

            if (c == '-' && At(1) == '-' && At(2) == '-' && IsBlankz(3))
            {
                FetchDocumentIndicator(TokenType.DocumentStart);
                return;
            }

            if (c == '.' && At(1) == '.' && At(2) == '.' && IsBlankz(3))
            {
                FetchDocumentIndicator(TokenType.DocumentEnd);
                return;
            }
        }

        switch (c)
        {
            case '[':
                FetchFlowCollectionStart(TokenType.FlowSequenceStart);
                return;
            case '{':
                FetchFlowCollectionStart(TokenType.FlowMappingStart);
                return;
            case ']':
                FetchFlowCollectionEnd(TokenType.FlowSequenceEnd);
                return;
            case '}':
                FetchFlowCollectionEnd(TokenType.FlowMappingEnd);
                return;
            case ',':
                FetchFlowEntry();
                return;
            case '-' when IsBlankz(1):
                FetchBlockEntry();
                return;
            case '?' when _flowLevel > 0 || IsBlankz(1):
                FetchKey();
                return;
            case ':' when _flowLevel > 0 || IsBlankz(1):
                FetchValue();
                return;
            case '*':
                FetchAnchor(TokenType.Alias);
                return;
            case '&':
                FetchAnchor(TokenType.Anchor);
                return;
            case '!':
                FetchTag();
                return;
            case '|' when _flowLevel == 0:
                FetchBlockScalar(literal: true);
                return;
            case '>' when _flowLevel == 0:
                FetchBlockScalar(literal: false);
                return;
            case '\'':
                FetchFlowScalar(single: true);
                return;
            case '"':
                FetchFlowScalar(single: false);
                return;
        }

        // A plain scalar may not start with an indicator, except '-', '?' and ':' followed by a non-space (for '?' and
        // ':' only in block context).
        if (!(IsBlankz(0) || c is '-' or '?' or ':' or ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|'
                or '>' or '\'' or '"' or '%' or '@' or '`')
            || (c == '-' && !IsBlank(At(1)))
            || (_flowLevel == 0 && c is '?' or ':' && !IsBlankz(1)))
        {
            FetchPlainScalar();
            return;
        }

        throw Error("while scanning for the next token", _mark, "found character that cannot start any token");
    }

    // The 1.2 spec limits an implicit key to one line and 1024 characters; libyaml enforces it when it next looks.
    private Span<SimpleKey> Keys => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_simpleKeys);

    private bool IsValid(ref SimpleKey key)
    {
        if (!key.Possible)
        {
            return false;
        }

        if (key.Mark.Line < _mark.Line || key.Mark.Index + 1024 < _mark.Index)
        {
            if (key.Required)
            {
                throw Error("while scanning a simple key", key.Mark, "could not find expected ':'");
            }

            key.Possible = false;
            return false;
        }

        return true;
    }

    private void SaveSimpleKey()
    {
        // In block context a key is required where a token starts at the current indentation.
        var required = _flowLevel == 0 && _indent == _mark.Column;
        if (_simpleKeyAllowed)
        {
            var key = new SimpleKey { Possible = true, Required = required, TokenNumber = NextTokenNumber, Mark = _mark };
            RemoveSimpleKey();
            Keys[^1] = key;
            _simpleKeysByToken[key.TokenNumber] = _simpleKeys.Count - 1;
        }
    }

    private void RemoveSimpleKey()
    {
        ref var key = ref Keys[^1];
        if (key.Possible)
        {
            if (key.Required)
            {
                throw Error("while scanning a simple key", key.Mark, "could not find expected ':'");
            }

            key.Possible = false;
            _simpleKeysByToken.Remove(key.TokenNumber);
        }
    }

    private int NextTokenNumber => _tokensParsed + (_tokens.Count - _head);

    private void IncreaseFlowLevel()
    {
        _simpleKeys.Add(new SimpleKey { TokenNumber = NextTokenNumber, Mark = _mark });
        _flowLevel++;
        if (_flowLevel > MaxNesting)
        {
            throw Error("while increasing flow level", _simpleKeys[^1].Mark, $"exceeded max depth of {MaxNesting}");
        }
    }

    private void DecreaseFlowLevel()
    {
        if (_flowLevel > 0)
        {
            _flowLevel--;
            // libyaml forgets the token number of the level's last key here, even when an outer key shares it; that
            // is why "[]: x" does not parse as a mapping in Go. Kept so the same documents fail.
            _simpleKeysByToken.Remove(_simpleKeys[^1].TokenNumber);
            _simpleKeys.RemoveAt(_simpleKeys.Count - 1);
        }
    }

    private void RollIndent(int column, int number, TokenType type, Mark mark)
    {
        if (_flowLevel > 0)
        {
            return;
        }

        if (_indent < column)
        {
            _indents.Add(_indent);
            _indent = column;
            if (_indents.Count > MaxNesting)
            {
                throw Error("while increasing indent level", _simpleKeys[^1].Mark, $"exceeded max depth of {MaxNesting}");
            }

            InsertToken(number > -1 ? number - _tokensParsed : -1, new Token { Type = type, Start = mark, End = mark });
        }
    }

    private void UnrollIndent(int column)
    {
        if (_flowLevel > 0)
        {
            return;
        }

        while (_indent > column)
        {
            InsertToken(-1, new Token { Type = TokenType.BlockEnd, Start = _mark, End = _mark });
            _indent = _indents[^1];
            _indents.RemoveAt(_indents.Count - 1);
        }
    }

    private void InsertToken(int position, Token token)
    {
        if (position < 0)
        {
            _tokens.Add(token);
        }
        else
        {
            _tokens.Insert(_head + position, token);
        }
    }

    private void Append(TokenType type, Mark start) => _tokens.Add(new Token { Type = type, Start = start, End = _mark });

    private void FetchStreamStart()
    {
        _indent = -1;
        _simpleKeys.Add(new SimpleKey());
        _simpleKeyAllowed = true;
        _streamStartProduced = true;
        Append(TokenType.StreamStart, _mark);
    }

    private void FetchStreamEnd()
    {
        if (_mark.Column != 0)
        {
            _mark = new Mark(_mark.Index, _mark.Line + 1, 0);
        }

        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        Append(TokenType.StreamEnd, _mark);
    }

    private void FetchDirective()
    {
        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        _tokens.Add(ScanDirective());
    }

    private void FetchDocumentIndicator(TokenType type)
    {
        UnrollIndent(-1);
        RemoveSimpleKey();
        _simpleKeyAllowed = false;
        var start = _mark;
        SkipChar();
        SkipChar();
        SkipChar();
        Append(type, start);
    }

    private void FetchFlowCollectionStart(TokenType type)
    {
        SaveSimpleKey();
        IncreaseFlowLevel();
        _simpleKeyAllowed = true;
        AppendOneChar(type);
    }

    private void FetchFlowCollectionEnd(TokenType type)
    {
        RemoveSimpleKey();
        DecreaseFlowLevel();
        _simpleKeyAllowed = false;
        AppendOneChar(type);
    }

    /// <summary>Consumes the one character that makes up a token of <paramref name="type"/>.</summary>
    private void AppendOneChar(TokenType type)
    {
        var start = _mark;
        SkipChar();
        Append(type, start);
    }

    private void FetchFlowEntry()
    {
        RemoveSimpleKey();
        _simpleKeyAllowed = true;
        AppendOneChar(TokenType.FlowEntry);
    }

    private void FetchBlockEntry()
    {
        if (_flowLevel == 0)
        {
            if (!_simpleKeyAllowed)
            {
                throw Error(null, _mark, "block sequence entries are not allowed in this context");
            }

            RollIndent(_mark.Column, -1, TokenType.BlockSequenceStart, _mark);
        }

        // A '-' in flow context is an error the parser reports, with better context.
        RemoveSimpleKey();
        _simpleKeyAllowed = true;
        AppendOneChar(TokenType.BlockEntry);
    }

    private void FetchKey()
    {
        if (_flowLevel == 0)
        {
            if (!_simpleKeyAllowed)
            {
                throw Error(null, _mark, "mapping keys are not allowed in this context");
            }

            RollIndent(_mark.Column, -1, TokenType.BlockMappingStart, _mark);
        }

        RemoveSimpleKey();
        _simpleKeyAllowed = _flowLevel == 0;
        AppendOneChar(TokenType.Key);
    }

    private void FetchValue()
    {
        ref var key = ref Keys[^1];
        if (IsValid(ref key))
        {
            // The simple key becomes a KEY token inserted where it started (and maybe a BLOCK-MAPPING-START).
            InsertToken(key.TokenNumber - _tokensParsed, new Token { Type = TokenType.Key, Start = key.Mark, End = key.Mark });
            RollIndent(key.Mark.Column, key.TokenNumber, TokenType.BlockMappingStart, key.Mark);
            key.Possible = false;
            _simpleKeysByToken.Remove(key.TokenNumber);
            _simpleKeyAllowed = false;
        }
        else
        {
            if (_flowLevel == 0)
            {
                if (!_simpleKeyAllowed)
                {
                    throw Error(null, _mark, "mapping values are not allowed in this context");
                }

                RollIndent(_mark.Column, -1, TokenType.BlockMappingStart, _mark);
            }

            _simpleKeyAllowed = _flowLevel == 0;
        }

        AppendOneChar(TokenType.Value);
    }

    private void FetchAnchor(TokenType type)
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        _tokens.Add(ScanAnchor(type));
    }

    private void FetchTag()
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        _tokens.Add(ScanTag());
    }

    private void FetchBlockScalar(bool literal)
    {
        RemoveSimpleKey();
        _simpleKeyAllowed = true;
        _tokens.Add(ScanBlockScalar(literal));
    }

    private void FetchFlowScalar(bool single)
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        _tokens.Add(ScanFlowScalar(single));
    }

    private void FetchPlainScalar()
    {
        SaveSimpleKey();
        _simpleKeyAllowed = false;
        _tokens.Add(ScanPlainScalar());
    }

    private void ScanToNextToken()
    {
        while (true)
        {
            if (_mark.Column == 0 && At(0) == '\uFEFF')
            {
                SkipChar();
            }

            // Tabs are whitespace in flow context and after a token on the line, not as indentation.
            while (At(0) == ' ' || ((_flowLevel > 0 || !_simpleKeyAllowed) && At(0) == '\t'))
            {
                SkipChar();
            }

            if (At(0) == '#')
            {
                while (!IsBreakz(0))
                {
                    SkipChar();
                }
            }

            if (!IsBreak(At(0)))
            {
                break;
            }

            SkipLine();
            if (_flowLevel == 0)
            {
                _simpleKeyAllowed = true;
            }
        }
    }

    private Token ScanDirective()
    {
        var start = _mark;
        SkipChar();
        var name = new StringBuilder();
        while (IsAlpha(At(0)))
        {
            Read(name);
        }

        if (name.Length == 0)
        {
            throw Error("while scanning a directive", start, "could not find expected directive name");
        }

        if (!IsBlankz(0))
        {
            throw Error("while scanning a directive", start, "found unexpected non-alphabetical character");
        }

        Token token;
        switch (name.ToString())
        {
            case "YAML":
                SkipBlanks();
                var major = VersionNumber(start);
                if (At(0) != '.')
                {
                    throw Error("while scanning a %YAML directive", start, "did not find expected digit or '.' character");
                }

                SkipChar();
                var minor = VersionNumber(start);
                token = new Token { Type = TokenType.VersionDirective, Start = start, End = _mark, Major = major, Minor = minor };
                break;
            case "TAG":
                SkipBlanks();
                var handle = ScanTagHandle(directive: true, start);
                if (!IsBlank(At(0)))
                {
                    throw Error("while scanning a %TAG directive", start, "did not find expected whitespace");
                }

                SkipBlanks();
                var prefix = ScanTagUri(directive: true, null, start);
                if (!IsBlankz(0))
                {
                    throw Error("while scanning a %TAG directive", start, "did not find expected whitespace or line break");
                }

                token = new Token { Type = TokenType.TagDirective, Start = start, End = _mark, Value = handle, Suffix = prefix };
                break;
            default:
                throw Error("while scanning a directive", start, "found unknown directive name");
        }

        SkipBlanks();
        if (At(0) == '#')
        {
            while (!IsBreakz(0))
            {
                SkipChar();
            }
        }

        if (!IsBreakz(0))
        {
            throw Error("while scanning a directive", start, "did not find expected comment or line break");
        }

        if (IsBreak(At(0)))
        {
            SkipLine();
        }

        return token;
    }

    private int VersionNumber(Mark start)
    {
        var value = 0;
        var length = 0;
        while (char.IsAsciiDigit(At(0)))
        {
            if (++length > 2)
            {
                throw Error("while scanning a %YAML directive", start, "found extremely long version number");
            }

            value = (value * 10) + (At(0) - '0');
            SkipChar();
        }

        if (length == 0)
        {
            throw Error("while scanning a %YAML directive", start, "did not find expected version number");
        }

        return value;
    }

    private Token ScanAnchor(TokenType type)
    {
        var start = _mark;
        SkipChar();
        var name = new StringBuilder();
        while (IsAlpha(At(0)))
        {
            Read(name);
        }

        var end = _mark;
        if (name.Length == 0 || !(IsBlankz(0) || At(0) is '?' or ':' or ',' or ']' or '}' or '%' or '@' or '`'))
        {
            throw Error(type == TokenType.Anchor ? "while scanning an anchor" : "while scanning an alias", start,
                "did not find expected alphabetic or numeric character");
        }

        return new Token { Type = type, Start = start, End = end, Value = name.ToString() };
    }

    private Token ScanTag()
    {
        var start = _mark;
        string handle;
        string suffix;
        if (At(1) == '<')
        {
            // Verbatim: !<tag:example.com,2000:app>
            handle = "";
            SkipChar();
            SkipChar();
            suffix = ScanTagUri(directive: false, null, start);
            if (At(0) != '>')
            {
                throw Error("while scanning a tag", start, "did not find the expected '>'");
            }

            SkipChar();
        }
        else
        {
            handle = ScanTagHandle(directive: false, start);
            if (handle.Length > 1 && handle[0] == '!' && handle[^1] == '!')
            {
                suffix = ScanTagUri(directive: false, null, start);
            }
            else
            {
                // Not a handle after all: "!foo" is handle "!" and suffix "foo"; a lone "!" is suffix "!".
                suffix = ScanTagUri(directive: false, handle, start);
                handle = "!";
                if (suffix.Length == 0)
                {
                    (handle, suffix) = (suffix, handle);
                }
            }
        }

        if (!IsBlankz(0))
        {
            throw Error("while scanning a tag", start, "did not find expected whitespace or line break");
        }

        return new Token { Type = TokenType.Tag, Start = start, End = _mark, Value = handle, Suffix = suffix };
    }

    private string ScanTagHandle(bool directive, Mark start)
    {
        if (At(0) != '!')
        {
            throw Error(directive ? "while parsing a %TAG directive" : "while parsing a tag", start, "did not find expected '!'");
        }

        var handle = new StringBuilder();
        Read(handle);
        while (IsAlpha(At(0)))
        {
            Read(handle);
        }

        if (At(0) == '!')
        {
            Read(handle);
        }
        else if (directive && !(handle.Length == 1 && handle[0] == '!'))
        {
            throw Error("while parsing a %TAG directive", start, "did not find expected '!'");
        }

        return handle.ToString();
    }

    private string ScanTagUri(bool directive, string? head, Mark start)
    {
        var bytes = new List<byte>();
        var hasTag = !string.IsNullOrEmpty(head);
        if (head is { Length: > 1 })
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(head[1..]));
        }

        while (true)
        {
            var c = At(0);
            if (!(IsAlpha(c) || c is ';' or '/' or '?' or ':' or '@' or '&' or '=' or '+' or '$' or ',' or '.' or '!' or '~'
                or '*' or '\'' or '(' or ')' or '[' or ']' or '%'))
            {
                break;
            }

            if (c == '%')
            {
                ScanUriEscapes(directive, start, bytes);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(_text.Substring(_pos, CharWidth())));
                SkipChar();
            }

            hasTag = true;
        }

        if (!hasTag)
        {
            throw Error(directive ? "while parsing a %TAG directive" : "while parsing a tag", start, "did not find expected tag URI");
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private void ScanUriEscapes(bool directive, Mark start, List<byte> bytes)
    {
        var context = directive ? "while parsing a %TAG directive" : "while parsing a tag";
        var width = 1024;
        while (width > 0)
        {
            if (!(At(0) == '%' && char.IsAsciiHexDigit(At(1)) && char.IsAsciiHexDigit(At(2))))
            {
                throw Error(context, start, "did not find URI escaped octet");
            }

            var octet = (byte)((Hex(At(1)) << 4) + Hex(At(2)));
            if (width == 1024)
            {
                width = Utf8Width(octet);
                if (width == 0)
                {
                    throw Error(context, start, "found an incorrect leading UTF-8 octet");
                }
            }
            else if ((octet & 0xC0) != 0x80)
            {
                throw Error(context, start, "found an incorrect trailing UTF-8 octet");
            }

            bytes.Add(octet);
            SkipChar();
            SkipChar();
            SkipChar();
            width--;
        }
    }

    private Token ScanBlockScalar(bool literal)
    {
        var start = _mark;
        SkipChar();
        var chomping = 0;
        var increment = 0;
        if (At(0) is '+' or '-')
        {
            chomping = At(0) == '+' ? 1 : -1;
            SkipChar();
            if (char.IsAsciiDigit(At(0)))
            {
                increment = IndentationIndicator(start);
            }
        }
        else if (char.IsAsciiDigit(At(0)))
        {
            increment = IndentationIndicator(start);
            if (At(0) is '+' or '-')
            {
                chomping = At(0) == '+' ? 1 : -1;
                SkipChar();
            }
        }

        SkipBlanks();
        if (At(0) == '#')
        {
            while (!IsBreakz(0))
            {
                SkipChar();
            }
        }

        if (!IsBreakz(0))
        {
            throw Error("while scanning a block scalar", start, "did not find expected comment or line break");
        }

        if (IsBreak(At(0)))
        {
            SkipLine();
        }

        var end = _mark;
        var indent = increment > 0 ? (_indent >= 0 ? _indent + increment : increment) : 0;
        BeginValue();
        var value = _value;
        var leadingBreak = _leadingBreak.Clear();
        var trailingBreaks = _trailingBreaks.Clear();
        BlockScalarBreaks(ref indent, trailingBreaks, start, ref end);
        var leadingBlank = false;
        while (_mark.Column == indent && _pos < _text.Length)
        {
            // At the start of a non-empty line.
            var trailingBlank = IsBlank(At(0));
            if (!literal && !leadingBlank && !trailingBlank && leadingBreak.Length > 0 && leadingBreak[0] == '\n')
            {
                // Folded: a single line break between two normal lines becomes a space.
                if (trailingBreaks.Length == 0)
                {
                    value.Append(' ');
                }
            }
            else
            {
                value.Append(leadingBreak);
            }

            leadingBreak.Clear();
            value.Append(trailingBreaks);
            trailingBreaks.Clear();
            leadingBlank = IsBlank(At(0));
            while (!IsBreakz(0))
            {
                Read(value);
            }

            ReadLine(leadingBreak);
            BlockScalarBreaks(ref indent, trailingBreaks, start, ref end);
        }

        if (chomping != -1)
        {
            value.Append(leadingBreak);
        }

        if (chomping == 1)
        {
            value.Append(trailingBreaks);
        }

        return new Token
        {
            Type = TokenType.Scalar,
            Start = start,
            End = end,
            Value = value.ToString(),
            Style = literal ? ScalarStyle.Literal : ScalarStyle.Folded,
        };
    }

    private int IndentationIndicator(Mark start)
    {
        if (At(0) == '0')
        {
            throw Error("while scanning a block scalar", start, "found an indentation indicator equal to 0");
        }

        var increment = At(0) - '0';
        SkipChar();
        return increment;
    }

    private void BlockScalarBreaks(ref int indent, StringBuilder breaks, Mark start, ref Mark end)
    {
        end = _mark;
        var maxIndent = 0;
        while (true)
        {
            while ((indent == 0 || _mark.Column < indent) && At(0) == ' ')
            {
                SkipChar();
            }

            maxIndent = Math.Max(maxIndent, _mark.Column);
            if ((indent == 0 || _mark.Column < indent) && At(0) == '\t')
            {
                throw Error("while scanning a block scalar", start, "found a tab character where an indentation space is expected");
            }

            if (!IsBreak(At(0)))
            {
                break;
            }

            ReadLine(breaks);
            end = _mark;
        }

        if (indent == 0)
        {
            indent = Math.Max(Math.Max(maxIndent, _indent + 1), 1);
        }
    }

    private Token ScanFlowScalar(bool single)
    {
        var start = _mark;
        SkipChar();
        BeginValue();
        var leadingBreak = _leadingBreak.Clear();
        var trailingBreaks = _trailingBreaks.Clear();
        var quote = single ? '\'' : '"';
        while (true)
        {
            if (_mark.Column == 0 && IsDocumentIndicator())
            {
                throw Error("while scanning a quoted scalar", start, "found unexpected document indicator");
            }

            if (_pos >= _text.Length)
            {
                throw Error("while scanning a quoted scalar", start, "found unexpected end of stream");
            }

            var leadingBlanks = false;
            while (!IsBlankz(0))
            {
                var c = At(0);
                if (single && c == '\'' && At(1) == '\'')
                {
                    ValueBuilder().Append('\'');
                    SkipChar();
                    SkipChar();
                }
                else if (c == quote)
                {
                    break;
                }
                else if (!single && c == '\\' && IsBreak(At(1)))
                {
                    // An escaped line break: the break and the next line's leading blanks vanish.
                    SkipChar();
                    SkipLine();
                    leadingBlanks = true;
                    break;
                }
                else if (!single && c == '\\')
                {
                    Escape(ValueBuilder(), start);
                }
                else
                {
                    ReadRun(single ? Run.SingleQuoted : Run.DoubleQuoted);
                }
            }

            if (At(0) == quote)
            {
                break;
            }

            var whitespaceStart = _pos;
            var whitespaceLength = 0;
            while (IsBlank(At(0)) || IsBreak(At(0)))
            {
                if (IsBlank(At(0)))
                {
                    if (!leadingBlanks)
                    {
                        whitespaceLength++;
                    }

                    SkipChar();
                }
                else if (!leadingBlanks)
                {
                    whitespaceLength = 0;
                    ReadLine(leadingBreak);
                    leadingBlanks = true;
                }
                else
                {
                    ReadLine(trailingBreaks);
                }
            }

            if (leadingBlanks)
            {
                Fold(ValueBuilder(), leadingBreak, trailingBreaks);
            }
            else if (whitespaceLength > 0)
            {
                AppendSlice(whitespaceStart, whitespaceLength);
            }
        }

        SkipChar();
        return new Token
        {
            Type = TokenType.Scalar,
            Start = start,
            End = _mark,
            Value = TakeValue(),
            Style = single ? ScalarStyle.SingleQuoted : ScalarStyle.DoubleQuoted,
        };
    }

    private void Escape(StringBuilder value, Mark start)
    {
        var digits = 0;
        switch (At(1))
        {
            case '0':
                value.Append('\0');
                break;
            case 'a':
                value.Append('\a');
                break;
            case 'b':
                value.Append('\b');
                break;
            case 't' or '\t':
                value.Append('\t');
                break;
            case 'n':
                value.Append('\n');
                break;
            case 'v':
                value.Append('\v');
                break;
            case 'f':
                value.Append('\f');
                break;
            case 'r':
                value.Append('\r');
                break;
            case 'e':
                value.Append('\u001B');
                break;
            case ' ':
                value.Append(' ');
                break;
            case '"':
                value.Append('"');
                break;
            case '\'':
                value.Append('\'');
                break;
            case '\\':
                value.Append('\\');
                break;
            case 'N':
                value.Append('\u0085');
                break;
            case '_':
                value.Append('\u00A0');
                break;
            case 'L':
                value.Append('\u2028');
                break;
            case 'P':
                value.Append('\u2029');
                break;
            case 'x':
                digits = 2;
                break;
            case 'u':
                digits = 4;
                break;
            case 'U':
                digits = 8;
                break;
            default:
                throw Error("while parsing a quoted scalar", start, "found unknown escape character");
        }

        SkipChar();
        SkipChar();
        if (digits == 0)
        {
            return;
        }

        var code = 0L;
        for (var k = 0; k < digits; k++)
        {
            if (!char.IsAsciiHexDigit(At(k)))
            {
                throw Error("while parsing a quoted scalar", start, "did not find expected hexdecimal number");
            }

            code = (code << 4) + Hex(At(k));
        }

        if (code is >= 0xD800 and <= 0xDFFF or > 0x10FFFF)
        {
            throw Error("while parsing a quoted scalar", start, "found invalid Unicode character escape code");
        }

        value.Append(char.ConvertFromUtf32((int)code));
        for (var k = 0; k < digits; k++)
        {
            SkipChar();
        }
    }

    private Token ScanPlainScalar()
    {
        BeginValue();
        var leadingBreak = _leadingBreak.Clear();
        var trailingBreaks = _trailingBreaks.Clear();
        var whitespaceStart = 0;
        var whitespaceLength = 0;
        var leadingBlanks = false;
        var indent = _indent + 1;
        var start = _mark;
        var end = _mark;
        var flow = _flowLevel > 0;
        while (true)
        {
            if (_mark.Column == 0 && IsDocumentIndicator())
            {
                break;
            }

            if (At(0) == '#')
            {
                break;
            }

            while (!IsBlankz(0))
            {
                var c = At(0);
                if ((c == ':' && IsBlankz(1)) || (flow && c is ',' or '?' or '[' or ']' or '{' or '}'))
                {
                    break;
                }

                if (leadingBlanks)
                {
                    Fold(ValueBuilder(), leadingBreak, trailingBreaks);
                    leadingBlanks = false;
                }
                else if (whitespaceLength > 0)
                {
                    AppendSlice(whitespaceStart, whitespaceLength);
                    whitespaceLength = 0;
                }

                ReadRun(flow ? Run.PlainFlow : Run.PlainBlock);
                end = _mark;
            }

            if (!(IsBlank(At(0)) || IsBreak(At(0))))
            {
                break;
            }

            while (IsBlank(At(0)) || IsBreak(At(0)))
            {
                if (IsBlank(At(0)))
                {
                    if (leadingBlanks && _mark.Column < indent && At(0) == '\t')
                    {
                        throw Error("while scanning a plain scalar", start, "found a tab character that violates indentation");
                    }

                    if (!leadingBlanks)
                    {
                        if (whitespaceLength == 0)
                        {
                            whitespaceStart = _pos;
                        }

                        whitespaceLength++;
                    }

                    SkipChar();
                }
                else if (!leadingBlanks)
                {
                    whitespaceLength = 0;
                    ReadLine(leadingBreak);
                    leadingBlanks = true;
                }
                else
                {
                    ReadLine(trailingBreaks);
                }
            }

            if (_flowLevel == 0 && _mark.Column < indent)
            {
                break;
            }
        }

        if (leadingBlanks)
        {
            _simpleKeyAllowed = true;
        }

        return new Token { Type = TokenType.Scalar, Start = start, End = end, Value = TakeValue(), Style = ScalarStyle.Plain };
    }

    private enum Run
    {
        PlainBlock,
        PlainFlow,
        SingleQuoted,
        DoubleQuoted,
    }

    /// <summary>
    /// Consumes characters up to the next blank or line break (or the end, or what ends this kind of scalar) as one
    /// slice of the value: the common case is a scalar that is a plain substring of the document.
    /// </summary>
    private void ReadRun(Run kind)
    {
        var text = _text;
        var i = _pos;
        var points = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n' or '\u0085' or '\u2028' or '\u2029')
            {
                break;
            }

            var stop = kind switch
            {
                Run.SingleQuoted => c == '\'',
                Run.DoubleQuoted => c is '"' or '\\',
                Run.PlainFlow => c is ',' or '?' or '[' or ']' or '{' or '}' || (c == ':' && IsBlankzAt(i + 1)),
                _ => c == ':' && IsBlankzAt(i + 1),
            };
            if (stop)
            {
                break;
            }

            i += char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            points++;
        }

        AppendSlice(_pos, i - _pos);
        _pos = i;
        _mark = new Mark(_mark.Index + points, _mark.Line, _mark.Column + points);
    }

    private bool IsBlankzAt(int i) => i >= _text.Length || _text[i] is ' ' or '\t' or '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    private void BeginValue()
    {
        _value.Clear();
        _sliceStart = -1;
    }

    // The value is _value followed by a pending slice of the text that has not been copied yet.
    private void AppendSlice(int start, int length)
    {
        if (length == 0)
        {
            return;
        }

        if (_sliceStart >= 0 && _sliceStart + _sliceLength == start)
        {
            _sliceLength += length;
            return;
        }

        FlushSlice();
        _sliceStart = start;
        _sliceLength = length;
    }

    private StringBuilder ValueBuilder()
    {
        FlushSlice();
        return _value;
    }

    private void FlushSlice()
    {
        if (_sliceStart >= 0)
        {
            _value.Append(_text, _sliceStart, _sliceLength);
            _sliceStart = -1;
        }
    }

    private string TakeValue()
    {
        if (_value.Length == 0)
        {
            return _sliceStart >= 0 ? _text.Substring(_sliceStart, _sliceLength) : "";
        }

        FlushSlice();
        return _value.ToString();
    }

    // Line folding: one '\n' between text becomes a space, more keep all but the first; other breaks stay.
    private static void Fold(StringBuilder value, StringBuilder leadingBreak, StringBuilder trailingBreaks)
    {
        if (leadingBreak.Length > 0 && leadingBreak[0] == '\n')
        {
            if (trailingBreaks.Length == 0)
            {
                value.Append(' ');
            }
            else
            {
                value.Append(trailingBreaks);
            }
        }
        else
        {
            value.Append(leadingBreak);
            value.Append(trailingBreaks);
        }

        trailingBreaks.Clear();
        leadingBreak.Clear();
    }

    private bool IsDocumentIndicator() =>
        ((At(0) == '-' && At(1) == '-' && At(2) == '-') || (At(0) == '.' && At(1) == '.' && At(2) == '.')) && IsBlankz(3);

    private void SkipBlanks()
    {
        while (IsBlank(At(0)))
        {
            SkipChar();
        }
    }

    private char At(int offset)
    {
        var i = _pos + offset;
        return i < _text.Length ? _text[i] : '\0';
    }

    private int CharWidth() =>
        char.IsHighSurrogate(_text[_pos]) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]) ? 2 : 1;

    private void SkipChar()
    {
        if (_pos >= _text.Length)
        {
            return;
        }

        _pos += CharWidth();
        _mark = new Mark(_mark.Index + 1, _mark.Line, _mark.Column + 1);
    }

    private void SkipLine()
    {
        if (At(0) == '\r' && At(1) == '\n')
        {
            _pos += 2;
            _mark = new Mark(_mark.Index + 2, _mark.Line + 1, 0);
        }
        else if (IsBreak(At(0)))
        {
            _pos++;
            _mark = new Mark(_mark.Index + 1, _mark.Line + 1, 0);
        }
    }

    private void Read(StringBuilder into)
    {
        var width = CharWidth();
        into.Append(_text, _pos, width);
        _pos += width;
        _mark = new Mark(_mark.Index + 1, _mark.Line, _mark.Column + 1);
    }

    // Reads a line break, normalising CR, CR LF and NEL to '\n' (LS and PS stay as they are).
    private void ReadLine(StringBuilder into)
    {
        var c = At(0);
        if (c == '\r' && At(1) == '\n')
        {
            into.Append('\n');
            _pos += 2;
            _mark = new Mark(_mark.Index + 2, _mark.Line + 1, 0);
            return;
        }

        if (c is '\r' or '\n' or '\u0085')
        {
            into.Append('\n');
        }
        else if (c is '\u2028' or '\u2029')
        {
            into.Append(c);
        }
        else
        {
            return;
        }

        _pos++;
        _mark = new Mark(_mark.Index + 1, _mark.Line + 1, 0);
    }

    private bool IsBlankz(int offset)
    {
        var c = At(offset);
        return c is ' ' or '\t' or '\0' || IsBreak(c);
    }

    private bool IsBreakz(int offset)
    {
        var c = At(offset);
        return c == '\0' || IsBreak(c);
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private static bool IsBreak(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    private static bool IsAlpha(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static int Hex(char c) => char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int Utf8Width(byte b) => (b & 0x80) == 0 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;

    // Scanner errors point at where scanning stopped; the context (what was being scanned, from where) is in the text.
    private YamlException Error(string? context, Mark contextMark, string problem) =>
        new(context is null ? problem : $"{problem} ({context} from line {contextMark.Line + 1}, column {contextMark.Column + 1})",
            _mark.Line + 1,
            _mark.Column + 1);

    private struct SimpleKey
    {
        public bool Possible;
        public bool Required;
        public int TokenNumber;
        public Mark Mark;
    }
}
