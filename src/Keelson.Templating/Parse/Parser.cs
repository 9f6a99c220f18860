using System.Numerics;
using System.Runtime.CompilerServices;
using Keelson.Templating.Fmt;

namespace Keelson.Templating.Parse;

/// <summary>
/// text/template's parser: one instance per tree (the top-level template and each {{define}} or {{block}}), all
/// sharing one lexer, as Go's parser does (so error lines and lookahead behave the same).
/// </summary>
internal sealed class Parser
{
    private const int MaxStackDepth = 10000;
    private const int MaxPipelineCmds = 100000;

    private readonly Shared _shared;
    private readonly Item[] _token = new Item[3];
    private int _peekCount;
    private readonly List<string> _vars = ["$"];
    private int _actionLine;
    private int _rangeDepth;
    private int _stackDepth;
    private string _name;

    private sealed class Shared(Lexer lexer, Source source, FunctionMap functions, Dictionary<string, Tree> treeSet)
    {
        public Lexer Lexer { get; } = lexer;

        public Source Source { get; } = source;

        public FunctionMap Functions { get; } = functions;

        public Dictionary<string, Tree> TreeSet { get; } = treeSet;
    }

    private Parser(Shared shared, string name)
    {
        _shared = shared;
        _name = name;
    }

    /// <summary>Parses <paramref name="text"/> as template <paramref name="name"/>; returns it and the templates it defines.</summary>
    public static Dictionary<string, Tree> Parse(string name, string text, FunctionMap functions)
    {
        var lexer = new Lexer(text, !functions.Contains("break"), !functions.Contains("continue"));
        var treeSet = new Dictionary<string, Tree>(StringComparer.Ordinal);
        var shared = new Shared(lexer, new Source(name, text), functions, treeSet);
        var top = new Parser(shared, name);
        var root = top.ParseTop();
        top.Add(root);
        return treeSet;
    }

    // ---- Errors ----

    private TemplateException Error(string message) =>
        TemplateException.Parse(_shared.Source.ParseName, _token[0].Line, message);

    private TemplateException Unexpected(Item token, string context)
    {
        if (token.Type == ItemType.Error)
        {
            var extra = "";
            if (_actionLine != 0 && _actionLine != token.Line)
            {
                extra = " in action started at " + _shared.Source.ParseName + ":" + _actionLine.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (token.Val.EndsWith(" action", StringComparison.Ordinal))
                {
                    extra = extra[" in action".Length..];
                }
            }

            return Error(token + extra);
        }

        return Error("unexpected " + token + " in " + context);
    }

    // ---- Token buffer ----

    private Item Next()
    {
        if (_peekCount > 0)
        {
            _peekCount--;
        }
        else
        {
            _token[0] = _shared.Lexer.NextItem();
        }

        return _token[_peekCount];
    }

    private void Backup() => _peekCount++;

    private void Backup2(Item t1)
    {
        _token[1] = t1;
        _peekCount = 2;
    }

    private void Backup3(Item t2, Item t1)
    {
        _token[1] = t1;
        _token[2] = t2;
        _peekCount = 3;
    }

    private Item Peek()
    {
        if (_peekCount > 0)
        {
            return _token[_peekCount - 1];
        }

        _peekCount = 1;
        _token[0] = _shared.Lexer.NextItem();
        return _token[0];
    }

    private Item NextNonSpace()
    {
        Item token;
        do
        {
            token = Next();
        }
        while (token.Type == ItemType.Space);

        return token;
    }

    private Item PeekNonSpace()
    {
        var token = NextNonSpace();
        Backup();
        return token;
    }

    private Item Expect(ItemType expected, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected)
        {
            throw Unexpected(token, context);
        }

