using System.Text;

namespace Keelson.Templating.Parse;

internal enum ItemType
{
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,

    // Keywords come after everything else.
    Keyword,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

/// <summary>A token: its type, start (a char index into the text), text and the line it starts on.</summary>
internal readonly record struct Item(ItemType Type, int Pos, string Val, int Line)
{
    /// <summary>How Go's parser names a token in "unexpected X" errors.</summary>
    public override string ToString()
    {
        if (Type == ItemType.Eof)
        {
            return "EOF";
        }

        if (Type == ItemType.Error)
        {
            return Val;
        }

        if (Type > ItemType.Keyword)
        {
            return "<" + Val + ">";
        }

        if (GoValues.Utf8Length(Val) > 10)
        {
            return GoFmt.Sprintf("%.10q...", Val);
        }

        return GoFmt.Sprintf("%q", Val);
    }
}

/// <summary>
/// text/template's lexer: text and actions with the default delimiters, trim markers (which need a space beside
/// the dash), comments, and the tokens inside actions. Produces one token per call, on demand.
/// </summary>
internal sealed class Lexer
{
    private const string LeftDelim = "{{";
    private const string RightDelim = "}}";
    private const string LeftComment = "/*";
    private const string RightComment = "*/";
    private const int Eof = -1;
    private const int TrimMarkerLen = 2;

    private enum State
    {
        Text,
        LeftDelim,
        Comment,
        RightDelim,
        InsideAction,
        Space,
        Identifier,
        Field,
        Variable,
        Char,
        Number,
        Quote,
        RawQuote,
        Done,
    }

    private readonly string _input;
    private readonly bool _breakOk;
    private readonly bool _continueOk;
    private State _state = State.Text;
    private int _pos;
    private int _start;
    private int _startLine = 1;
    private int _lastWidth;
    private int _parenDepth;
    private readonly Queue<Item> _pending = new();

    public Lexer(string input, bool breakOk, bool continueOk)
    {
        _input = input;
        _breakOk = breakOk;
        _continueOk = continueOk;
    }

    public Item NextItem()
    {
        while (_pending.Count == 0)
        {
            if (_state == State.Done)
            {
                // After EOF or an error the lexer is drained; Go's closed channel yields zero items.
                return new Item(ItemType.Error, 0, "", 0);
            }

            _state = Step(_state);
        }

        return _pending.Dequeue();
    }

    private State Step(State state) => state switch
    {
        State.Text => LexText(),
        State.LeftDelim => LexLeftDelim(),
        State.Comment => LexComment(),
        State.RightDelim => LexRightDelim(),
        State.InsideAction => LexInsideAction(),
        State.Space => LexSpace(),
        State.Identifier => LexIdentifier(),
        State.Field => LexFieldOrVariable(ItemType.Field),
        State.Variable => LexVariable(),
        State.Char => LexChar(),
        State.Number => LexNumber(),
        State.Quote => LexQuote(),
        State.RawQuote => LexRawQuote(),
        _ => State.Done,
    };

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _lastWidth = 0;
            return Eof;
        }

