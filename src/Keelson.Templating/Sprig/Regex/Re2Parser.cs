using System.Text;

namespace Keelson.Templating;

/// <summary>A parsed RE2 expression. Character classes are explicit code point sets; flags are already applied.</summary>
internal abstract record ReNode;

internal sealed record ReClass(RuneSet Set) : ReNode;

/// <summary>Zero-width assertions.</summary>
internal enum ReAnchor
{
    BeginText,
    EndText,
    BeginLine,
    EndLine,
    WordBoundary,
    NoWordBoundary,
}

internal sealed record ReAssert(ReAnchor Anchor) : ReNode;

internal sealed record ReEmpty : ReNode;

internal sealed record ReCapture(int Index, string? Name, ReNode Sub) : ReNode;

/// <summary>A repetition; Max -1 is unbounded. Counted marks the {n,m} form, which Go limits to 1000 copies.</summary>
internal sealed record ReRepeat(ReNode Sub, int Min, int Max, bool Greedy, bool Counted = false) : ReNode;

internal sealed record ReConcat(List<ReNode> Subs) : ReNode;

internal sealed record ReAlternate(List<ReNode> Subs) : ReNode;

/// <summary>A syntax error with Go's message: "error parsing regexp: missing closing ): `(`".</summary>
internal sealed class Re2SyntaxException : Exception
{
    public Re2SyntaxException(string code, string expr)
        : base("error parsing regexp: " + code + ": `" + expr + "`")
    {
    }

    private Re2SyntaxException(string message)
        : base(message)
    {
    }

    /// <summary>A fresh exception with the same message (a cached error is thrown again per use).</summary>
    public Re2SyntaxException Copy() => new(Message);
}

/// <summary>
/// Go's regexp/syntax parser with the flags regexp.Compile uses (Perl: OneLine, ClassNL, PerlX, UnicodeGroups),
/// as Go 1.22 accepts it (named groups as (?P&lt;name&gt;) or (?&lt;name&gt;)). It rejects what RE2 rejects —
/// backreferences, lookaround, atomic groups, possessive quantifiers, \Z — with Go's error messages.
/// </summary>
internal sealed class Re2Parser
{
    private const string MissingParen = "missing closing )";
    private const string UnexpectedParen = "unexpected )";
    private const string MissingBracket = "missing closing ]";
    private const string InvalidEscape = "invalid escape sequence";
    private const string InvalidCharRange = "invalid character class range";
    private const string InvalidRepeatOp = "invalid nested repetition operator";
    private const string InvalidRepeatSize = "invalid repeat count";
    private const string MissingRepeatArgument = "missing argument to repetition operator";
    private const string InvalidPerlOp = "invalid or unsupported Perl syntax";
    private const string InvalidNamedCapture = "invalid named capture";
    private const string TrailingBackslash = "trailing backslash at end of expression";
    private const string NestingDepth = "expression nests too deeply";
    private const int MaxDepth = 1000;

    private readonly string _s;
    private int _pos;
    private bool _foldCase;
    private bool _multiLine;
    private bool _dotNL;
    private bool _nonGreedy;
    private int _captures;
    private readonly List<string?> _names = [null];

    private Re2Parser(string s)
    {
        _s = s;
    }

    /// <summary>Parses a pattern; <paramref name="names"/> gets each group's name (null when unnamed), index 0 for the whole match.</summary>
    public static ReNode Parse(string pattern, out IReadOnlyList<string?> names)
    {
        var p = new Re2Parser(pattern);
        var node = p.ParseAlternation(0);
        if (p._pos < p._s.Length)
        {
            // Only a ')' stops the top level early.
            throw new Re2SyntaxException(UnexpectedParen, pattern);
        }

        names = p._names;
        return node;
    }

    private ReNode ParseAlternation(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new Re2SyntaxException(NestingDepth, _s);
        }

        var alternatives = new List<ReNode> { ParseConcat(depth) };
        while (_pos < _s.Length && _s[_pos] == '|')
        {
            _pos++;
            alternatives.Add(ParseConcat(depth));
        }