        return token;
    }

    private Item ExpectOneOf(ItemType expected1, ItemType expected2, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected1 && token.Type != expected2)
        {
            throw Unexpected(token, context);
        }

        return token;
    }

    private void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("max expression depth exceeded");
        }
    }

    // ---- Structure ----

    /// <summary>Adds a finished tree to the set; an empty tree never replaces a non-empty one.</summary>
    private void Add(ListNode root)
    {
        var tree = new Tree(_name, _shared.Source, root);
        if (!_shared.TreeSet.TryGetValue(_name, out var existing) || existing.IsEmpty)
        {
            _shared.TreeSet[_name] = tree;
            return;
        }

        if (!tree.IsEmpty)
        {
            throw Error("template: multiple definition of template " + GoStrconv.Quote(_name));
        }
    }

    private ListNode ParseTop()
    {
        var pos = Peek().Pos;
        var nodes = new List<Node>();
        while (Peek().Type != ItemType.Eof)
        {
            if (Peek().Type == ItemType.LeftDelim)
            {
                var delim = Next();
                if (NextNonSpace().Type == ItemType.Define)
                {
                    var child = new Parser(_shared, "definition");
                    child.ParseDefinition();
                    continue;
                }

                Backup2(delim);
            }

            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                throw Error("unexpected " + n);
            }

            nodes.Add(n);
        }

        return new ListNode(pos, nodes.ToArray());
    }

    private void ParseDefinition()
    {
        const string context = "define clause";
        var name = ExpectOneOf(ItemType.String, ItemType.RawString, context);
        if (!GoStrconv.TryUnquote(name.Val, out _name))
        {
            throw Error("invalid syntax");
        }

        Expect(ItemType.RightDelim, context);
        var (list, end) = ItemList();
        if (end is not EndNode)
        {
            throw Error("unexpected " + end + " in " + context);
        }

        Add(list);
    }

    private (ListNode List, Node Next) ItemList()
    {
        var pos = PeekNonSpace().Pos;
        var nodes = new List<Node>();
        while (PeekNonSpace().Type != ItemType.Eof)
        {
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                return (new ListNode(pos, nodes.ToArray()), n);
            }

            nodes.Add(n);
        }

        throw Error("unexpected EOF");
    }

    private Node TextOrAction()
    {
        EnsureStack();
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Text:
                return new TextNode(token.Pos, token.Val);
            case ItemType.LeftDelim:
                _actionLine = token.Line;
                try
                {
                    return Action();
                }
                finally
                {
                    _actionLine = 0;
                }

            default:
                throw Unexpected(token, "input");
        }
    }

    private Node Action()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Block:
                return BlockControl();
            case ItemType.Break:
                return BreakControl(token.Pos);
            case ItemType.Continue:
                return ContinueControl(token.Pos);
            case ItemType.Else:
                return ElseControl();
            case ItemType.End:
                return new EndNode(Expect(ItemType.RightDelim, "end").Pos);
            case ItemType.If:
                return IfControl();
            case ItemType.Range:
                return RangeControl();
            case ItemType.Template:
                return TemplateControl();
            case ItemType.With:
                return WithControl();
        }

        Backup();
        var first = Peek();
        return new ActionNode(first.Pos, Pipeline("command", ItemType.RightDelim));
    }

    private BreakNode BreakControl(int pos)
    {
        var token = NextNonSpace();
        if (token.Type != ItemType.RightDelim)
        {
            throw Unexpected(token, "{{break}}");
        }

        if (_rangeDepth == 0)
        {
            throw Error("{{break}} outside {{range}}");
        }

        return new BreakNode(pos);
    }

    private ContinueNode ContinueControl(int pos)
    {
        var token = NextNonSpace();
        if (token.Type != ItemType.RightDelim)
        {
            throw Unexpected(token, "{{continue}}");
        }

        if (_rangeDepth == 0)
        {
            throw Error("{{continue}} outside {{range}}");
        }

        return new ContinueNode(pos);
    }

    private PipeNode Pipeline(string context, ItemType end)
    {
        var pos = PeekNonSpace().Pos;
        var decl = new List<VariableNode>();
        var isAssign = false;

        // Declarations or assignments: "$x :=", "$x =", and in range "$i, $e :=".
        while (true)
        {
            var v = PeekNonSpace();
            if (v.Type != ItemType.Variable)
            {
                break;
            }

            Next();
            // Space is a token, so "$x foo" needs three tokens of lookahead to tell an argument from a declaration.
            var tokenAfterVariable = Peek();
            var next = PeekNonSpace();
            if (next.Type is ItemType.Assign or ItemType.Declare)
            {
                isAssign = next.Type == ItemType.Assign;
                NextNonSpace();
                decl.Add(NewVariable(v.Pos, v.Val));
                _vars.Add(v.Val);
                break;
            }

            if (next.Type == ItemType.Char && next.Val == ",")
            {
                NextNonSpace();
                decl.Add(NewVariable(v.Pos, v.Val));
                _vars.Add(v.Val);
                if (context == "range" && decl.Count < 2)
                {
                    var after = PeekNonSpace().Type;
                    if (after is ItemType.Variable or ItemType.RightDelim or ItemType.RightParen)
                    {
                        continue;
                    }

                    throw Error("range can only initialize variables");
                }

                throw Error("too many declarations in " + context);
            }

            if (tokenAfterVariable.Type == ItemType.Space)
            {
                Backup3(v, tokenAfterVariable);
            }
            else
            {
                Backup2(v);
            }

            break;
        }

        var cmds = new List<CommandNode>();
        while (true)
        {
            var token = NextNonSpace();
            if (token.Type == end)
            {
                CheckPipeline(cmds, context);
                return new PipeNode(pos, isAssign, decl.ToArray(), cmds.ToArray());
            }

            switch (token.Type)
            {
                case ItemType.Bool:
                case ItemType.CharConstant:
                case ItemType.Complex:
                case ItemType.Dot:
                case ItemType.Field:
                case ItemType.Identifier:
                case ItemType.Number:
                case ItemType.Nil:
                case ItemType.RawString:
                case ItemType.String:
                case ItemType.Variable:
                case ItemType.LeftParen:
                    Backup();
                    cmds.Add(Command());
                    if (cmds.Count > MaxPipelineCmds)
                    {
                        throw Error("pipeline too long");
                    }

                    break;
                default:
                    throw Unexpected(token, context);
            }
        }
    }

    private void CheckPipeline(List<CommandNode> cmds, string context)
    {
        if (cmds.Count == 0)
        {
            throw Error("missing value for " + context);
        }

        // Only the first command of a pipeline can start with a non-executable operand.
        for (var i = 1; i < cmds.Count; i++)
        {
            if (cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
            {
                throw Error("non executable command in pipeline stage " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private (int Pos, PipeNode Pipe, ListNode List, ListNode? ElseList) ParseControl(string context)
    {
        var varCount = _vars.Count;
        try
        {
            var pipe = Pipeline(context, ItemType.RightDelim);
            if (context == "range")
            {
                _rangeDepth++;
            }

            var (list, next) = ItemList();
            if (context == "range")
            {
                _rangeDepth--;
            }

            ListNode? elseList = null;
            if (next is ElseNode)
            {
                // {{else if}} and {{else with}} are {{else}}{{if ...}}...{{end}}{{end}} sharing the final {{end}}.
                if (context == "if" && Peek().Type == ItemType.If)
                {
                    Next();
                    elseList = new ListNode(next.Pos, [IfControl()]);
                }
                else if (context == "with" && Peek().Type == ItemType.With)
                {
                    Next();
                    elseList = new ListNode(next.Pos, [WithControl()]);
                }
                else
                {
                    (elseList, next) = ItemList();
                    if (next is not EndNode)
                    {
                        throw Error("expected end; found " + next);
                    }
                }
            }

            return (pipe.Pos, pipe, list, elseList);
        }
        finally
        {
            _vars.RemoveRange(varCount, _vars.Count - varCount);
        }
    }

    private BranchNode IfControl()
    {
        var (pos, pipe, list, elseList) = ParseControl("if");
        return new BranchNode(BranchKind.If, pos, pipe, list, elseList);
    }

    private BranchNode RangeControl()
    {
        var (pos, pipe, list, elseList) = ParseControl("range");
        return new BranchNode(BranchKind.Range, pos, pipe, list, elseList);
    }

    private BranchNode WithControl()
    {
        var (pos, pipe, list, elseList) = ParseControl("with");
        return new BranchNode(BranchKind.With, pos, pipe, list, elseList);
    }

    private ElseNode ElseControl()
    {
        // "{{else if ..." and "{{else with ..." leave the keyword pending for ParseControl.
        var peek = PeekNonSpace();
        if (peek.Type is ItemType.If or ItemType.With)
        {
            return new ElseNode(peek.Pos);
        }

        var token = Expect(ItemType.RightDelim, "else");
        return new ElseNode(token.Pos);
    }

    private TemplateNode BlockControl()
    {
        const string context = "block clause";
        var token = NextNonSpace();
        var name = ParseTemplateName(token, context);
        var pipe = Pipeline(context, ItemType.RightDelim);

        var block = new Parser(_shared, name);
        var (list, end) = block.ItemList();
        if (end is not EndNode)
        {
            throw Error("unexpected " + end + " in " + context);
        }

        block.Add(list);
        return new TemplateNode(token.Pos, name, pipe);
    }

    private TemplateNode TemplateControl()
    {
        const string context = "template clause";
        var token = NextNonSpace();
        var name = ParseTemplateName(token, context);
        PipeNode? pipe = null;
        if (NextNonSpace().Type != ItemType.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, ItemType.RightDelim);
        }

        return new TemplateNode(token.Pos, name, pipe);
    }

    private string ParseTemplateName(Item token, string context)
    {
        if (token.Type is ItemType.String or ItemType.RawString)
        {
            if (!GoStrconv.TryUnquote(token.Val, out var s))
            {
                throw Error("invalid syntax");
            }

            return s;
        }

        throw Unexpected(token, context);
    }

    private CommandNode Command()
    {
        var pos = PeekNonSpace().Pos;
        var args = new List<Node>();
        while (true)
        {
            PeekNonSpace();
            var operand = Operand();
            if (operand is not null)
            {
                args.Add(operand);
            }

            var token = Next();
            if (token.Type == ItemType.Space)
            {
                continue;
            }

            if (token.Type is ItemType.RightDelim or ItemType.RightParen)
            {
                Backup();
            }
            else if (token.Type != ItemType.Pipe)
            {
                throw Unexpected(token, "operand");
            }

            break;
        }

        if (args.Count == 0)
        {
            throw Error("empty command");
        }

        return new CommandNode(pos, args.ToArray());
    }

    private Node? Operand()
    {
        var node = Term();
        if (node is null)
        {
            return null;
        }

        if (Peek().Type == ItemType.Field)
        {
            var chainPos = Peek().Pos;
            var fields = new List<string>();
            while (Peek().Type == ItemType.Field)
            {
                fields.Add(Next().Val[1..]);
            }

            var chain = new ChainNode(chainPos, node, fields.ToArray());
            // Fields and variables absorb the chain; literals cannot have fields.
            switch (node)
            {
                case FieldNode:
                    return new FieldNode(chainPos, chain.ToString()[1..].Split('.'));
                case VariableNode:
                    return NewVariable(chainPos, chain.ToString());
                case BoolNode or StringNode or NumberNode or NilNode or DotNode:
                    throw Error("unexpected . after term " + GoStrconv.Quote(node.ToString()));
                default:
                    return chain;
            }
        }

        return node;
    }

    private Node? Term()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Identifier:
                if (!_shared.Functions.TryGet(token.Val, out var fn))
                {
                    throw Error("function " + GoStrconv.Quote(token.Val) + " not defined");
                }

                return new IdentifierNode(token.Pos, token.Val, fn);
            case ItemType.Dot:
                return new DotNode(token.Pos);
            case ItemType.Nil:
                return new NilNode(token.Pos);
            case ItemType.Variable:
                return UseVar(token.Pos, token.Val);
            case ItemType.Field:
                return new FieldNode(token.Pos, token.Val[1..].Split('.'));
            case ItemType.Bool:
                return new BoolNode(token.Pos, token.Val == "true");
            case ItemType.CharConstant:
            case ItemType.Complex:
            case ItemType.Number:
                return NewNumber(token.Pos, token.Val, token.Type);
            case ItemType.LeftParen:
                if (_stackDepth >= MaxStackDepth)
                {
                    throw Error("max expression depth exceeded");
                }

                EnsureStack();
                _stackDepth++;
                try
                {
                    return Pipeline("parenthesized pipeline", ItemType.RightParen);
                }
                finally
                {
                    _stackDepth--;
                }

            case ItemType.String:
            case ItemType.RawString:
                if (!GoStrconv.TryUnquote(token.Val, out var s))
                {
                    throw Error("invalid syntax");
                }

                return new StringNode(token.Pos, token.Val, s);
        }

        Backup();
        return null;
    }

    private static VariableNode NewVariable(int pos, string ident) => new(pos, ident.Split('.'));

    private VariableNode UseVar(int pos, string name)
    {
        var v = NewVariable(pos, name);
        if (!_vars.Contains(v.Ident[0]))
        {
            throw Error("undefined variable " + GoStrconv.Quote(v.Ident[0]));
        }

        return v;
    }

    private NumberNode NewNumber(int pos, string text, ItemType type)
    {
        var n = new NumberNode(pos, text);
        if (type == ItemType.CharConstant)
        {
            if (!GoStrconv.TryUnquoteChar(text[1..], text[0], out var r, out _, out var tail))
            {
                throw Error("invalid syntax");
            }

            if (tail != "'")
            {
                throw Error("malformed character constant: " + text);
            }

            n.Int64 = r;
            n.IsInt = true;
            n.Uint64 = (ulong)r;
            n.IsUint = true;
            n.Float64 = r;
            n.IsFloat = true;
            n.Ideal = (nint)r;
            return n;
        }

        if (type == ItemType.Complex)
        {
            if (!TryParseComplex(text, out var c))
            {
                throw Error("illegal number syntax: " + GoStrconv.Quote(text));
            }

            n.IsComplex = true;
            n.Complex128 = c;
            SimplifyComplex(n);
            n.Ideal = c;
            return n;
        }

        // Imaginary constants can only be complex unless they are zero.
        if (text.Length > 0 && text[^1] == 'i' && GoStrconv.TryParseFloat(text[..^1], out var im))
        {
            n.IsComplex = true;
            n.Complex128 = new Complex(0, im);
            SimplifyComplex(n);
            n.Ideal = n.Complex128;
            return n;
        }

        // Integers first, so 0x123 and friends parse as such.
        if (GoStrconv.TryParseUint(text, out var u))
        {
            n.IsUint = true;
            n.Uint64 = u;
        }

        if (GoStrconv.TryParseInt(text, out var i))
        {
            n.IsInt = true;
            n.Int64 = i;
            if (i == 0)
            {
                // In case of -0.
                n.IsUint = true;
                n.Uint64 = u;
            }
        }

        if (n.IsInt)
        {
            n.IsFloat = true;
            n.Float64 = n.Int64;
        }
        else if (n.IsUint)
        {
            n.IsFloat = true;
            n.Float64 = n.Uint64;
        }
        else if (GoStrconv.TryParseFloat(text, out var f))
        {
            // A float that looks like an integer is an integer too large for int64.
            if (text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) < 0)
            {
                throw Error("integer overflow: " + GoStrconv.Quote(text));
            }

            n.IsFloat = true;
            n.Float64 = f;
            if (!n.IsInt && Math.Truncate(f) == f && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18)
            {
                n.IsInt = true;
                n.Int64 = (long)f;
            }

            if (!n.IsUint && Math.Truncate(f) == f && f >= 0 && f < 1.8446744073709552e19)
            {
                n.IsUint = true;
                n.Uint64 = (ulong)f;
            }
        }

        if (!n.IsInt && !n.IsUint && !n.IsFloat)
        {
            throw Error("illegal number syntax: " + GoStrconv.Quote(text));
        }

        n.Ideal = IdealConstant(n);
        return n;
    }

    /// <summary>An untyped constant in a context without a type: the literal's syntax decides (Go's idealConstant).</summary>
    private static object? IdealConstant(NumberNode n)
    {
        if (n.IsComplex)
        {
            return n.Complex128;
        }

        var text = n.Text;
        var isHexInt = text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && text.IndexOfAny(['p', 'P']) < 0;
        var isRuneInt = text.Length > 0 && text[0] == '\'';
        if (n.IsFloat && !isHexInt && !isRuneInt && text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) >= 0)
        {
            return n.Float64;
        }

        if (n.IsInt)
        {
            return (nint)n.Int64;
        }

        // A uint that is not an int overflows int; reported when evaluated.
        return null;
    }

    private static void SimplifyComplex(NumberNode n)
    {
        n.IsFloat = n.Complex128.Imaginary == 0;
        if (n.IsFloat)
        {
            var f = n.Complex128.Real;
            n.Float64 = f;
            n.IsInt = Math.Truncate(f) == f && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18;
            if (n.IsInt)
            {
                n.Int64 = (long)f;
            }

            n.IsUint = Math.Truncate(f) == f && f >= 0 && f < 1.8446744073709552e19;
            if (n.IsUint)
            {
                n.Uint64 = (ulong)f;
            }
        }
    }

    /// <summary>What fmt.Sscan accepts for a complex128 literal such as 1+2i or -1.5e3-2i.</summary>
    private static bool TryParseComplex(string text, out Complex value)
    {
        value = Complex.Zero;
        if (text.Length < 2 || text[^1] != 'i')
        {
            return false;
        }

        // Split at the sign that starts the imaginary part (not a leading sign, not an exponent's sign).
        for (var i = text.Length - 2; i > 0; i--)
        {
            if (text[i] is '+' or '-' && text[i - 1] is not ('e' or 'E' or 'p' or 'P'))
            {
                if (GoStrconv.TryParseFloat(text[..i], out var re) && GoStrconv.TryParseFloat(text[i..^1], out var im))
                {
                    value = new Complex(re, im);
                    return true;
                }

                return false;
            }
        }

        return false;
    }
}