        var r = Fmt.GoStrconv.NextRune(_input, _pos, out var w);
        _lastWidth = w;
        _pos += w;
        return r;
    }

    private int Peek()
    {
        var r = Next();
        Backup();
        return r;
    }

    private void Backup()
    {
        _pos -= _lastWidth;
        _lastWidth = 0;
    }

    private void Emit(ItemType t)
    {
        _pending.Enqueue(new Item(t, _start, _input[_start.._pos], _startLine));
        AdvanceStart();
    }

    private void Ignore() => AdvanceStart();

    private void AdvanceStart()
    {
        for (var i = _start; i < _pos; i++)
        {
            if (_input[i] == '\n')
            {
                _startLine++;
            }
        }

        _start = _pos;
    }

    private State Errorf(string message)
    {
        _pending.Enqueue(new Item(ItemType.Error, _start, message, _startLine));
        return State.Done;
    }

    private bool Accept(string valid)
    {
        var r = Next();
        if (r != Eof && valid.Contains((char)r, StringComparison.Ordinal))
        {
            return true;
        }

        Backup();
        return false;
    }

    private void AcceptRun(string valid)
    {
        while (true)
        {
            var r = Next();
            if (r == Eof || r > 0xFFFF || !valid.Contains((char)r, StringComparison.Ordinal))
            {
                Backup();
                return;
            }
        }
    }

    private static bool IsSpace(int r) => r is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlphaNumeric(int r) =>
        r == '_' || r >= 0 && Rune.IsValid(r) && (Rune.IsLetter(new Rune(r)) || Rune.IsDigit(new Rune(r)));

    private bool HasLeftTrimMarker(int at) => at + 1 < _input.Length && _input[at] == '-' && IsSpace(_input[at + 1]);

    private bool HasRightTrimMarker(int at) => at + 1 < _input.Length && IsSpace(_input[at]) && _input[at + 1] == '-';

    private bool HasPrefixAt(int at, string prefix) => at <= _input.Length && _input.AsSpan(at).StartsWith(prefix, StringComparison.Ordinal);

    private static string DescribeRune(int r) => GoFmt.Sprintf("%#U", r == Eof ? (object)(int)Eof : r);

    private State LexText()
    {
        var x = _input.IndexOf(LeftDelim, _pos, StringComparison.Ordinal);
        if (x >= 0)
        {
            _pos = x;
            var trimLength = 0;
            if (HasLeftTrimMarker(_pos + LeftDelim.Length))
            {
                var j = _pos;
                while (j > _start && IsSpace(_input[j - 1]))
                {
                    j--;
                }

                trimLength = _pos - j;
            }

            _pos -= trimLength;
            if (_pos > _start)
            {
                Emit(ItemType.Text);
            }

            _pos += trimLength;
            Ignore();
            return State.LeftDelim;
        }

        _pos = _input.Length;
        if (_pos > _start)
        {
            Emit(ItemType.Text);
            // EOF follows on the next call.
            return State.Text;
        }

        Emit(ItemType.Eof);
        return State.Done;
    }

    private (bool Delim, bool TrimSpaces) AtRightDelim()
    {
        if (HasRightTrimMarker(_pos) && HasPrefixAt(_pos + TrimMarkerLen, RightDelim))
        {
            return (true, true);
        }

        return HasPrefixAt(_pos, RightDelim) ? (true, false) : (false, false);
    }

    private int LeftTrimLength(int at)
    {
        var j = at;
        while (j < _input.Length && IsSpace(_input[j]))
        {
            j++;
        }

        return j - at;
    }

    private State LexLeftDelim()
    {
        _pos += LeftDelim.Length;
        var trimSpace = HasLeftTrimMarker(_pos);
        var afterMarker = trimSpace ? TrimMarkerLen : 0;
        if (HasPrefixAt(_pos + afterMarker, LeftComment))
        {
            _pos += afterMarker;
            Ignore();
            return State.Comment;
        }

        Emit(ItemType.LeftDelim);
        _pos += afterMarker;
        Ignore();
        _parenDepth = 0;
        return State.InsideAction;
    }

    private State LexComment()
    {
        _pos += LeftComment.Length;
        var i = _input.IndexOf(RightComment, _pos, StringComparison.Ordinal);
        if (i < 0)
        {
            return Errorf("unclosed comment");
        }

        _pos = i + RightComment.Length;
        var (delim, trimSpace) = AtRightDelim();
        if (!delim)
        {
            return Errorf("comment ends before closing delimiter");
        }

        if (trimSpace)
        {
            _pos += TrimMarkerLen;
        }

        _pos += RightDelim.Length;
        if (trimSpace)
        {
            _pos += LeftTrimLength(_pos);
        }

        Ignore();
        return State.Text;
    }

    private State LexRightDelim()
    {
        var trimSpace = HasRightTrimMarker(_pos);
        if (trimSpace)
        {
            _pos += TrimMarkerLen;
            Ignore();
        }

        _pos += RightDelim.Length;
        Emit(ItemType.RightDelim);
        if (trimSpace)
        {
            _pos += LeftTrimLength(_pos);
            Ignore();
        }

        return State.Text;
    }

    private State LexInsideAction()
    {
        var (delim, _) = AtRightDelim();
        if (delim)
        {
            if (_parenDepth == 0)
            {
                return State.RightDelim;
            }

            return Errorf("unclosed left paren");
        }

        var r = Next();
        switch (r)
        {
            case Eof:
                return Errorf("unclosed action");
            case ' ' or '\t' or '\r' or '\n':
                Backup();
                return State.Space;
            case '=':
                Emit(ItemType.Assign);
                return State.InsideAction;
            case ':':
                if (Next() != '=')
                {
                    return Errorf("expected :=");
                }

                Emit(ItemType.Declare);
                return State.InsideAction;
            case '|':
                Emit(ItemType.Pipe);
                return State.InsideAction;
            case '"':
                return State.Quote;
            case '`':
                return State.RawQuote;
            case '$':
                return State.Variable;
            case '\'':
                return State.Char;
            case '.':
                if (_pos < _input.Length && _input[_pos] is < '0' or > '9')
                {
                    return State.Field;
                }

                Backup();
                return State.Number;
            case '+' or '-' or (>= '0' and <= '9'):
                Backup();
                return State.Number;
            case '(':
                Emit(ItemType.LeftParen);
                _parenDepth++;
                return State.InsideAction;
            case ')':
                Emit(ItemType.RightParen);
                _parenDepth--;
                if (_parenDepth < 0)
                {
                    return Errorf("unexpected right paren " + DescribeRune(r));
                }

                return State.InsideAction;
        }

        if (IsAlphaNumeric(r))
        {
            Backup();
            return State.Identifier;
        }

        if (r <= 0x7F && Fmt.GoStrconv.IsPrint(r))
        {
            Emit(ItemType.Char);
            return State.InsideAction;
        }

        return Errorf("unrecognized character in action: " + DescribeRune(r));
    }

    private State LexSpace()
    {
        var numSpaces = 0;
        while (IsSpace(Peek()))
        {
            Next();
            numSpaces++;
        }

        // A trim-marked closing delimiter starts with a space: leave that space to it.
        if (HasRightTrimMarker(_pos - 1) && HasPrefixAt(_pos - 1 + TrimMarkerLen, RightDelim))
        {
            _pos--;
            if (numSpaces == 1)
            {
                return State.RightDelim;
            }
        }

        Emit(ItemType.Space);
        return State.InsideAction;
    }

    private State LexIdentifier()
    {
        while (true)
        {
            var r = Next();
            if (IsAlphaNumeric(r))
            {
                continue;
            }

            Backup();
            var word = _input[_start.._pos];
            if (!AtTerminator())
            {
                return Errorf("bad character " + DescribeRune(r));
            }

            var kw = Keyword(word);
            if (kw > ItemType.Keyword)
            {
                Emit(kw == ItemType.Break && !_breakOk || kw == ItemType.Continue && !_continueOk ? ItemType.Identifier : kw);
            }
            else if (word[0] == '.')
            {
                Emit(ItemType.Field);
            }
            else if (word is "true" or "false")
            {
                Emit(ItemType.Bool);
            }
            else
            {
                Emit(ItemType.Identifier);
            }

            return State.InsideAction;
        }
    }

    private static ItemType Keyword(string word) => word switch
    {
        "." => ItemType.Dot,
        "block" => ItemType.Block,
        "break" => ItemType.Break,
        "continue" => ItemType.Continue,
        "define" => ItemType.Define,
        "else" => ItemType.Else,
        "end" => ItemType.End,
        "if" => ItemType.If,
        "range" => ItemType.Range,
        "nil" => ItemType.Nil,
        "template" => ItemType.Template,
        "with" => ItemType.With,
        _ => ItemType.Error,
    };

    private State LexVariable()
    {
        if (AtTerminator())
        {
            Emit(ItemType.Variable);
            return State.InsideAction;
        }

        return LexFieldOrVariable(ItemType.Variable);
    }

    private State LexFieldOrVariable(ItemType typ)
    {
        if (AtTerminator())
        {
            Emit(typ == ItemType.Variable ? ItemType.Variable : ItemType.Dot);
            return State.InsideAction;
        }

        int r;
        while (true)
        {
            r = Next();
            if (!IsAlphaNumeric(r))
            {
                Backup();
                break;
            }
        }

        if (!AtTerminator())
        {
            return Errorf("bad character " + DescribeRune(r));
        }

        Emit(typ);
        return State.InsideAction;
    }

    /// <summary>Whether the next character may follow an identifier (so .X.Y splits in two and $x+2 is rejected).</summary>
    private bool AtTerminator()
    {
        var r = Peek();
        if (IsSpace(r))
        {
            return true;
        }

        return r switch
        {
            Eof or '.' or ',' or '|' or ':' or ')' or '(' => true,
            _ => HasPrefixAt(_pos, RightDelim),
        };
    }

    private State LexChar()
    {
        while (true)
        {
            var r = Next();
            if (r == '\\')
            {
                var e = Next();
                if (e != Eof && e != '\n')
                {
                    continue;
                }

                return Errorf("unterminated character constant");
            }

            if (r is Eof or '\n')
            {
                return Errorf("unterminated character constant");
            }

            if (r == '\'')
            {
                break;
            }
        }

        Emit(ItemType.CharConstant);
        return State.InsideAction;
    }

    private State LexNumber()
    {
        if (!ScanNumber())
        {
            return Errorf(GoFmt.Sprintf("bad number syntax: %q", _input[_start.._pos]));
        }

        var sign = Peek();
        if (sign is '+' or '-')
        {
            // Complex: 1+2i. No spaces, must end in 'i'.
            if (!ScanNumber() || _input[_pos - 1] != 'i')
            {
                return Errorf(GoFmt.Sprintf("bad number syntax: %q", _input[_start.._pos]));
            }

            Emit(ItemType.Complex);
        }
        else
        {
            Emit(ItemType.Number);
        }

        return State.InsideAction;
    }

    private bool ScanNumber()
    {
        Accept("+-");
        var digits = "0123456789_";
        if (Accept("0"))
        {
            // A leading 0 does not mean octal in floats.
            if (Accept("xX"))
            {
                digits = "0123456789abcdefABCDEF_";
            }
            else if (Accept("oO"))
            {
                digits = "01234567_";
            }
            else if (Accept("bB"))
            {
                digits = "01_";
            }
        }

        AcceptRun(digits);
        if (Accept("."))
        {
            AcceptRun(digits);
        }

        if (digits.Length == 10 + 1 && Accept("eE"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }

        if (digits.Length == 16 + 6 + 1 && Accept("pP"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }

        Accept("i");
        if (IsAlphaNumeric(Peek()))
        {
            Next();
            return false;
        }

        return true;
    }

    private State LexQuote()
    {
        while (true)
        {
            var r = Next();
            if (r == '\\')
            {
                var e = Next();
                if (e != Eof && e != '\n')
                {
                    continue;
                }

                return Errorf("unterminated quoted string");
            }

            if (r is Eof or '\n')
            {
                return Errorf("unterminated quoted string");
            }

            if (r == '"')
            {
                break;
            }
        }

        Emit(ItemType.String);
        return State.InsideAction;
    }

    private State LexRawQuote()
    {
        while (true)
        {
            var r = Next();
            if (r == Eof)
            {
                return Errorf("unterminated raw quoted string");
            }

            if (r == '`')
            {
                break;
            }
        }

        Emit(ItemType.RawString);
        return State.InsideAction;
    }
}