        return alternatives.Count == 1 ? alternatives[0] : new ReAlternate(alternatives);
    }

    private ReNode ParseConcat(int depth)
    {
        var items = new List<ReNode>();
        string? lastRepeat = null;
        while (_pos < _s.Length && _s[_pos] is not ('|' or ')'))
        {
            var start = _pos;
            var c = _s[_pos];
            string? repeat = null;
            switch (c)
            {
                case '(':
                    if (_pos + 1 < _s.Length && _s[_pos + 1] == '?')
                    {
                        var group = ParseFlagsOrGroup(depth);
                        if (group is not null)
                        {
                            items.Add(group);
                        }
                    }
                    else
                    {
                        _pos++;
                        var index = ++_captures;
                        _names.Add(null);
                        items.Add(new ReCapture(index, null, ParseGroupBody(depth, start)));
                    }

                    break;
                case '^':
                    _pos++;
                    items.Add(new ReAssert(_multiLine ? ReAnchor.BeginLine : ReAnchor.BeginText));
                    break;
                case '$':
                    _pos++;
                    items.Add(new ReAssert(_multiLine ? ReAnchor.EndLine : ReAnchor.EndText));
                    break;
                case '.':
                    _pos++;
                    items.Add(new ReClass(_dotNL ? RuneSet.Of(0, RuneSet.MaxRune) : AnyButNewline()));
                    break;
                case '[':
                    items.Add(new ReClass(ParseClass()));
                    break;
                case '*' or '+' or '?':
                {
                    _pos++;
                    var (min, max) = c switch { '*' => (0, -1), '+' => (1, -1), _ => (0, 1) };
                    ApplyRepeat(items, min, max, start, lastRepeat, counted: false);
                    repeat = _s[start.._pos];
                    break;
                }

                case '{':
                    if (TryParseRepeat(out var rmin, out var rmax))
                    {
                        if (rmin < 0 || rmin > 1000 || rmax > 1000 || rmax >= 0 && rmin > rmax)
                        {
                            throw new Re2SyntaxException(InvalidRepeatSize, _s[start.._pos]);
                        }

                        ApplyRepeat(items, rmin, rmax, start, lastRepeat, counted: true);
                        repeat = _s[start.._pos];
                    }
                    else
                    {
                        // A brace that does not start a repetition is a literal.
                        _pos++;
                        items.Add(Literal('{'));
                    }

                    break;
                case '\\':
                    ParseBackslash(items);
                    break;
                default:
                    items.Add(Literal(NextRune()));
                    break;
            }

            lastRepeat = repeat;
        }

        return items.Count switch
        {
            0 => new ReEmpty(),
            1 => items[0],
            _ => new ReConcat(items),
        };
    }

    /// <summary>After '(' (and a name): the group's alternation up to its ')'; the group's flags end with it.</summary>
    private ReNode ParseGroupBody(int depth, int start)
    {
        var saved = (_foldCase, _multiLine, _dotNL, _nonGreedy);
        var body = ParseAlternation(depth + 1);
        if (_pos >= _s.Length)
        {
            throw new Re2SyntaxException(MissingParen, _s);
        }

        _pos++;
        (_foldCase, _multiLine, _dotNL, _nonGreedy) = saved;
        return body;
    }

    /// <summary>"(?" forms: named captures, flag groups (?i:...), and flag settings (?i) that return null.</summary>
    private ReNode? ParseFlagsOrGroup(int depth)
    {
        var start = _pos;
        var t = _s.AsSpan(_pos);
        var withP = t.Length > 4 && t[2] == 'P' && t[3] == '<';
        var bare = t.Length > 3 && t[2] == '<';
        if (withP || bare)
        {
            var end = _s.IndexOf('>', _pos);
            if (end < 0)
            {
                throw new Re2SyntaxException(InvalidNamedCapture, _s[start..]);
            }

            var name = _s[(_pos + (withP ? 4 : 3))..end];
            if (!IsValidCaptureName(name))
            {
                throw new Re2SyntaxException(InvalidNamedCapture, _s[start..(end + 1)]);
            }

            _pos = end + 1;
            var index = ++_captures;
            _names.Add(name);
            return new ReCapture(index, name, ParseGroupBody(depth, start));
        }

        _pos += 2;
        var (fold, multi, dot, ungreedy) = (_foldCase, _multiLine, _dotNL, _nonGreedy);
        var negate = false;
        var sawFlag = false;
        while (_pos < _s.Length)
        {
            var c = _s[_pos++];
            switch (c)
            {
                case 'i':
                    fold = !negate;
                    sawFlag = true;
                    continue;
                case 'm':
                    multi = !negate;
                    sawFlag = true;
                    continue;
                case 's':
                    dot = !negate;
                    sawFlag = true;
                    continue;
                case 'U':
                    ungreedy = !negate;
                    sawFlag = true;
                    continue;
                case '-':
                    if (negate)
                    {
                        break;
                    }

                    negate = true;
                    sawFlag = false;
                    continue;
                case ':' or ')':
                    if (negate && !sawFlag)
                    {
                        break;
                    }

                    if (c == ')')
                    {
                        (_foldCase, _multiLine, _dotNL, _nonGreedy) = (fold, multi, dot, ungreedy);
                        return null;
                    }

                    var saved = (_foldCase, _multiLine, _dotNL, _nonGreedy);
                    (_foldCase, _multiLine, _dotNL, _nonGreedy) = (fold, multi, dot, ungreedy);
                    var body = ParseAlternation(depth + 1);
                    if (_pos >= _s.Length)
                    {
                        throw new Re2SyntaxException(MissingParen, _s);
                    }

                    _pos++;
                    (_foldCase, _multiLine, _dotNL, _nonGreedy) = saved;
                    return body;
            }

            break;
        }

        // Go reports the text up to and including the offending character (lookaround, atomic groups...).
        throw new Re2SyntaxException(InvalidPerlOp, _s[start..Math.Min(_pos, _s.Length)]);
    }

    private static bool IsValidCaptureName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private void ApplyRepeat(List<ReNode> items, int min, int max, int start, string? lastRepeat, bool counted)
    {
        var greedy = !_nonGreedy;
        if (_pos < _s.Length && _s[_pos] == '?')
        {
            _pos++;
            greedy = !greedy;
        }

        if (lastRepeat is not null)
        {
            // Perl does not stack repetitions: a** is an error and a++ is possessive, which RE2 lacks.
            throw new Re2SyntaxException(InvalidRepeatOp, lastRepeat + _s[start.._pos]);
        }

        if (items.Count == 0)
        {
            throw new Re2SyntaxException(MissingRepeatArgument, _s[start.._pos]);
        }

        var repeated = new ReRepeat(items[^1], min, max, greedy, counted);
        if (counted && (min >= 2 || max >= 2) && !RepeatIsValid(repeated, 1000))
        {
            throw new Re2SyntaxException(InvalidRepeatSize, _s[start.._pos]);
        }

        items[^1] = repeated;
    }

    /// <summary>Go's repeatIsValid: nested counted repetitions may not multiply past 1000 copies.</summary>
    private static bool RepeatIsValid(ReNode node, int n)
    {
        if (node is ReRepeat { Counted: true } rep)
        {
            var m = rep.Max;
            if (m == 0)
            {
                return true;
            }

            if (m < 0)
            {
                m = rep.Min;
            }

            if (m > n)
            {
                return false;
            }

            if (m > 0)
            {
                n /= m;
            }
        }

        return node switch
        {
            ReRepeat rr => RepeatIsValid(rr.Sub, n),
            ReCapture c => RepeatIsValid(c.Sub, n),
            ReConcat cc => cc.Subs.TrueForAll(s => RepeatIsValid(s, n)),
            ReAlternate a => a.Subs.TrueForAll(s => RepeatIsValid(s, n)),
            _ => true,
        };
    }

    /// <summary>{n}, {n,} or {n,m} at _pos; false (nothing consumed) when it is not one. Too-large numbers give min -1.</summary>
    private bool TryParseRepeat(out int min, out int max)
    {
        min = max = 0;
        var p = _pos + 1;
        if (!TryParseInt(ref p, out min) || p >= _s.Length)
        {
            return false;
        }

        if (_s[p] != ',')
        {
            max = min;
        }
        else
        {
            p++;
            if (p >= _s.Length)
            {
                return false;
            }

            if (_s[p] == '}')
            {
                max = -1;
            }
            else if (!TryParseInt(ref p, out max))
            {
                return false;
            }
            else if (max < 0)
            {
                min = -1;
            }
        }

        if (p >= _s.Length || _s[p] != '}')
        {
            return false;
        }

        _pos = p + 1;
        return true;
    }

    private bool TryParseInt(ref int p, out int n)
    {
        n = 0;
        if (p >= _s.Length || !char.IsAsciiDigit(_s[p]))
        {
            return false;
        }

        // Leading zeros are not allowed.
        if (p + 1 < _s.Length && _s[p] == '0' && char.IsAsciiDigit(_s[p + 1]))
        {
            return false;
        }

        for (; p < _s.Length && char.IsAsciiDigit(_s[p]); p++)
        {
            if (n >= 100_000_000)
            {
                n = -1;
                continue;
            }

            if (n >= 0)
            {
                n = n * 10 + (_s[p] - '0');
            }
        }

        return true;
    }

    private void ParseBackslash(List<ReNode> items)
    {
        var start = _pos;
        if (_pos + 1 < _s.Length)
        {
            switch (_s[_pos + 1])
            {
                case 'A':
                    _pos += 2;
                    items.Add(new ReAssert(ReAnchor.BeginText));
                    return;
                case 'b':
                    _pos += 2;
                    items.Add(new ReAssert(ReAnchor.WordBoundary));
                    return;
                case 'B':
                    _pos += 2;
                    items.Add(new ReAssert(ReAnchor.NoWordBoundary));
                    return;
                case 'C':
                    throw new Re2SyntaxException(InvalidEscape, @"\C");
                case 'Q':
                {
                    var end = _s.IndexOf(@"\E", _pos + 2, StringComparison.Ordinal);
                    var literal = end < 0 ? _s[(_pos + 2)..] : _s[(_pos + 2)..end];
                    _pos = end < 0 ? _s.Length : end + 2;
                    for (var i = 0; i < literal.Length;)
                    {
                        items.Add(Literal(GoText.RuneAt(literal, i, out var w)));
                        i += w;
                    }

                    return;
                }

                case 'z':
                    _pos += 2;
                    items.Add(new ReAssert(ReAnchor.EndText));
                    return;
                case 'p' or 'P':
                    items.Add(new ReClass(ParseUnicodeClass(_foldCase)));
                    return;
                case var c when RuneClasses.Perl(c) is { } perl:
                {
                    _pos += 2;
                    var set = new RuneSet();
                    AddGroup(set, perl.Sign, perl.Ranges);
                    items.Add(new ReClass(set));
                    return;
                }
            }
        }

        _pos = start;
        items.Add(Literal(ParseEscape()));
    }

    /// <summary>Go's parseEscape: the code point of an ordinary escape at _pos (which is on the backslash).</summary>
    private int ParseEscape()
    {
        var start = _pos;
        _pos++;
        if (_pos >= _s.Length)
        {
            throw new Re2SyntaxException(TrailingBackslash, "");
        }

        var c = NextRune();
        switch (c)
        {
            case >= '1' and <= '7' when _pos < _s.Length && _s[_pos] is >= '0' and <= '7':
            case '0':
            {
                // Octal: up to three digits in all.
                var r = c - '0';
                for (var i = 1; i < 3 && _pos < _s.Length && _s[_pos] is >= '0' and <= '7'; i++)
                {
                    r = r * 8 + (_s[_pos++] - '0');
                }

                return r;
            }

            case 'x':
            {
                if (_pos >= _s.Length)
                {
                    break;
                }

                var d = NextRune();
                if (d == '{')
                {
                    var r = 0;
                    var digits = 0;
                    while (true)
                    {
                        if (_pos >= _s.Length)
                        {
                            throw Invalid(start);
                        }

                        var h = NextRune();
                        if (h == '}')
                        {
                            break;
                        }

                        var v = Unhex(h);
                        if (v < 0)
                        {
                            throw Invalid(start);
                        }

                        r = r * 16 + v;
                        if (r > RuneSet.MaxRune)
                        {
                            throw Invalid(start);
                        }

                        digits++;
                    }

                    if (digits == 0)
                    {
                        throw Invalid(start);
                    }

                    return r;
                }

                if (_pos >= _s.Length)
                {
                    throw Invalid(start);
                }

                var x = Unhex(d);
                var y = Unhex(NextRune());
                if (x < 0 || y < 0)
                {
                    break;
                }

                return x * 16 + y;
            }

            case 'a':
                return '\a';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return '\v';
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit((char)c))
                {
                    // Escaped punctuation is itself.
                    return c;
                }

                break;
        }

        throw Invalid(start);
    }

    private Re2SyntaxException Invalid(int start) => new(InvalidEscape, _s[start..Math.Min(_pos, _s.Length)]);

    private static int Unhex(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>\pN, \p{Name}, \PN, \P{^Name} at _pos.</summary>
    private RuneSet ParseUnicodeClass(bool folded)
    {
        var start = _pos;
        var sign = _s[_pos + 1] == 'P' ? -1 : 1;
        _pos += 2;
        if (_pos >= _s.Length)
        {
            throw new Re2SyntaxException(InvalidCharRange, _s[start..]);
        }

        string name;
        string seq;
        var c = NextRune();
        if (c != '{')
        {
            seq = _s[start.._pos];
            name = seq[2..];
        }
        else
        {
            var end = _s.IndexOf('}', _pos);
            if (end < 0)
            {
                throw new Re2SyntaxException(InvalidCharRange, _s[start..]);
            }

            seq = _s[start..(end + 1)];
            name = _s[_pos..end];
            _pos = end + 1;
        }

        if (name.StartsWith('^'))
        {
            sign = -sign;
            name = name[1..];
        }

        var table = RuneClasses.Unicode(name) ?? throw new Re2SyntaxException(InvalidCharRange, seq);
        var set = new RuneSet();
        AddGroup(set, sign, table, folded);
        return set;
    }

    /// <summary>Adds a named group (negated when sign &lt; 0), case-folded first under (?i), as Go's appendGroup does.</summary>
    private void AddGroup(RuneSet target, int sign, (int Lo, int Hi)[] ranges) => AddGroup(target, sign, ranges, _foldCase);

    private static void AddGroup(RuneSet target, int sign, (int Lo, int Hi)[] ranges, bool fold)
    {
        var set = new RuneSet();
        foreach (var (lo, hi) in ranges)
        {
            if (fold)
            {
                set.AddFoldedRange(lo, hi);
            }
            else
            {
                set.AddRange(lo, hi);
            }
        }

        target.AddSet(sign < 0 ? set.Negate() : set);
    }

    /// <summary>A bracketed class at _pos ('['), with Go's rules: ']' first is literal, '-' anywhere, [:name:], \d, \p.</summary>
    private RuneSet ParseClass()
    {
        var start = _pos;
        _pos++;
        var negated = false;
        if (_pos < _s.Length && _s[_pos] == '^')
        {
            negated = true;
            _pos++;
        }

        var set = new RuneSet();
        var first = true;
        while (_pos >= _s.Length || _s[_pos] != ']' || first)
        {
            if (_pos >= _s.Length)
            {
                throw new Re2SyntaxException(MissingBracket, _s[start..]);
            }

            first = false;
            if (_pos + 2 < _s.Length && _s[_pos] == '[' && _s[_pos + 1] == ':')
            {
                var close = _s.IndexOf(":]", _pos + 2, StringComparison.Ordinal);
                if (close >= 0)
                {
                    var name = _s[(_pos + 2)..close];
                    var posix = RuneClasses.Posix(name) ?? throw new Re2SyntaxException(InvalidCharRange, _s[_pos..(close + 2)]);
                    _pos = close + 2;
                    AddGroup(set, posix.Sign, posix.Ranges);
                    continue;
                }
            }

            if (_pos + 1 < _s.Length && _s[_pos] == '\\' && _s[_pos + 1] is 'p' or 'P')
            {
                set.AddSet(ParseUnicodeClass(_foldCase));
                continue;
            }

            if (_pos + 1 < _s.Length && _s[_pos] == '\\' && RuneClasses.Perl(_s[_pos + 1]) is { } perl)
            {
                _pos += 2;
                AddGroup(set, perl.Sign, perl.Ranges);
                continue;
            }

            var rangeStart = _pos;
            var lo = ClassChar(start);
            var hi = lo;
            if (_pos + 1 < _s.Length && _s[_pos] == '-' && _s[_pos + 1] != ']')
            {
                _pos++;
                hi = ClassChar(start);
                if (hi < lo)
                {
                    throw new Re2SyntaxException(InvalidCharRange, _s[rangeStart.._pos]);
                }
            }

            if (_foldCase)
            {
                set.AddFoldedRange(lo, hi);
            }
            else
            {
                set.AddRange(lo, hi);
            }
        }

        _pos++;
        return negated ? set.Negate() : set;
    }

    private int ClassChar(int classStart)
    {
        if (_pos >= _s.Length)
        {
            throw new Re2SyntaxException(MissingBracket, _s[classStart..]);
        }

        return _s[_pos] == '\\' ? ParseEscape() : NextRune();
    }

    private int NextRune()
    {
        var r = GoText.RuneAt(_s, _pos, out var w);
        _pos += w;
        return r;
    }

    /// <summary>A literal code point: under (?i) the class of its case-folding orbit.</summary>
    private ReClass Literal(int r)
    {
        var set = new RuneSet();
        if (_foldCase)
        {
            set.AddFoldedRange(r, r);
        }
        else
        {
            set.AddRange(r, r);
        }

        return new ReClass(set);
    }

    private static RuneSet AnyButNewline()
    {
        var set = new RuneSet();
        set.AddRange(0, '\n' - 1);
        set.AddRange('\n' + 1, RuneSet.MaxRune);
        return set;
    }

    /// <summary>regexp.QuoteMeta: a backslash before each of \.+*?()|[]{}^$.</summary>
    public static string QuoteMeta(string s)
    {
        var sb = new StringBuilder(s.Length * 2);
        foreach (var c in s)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
