using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Keelson.Templating.Fmt;
using Keelson.Templating.Parse;

namespace Keelson.Templating.Exec;

/// <summary>
/// The state of one execution (Go's exec.go state): output, variable stack, current template and node (for
/// errors), depth. Not shared between threads; the parsed trees it walks are.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The writers belong to the caller or to a nested execution's result.")]
internal sealed partial class Executor
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    // One variable stack for the whole execution: a template call or nested execution sees only the variables
    // from _varBase up (Go has no dynamic scoping), so entering one costs no new list.
    private readonly List<(string Name, Value Value)> _vars = [];
    private int _varBase;

    // Arguments of function calls, stacked: a call takes the slots above those of the calls it is nested in.
    private object?[] _args = new object?[16];
    private int _argTop;

    // Output buffers of nested executions (include), one per nesting level, reused from call to call.
    private readonly List<(StringBuilder Text, StringWriter Writer, StringBuilder Scratch)> _nested = [];
    private int _nestLevel;

    private Tree _tmpl;
    private TextWriter _out;
    private Node? _node;
    private StringBuilder _scratch = new();
    private TemplateOptions _options;
    private readonly string _rootName;

    public Executor(TemplateSet set, Tree tree, TextWriter output, object? state, CancellationToken cancellationToken)
    {
        Set = set;
        State = state;
        _tmpl = tree;
        _rootName = tree.Name;
        _out = output;
        _options = set.Options;
        CancellationToken = cancellationToken;
        Context = new FunctionContext(this);
    }

    public TemplateSet Set { get; private set; }

    public int Depth { get; private set; }

    /// <summary>The caller's object for this execution, shared by its nested executions.</summary>
    public object? State { get; }

    public CancellationToken CancellationToken { get; }

    public FunctionContext Context { get; }

    public string CurrentTemplateName => _tmpl.Name;

    public void Run(object? data)
    {
        var dot = Value.Of(data);
        _vars.Add(("$", dot));
        Walk(dot, _tmpl.Root);
    }

    /// <summary>Executes another template (of this set or another) into a string, as a nested execution.</summary>
    public string ExecuteNested(TemplateSet set, string name, object? data)
    {
        var tree = set.Lookup(name) ?? throw TemplateException.NoSuchTemplate(name, set.Options.RootName ?? _rootName);
        CancellationToken.ThrowIfCancellationRequested();
        var saved = (Set, _tmpl, _varBase, _vars.Count, _node, _out, _scratch, _options);
        if (_nestLevel == _nested.Count)
        {
            var text = new StringBuilder();
            _nested.Add((text, new StringWriter(text, CultureInfo.InvariantCulture), new StringBuilder()));
        }

        var (sb, writer, scratch) = _nested[_nestLevel++];
        sb.Clear();
        _scratch = scratch;
        Set = set;
        _options = set.Options;
        _tmpl = tree;
        _varBase = _vars.Count;
        _node = null;
        _out = writer;
        Depth++;
        try
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw Errorf("exceeded maximum template depth (" + _options.MaxDepth.ToString(CultureInfo.InvariantCulture) + ")");
            }

            Run(data);
            return sb.ToString();
        }
        finally
        {
            Depth--;
            _nestLevel--;
            Pop(saved.Item4);
            (Set, _tmpl, _varBase, _, _node, _out, _scratch, _options) = saved;
        }
    }

    // ---- Errors ----

    /// <summary>An execution error located at the current node, formatted like Go's.</summary>
    public TemplateException Errorf(string message, Exception? inner = null)
    {
        var name = _tmpl.Name;
        if (_node is null)
        {
            return new TemplateException("template: " + name + ": " + message, name, 0, 0, inner);
        }

        var source = _tmpl.Source;
        var line = source.LineOf(_node.Pos);
        var col = source.ColumnOf(_node.Pos);
        var text = "template: " + source.ParseName + ":" + line.ToString(CultureInfo.InvariantCulture) + ":"
            + col.ToString(CultureInfo.InvariantCulture) + ": executing " + GoStrconv.Quote(name) + " at <" + _node + ">: " + message;
        return new TemplateException(text, name, line, col, inner);
    }

    private static string Sprint(object? v) => GoFmt.Format(v);

    // ---- Variables ----

    private int Mark() => _vars.Count;

    private void Pop(int mark)
    {
        if (_vars.Count > mark)
        {
            _vars.RemoveRange(mark, _vars.Count - mark);
        }
    }

    private void Push(string name, Value value) => _vars.Add((name, value));

    private void SetVar(string name, Value value)
    {
        for (var i = _vars.Count - 1; i >= _varBase; i--)
        {
            if (_vars[i].Name == name)
            {
                _vars[i] = (name, value);
                return;
            }
        }

        throw Errorf("undefined variable: " + name);
    }

    private void SetTopVar(int n, Value value)
    {
        var i = _vars.Count - n;
        _vars[i] = (_vars[i].Name, value);
    }

    private Value VarValue(string name)
    {
        for (var i = _vars.Count - 1; i >= _varBase; i--)
        {
            if (_vars[i].Name == name)
            {
                return _vars[i].Value;
            }
        }

        throw Errorf("undefined variable: " + name);
    }

    // ---- Walking ----

    private Flow Walk(Value dot, Node node)
    {
        _node = node;
        switch (node)
        {
            case TextNode t:
                _out.Write(t.Text);
                return Flow.Normal;
            case ActionNode a:
            {
                // Variables declared by an action persist until the end of the enclosing block.
                var val = EvalPipeline(dot, a.Pipe);
                if (a.Pipe.Decl.Length == 0)
                {
                    PrintValue(a, val);
                }

                return Flow.Normal;
            }

            case ListNode list:
                foreach (var n in list.Nodes)
                {
                    var flow = Walk(dot, n);
                    if (flow != Flow.Normal)
                    {
                        return flow;
                    }
                }

                return Flow.Normal;
            case BranchNode { Kind: BranchKind.Range } r:
                return WalkRange(dot, r);
            case BranchNode b:
                return WalkIfOrWith(b, dot);
            case TemplateNode t:
                WalkTemplate(dot, t);
                return Flow.Normal;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            default:
                throw Errorf("unknown node: " + node);
        }
    }

    private Flow WalkIfOrWith(BranchNode b, Value dot)
    {
        EnsureStack();
        var mark = Mark();
        try
        {
            var val = EvalPipeline(dot, b.Pipe);
            var concrete = val.Concrete.Obj;
            if (!GoValues.Truth(concrete, out var truth))
            {
                throw Errorf("if/with can't use " + Sprint(concrete));
            }

            if (truth)
            {
                return Walk(b.Kind == BranchKind.With ? val : dot, b.List);
            }

            if (b.ElseList is not null)
            {
                return Walk(dot, b.ElseList);
            }

            return Flow.Normal;
        }
        finally
        {
            Pop(mark);
        }
    }

    private Flow WalkRange(Value dot, BranchNode r)
    {
        EnsureStack();
        _node = r;
        var outerMark = Mark();
        try
        {
            var val = EvalPipeline(dot, r.Pipe).Concrete;
            var obj = val.Obj;
            var mark = Mark();
            var decl = r.Pipe.Decl;
            if (obj is not null && obj is not GoTypedNil)
            {
                var type = GoValues.TypeOf(obj)!;
                switch (type.Kind)
                {
                    case GoKind.Slice:
                    case GoKind.Array:
                    {
                        var n = GoValues.Len(obj);
                        if (n == 0)
                        {
                            break;
                        }

                        var elemIface = type.Elem?.Kind == GoKind.Interface;
                        for (var i = 0; i < n; i++)
                        {
                            var elem = GoValues.Index(obj, i);
                            var ev = elemIface ? Value.Iface(elem) : Wrap(elem, type.Elem);
                            if (OneIteration(r, decl, mark, Value.Of((nint)i), ev) == Flow.Break)
                            {
                                break;
                            }
                        }

                        return Flow.Normal;
                    }

                    case GoKind.Map:
                    {
                        if (GoValues.Len(obj) == 0)
                        {
                            break;
                        }

                        var keyIface = type.Key?.Kind == GoKind.Interface;
                        var elemIface = type.Elem?.Kind == GoKind.Interface;
                        foreach (var kv in GoValues.SortedEntries(obj))
                        {
                            var kval = keyIface ? Value.Iface(kv.Key) : Value.Of(kv.Key);
                            var ev = elemIface ? Value.Iface(kv.Value) : Wrap(kv.Value, type.Elem);
                            if (OneIteration(r, decl, mark, kval, ev) == Flow.Break)
                            {
                                break;
                            }
                        }

                        return Flow.Normal;
                    }

                    case GoKind.Int:
                    case GoKind.Int8:
                    case GoKind.Int16:
                    case GoKind.Int32:
                    case GoKind.Int64:
                    case GoKind.Uint:
                    case GoKind.Uint8:
                    case GoKind.Uint16:
                    case GoKind.Uint32:
                    case GoKind.Uint64:
                    case GoKind.Uintptr:
                    {
                        // Go 1.24: range over an integer yields 0..n-1 of the integer's type.
                        if (decl.Length > 1)
                        {
                            throw Errorf("can't use " + Sprint(obj) + " to iterate over more than one variable");
                        }

                        var count = type.Kind.IsSignedInt() ? GoValues.ToInt64(obj) : (long)Math.Min(GoValues.ToUInt64(obj), long.MaxValue);
                        if (count <= 0)
                        {
                            break;
                        }

                        for (long i = 0; i < count; i++)
                        {
                            if (OneIteration(r, decl, mark, Value.Invalid, Value.Of(IntOfType(i, type))) == Flow.Break)
                            {
                                break;
                            }
                        }

                        return Flow.Normal;
                    }

                    default:
                        throw Errorf("range can't iterate over " + Sprint(obj));
                }
            }

            if (r.ElseList is not null)
            {
                // The else branch belongs to an enclosing range; Go's range recovers a break raised in it (ending
                // only this range statement) but lets a continue through to the enclosing loop.
                var flow = Walk(dot, r.ElseList);
                return flow == Flow.Break ? Flow.Normal : flow;
            }

            return Flow.Normal;
        }
        finally
        {
            Pop(outerMark);
        }
    }

    private static object IntOfType(long i, GoType type) => type.Kind switch
    {
        GoKind.Int => (nint)i,
        GoKind.Int64 => i,
        GoKind.Int32 => (int)i,
        GoKind.Int16 => (short)i,
        GoKind.Int8 => (sbyte)i,
        GoKind.Uint => (nuint)i,
        GoKind.Uint64 => (ulong)i,
        GoKind.Uint32 => (uint)i,
        GoKind.Uint16 => (ushort)i,
        GoKind.Uint8 => (byte)i,
        _ => (nint)i,
    };

    private Flow OneIteration(BranchNode r, VariableNode[] decl, int mark, Value index, Value elem)
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (decl.Length > 0)
        {
            if (r.Pipe.IsAssign)
            {
                // With two variables the index comes first; with one, the element.
                SetVar(decl[0].Ident[0], decl.Length > 1 ? index : elem);
            }
            else
            {
                SetTopVar(1, elem);
            }
        }

        if (decl.Length > 1)
        {
            if (r.Pipe.IsAssign)
            {
                SetVar(decl[1].Ident[0], elem);
            }
            else
            {
                SetTopVar(2, index);
            }
        }

        try
        {
            var flow = Walk(elem, r.List);
            return flow == Flow.Break ? Flow.Break : Flow.Normal;
        }
        finally
        {
            Pop(mark);
        }
    }

    private void WalkTemplate(Value dot, TemplateNode t)
    {
        _node = t;
        var tmpl = Set.Lookup(t.Name) ?? throw Errorf("template " + GoStrconv.Quote(t.Name) + " not defined");
        if (Depth >= _options.MaxDepth)
        {
            throw Errorf("exceeded maximum template depth (" + _options.MaxDepth.ToString(CultureInfo.InvariantCulture) + ")");
        }

        CancellationToken.ThrowIfCancellationRequested();
        // Variables declared by the pipeline persist in the caller.
        dot = EvalPipeline(dot, t.Pipe);
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            _node = t;
            throw Errorf("exceeded maximum template depth (" + _options.MaxDepth.ToString(CultureInfo.InvariantCulture) + ")");
        }

        var saved = (_tmpl, _varBase, _vars.Count);
        _tmpl = tmpl;
        // No dynamic scoping: template invocations inherit no variables.
        _varBase = _vars.Count;
        _vars.Add(("$", dot));
        Depth++;
        try
        {
            Walk(dot, tmpl.Root);
        }
        finally
        {
            Depth--;
            Pop(saved.Item3);
            (_tmpl, _varBase, _) = saved;
        }
    }

    private void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Errorf("exceeded maximum template depth (" + _options.MaxDepth.ToString(CultureInfo.InvariantCulture) + ")");
        }
    }

    // ---- Printing ----

    private void PrintValue(Node n, Value v)
    {
        _node = n;
        var obj = v.Obj;
        switch (obj)
        {
            case string s:
                _out.Write(s);
                return;
            case null:
                _out.Write("<no value>");
                return;
            case double d when d == Math.Floor(d) && Math.Abs(d) < 1e6 && !(d == 0 && double.IsNegative(d)):
                // The common case of a whole number from JSON or YAML: %v prints it without exponent.
                _out.Write(((long)d).ToString(CultureInfo.InvariantCulture));
                return;
            case nint i:
                _out.Write(((long)i).ToString(CultureInfo.InvariantCulture));
                return;
            case bool b:
                _out.Write(b ? "true" : "false");
                return;
        }

        var type = GoValues.TypeOf(obj)!;
        if (type.Kind is GoKind.Func or GoKind.Chan)
        {
            throw Errorf("can't print " + n + " of type " + type.Name);
        }

        _scratch.Clear();
        var printer = new Printer(_scratch, Context) { AddressableArgument = true };
        if (type.Kind == GoKind.Ptr && obj is not GoTypedNil && type.Elem is { } elem
            && !type.Methods.ContainsKey("String") && !type.Methods.ContainsKey("Error"))
        {
            // The template prints what a pointer points to.
            printer.PrintValue(obj, elem, 'v', 0);
        }
        else
        {
            printer.DoPrint([obj]);
        }

        _out.Write(_scratch);
    }

    // ---- Evaluation ----

    private Value EvalPipeline(Value dot, PipeNode? pipe)
    {
        if (pipe is null)
        {
            return Value.Invalid;
        }

        _node = pipe;
        var value = Value.Missing;
        foreach (var cmd in pipe.Cmds)
        {
            value = EvalCommand(dot, cmd, value);
            // A value of type interface {} becomes the thing inside it.
            if (value.IsIface)
            {
                value = Value.Of(value.Obj);
            }
        }

        foreach (var variable in pipe.Decl)
        {
            if (pipe.IsAssign)
            {
                SetVar(variable.Ident[0], value);
            }
            else
            {
                Push(variable.Ident[0], value);
            }
        }

        return value;
    }

    private void NotAFunction(Node[]? args, Value final)
    {
        if (args is not null && args.Length > 1 || !final.IsMissing)
        {
            throw Errorf("can't give argument to non-function " + args![0]);
        }
    }

    private Value EvalCommand(Value dot, CommandNode cmd, Value final)
    {
        var first = cmd.Args[0];
        switch (first)
        {
            case FieldNode f:
                return EvalFieldNode(dot, f, cmd.Args, final);
            case ChainNode c:
                return EvalChainNode(dot, c, cmd.Args, final);
            case IdentifierNode id:
                return EvalFunction(dot, id, cmd, cmd.Args, final);
            case PipeNode p:
                // Parenthesized pipeline: the arguments are all inside it.
                NotAFunction(cmd.Args, final);
                return EvalPipeline(dot, p);
            case VariableNode v:
                return EvalVariableNode(dot, v, cmd.Args, final);
        }

        _node = first;
        NotAFunction(cmd.Args, final);
        switch (first)
        {
            case BoolNode b:
                return Value.Of(b.True);
            case DotNode:
                return dot;
            case NilNode:
                throw Errorf("nil is not a command");
            case NumberNode num:
                return IdealConstant(num);
            case StringNode s:
                return Value.Of(s.Text);
        }

        throw Errorf("can't evaluate command " + GoStrconv.Quote(first.ToString()));
    }

    private Value IdealConstant(NumberNode n)
    {
        _node = n;
        if (n.Ideal is { } ideal)
        {
            return Value.Of(ideal);
        }

        if (n.IsUint)
        {
            throw Errorf(n.Text + " overflows int");
        }

        return Value.Invalid;
    }

    private Value EvalFieldNode(Value dot, FieldNode field, Node[]? args, Value final)
    {
        _node = field;
        return EvalFieldChain(dot, dot, field, field.Ident, args, final);
    }

    private Value EvalChainNode(Value dot, ChainNode chain, Node[]? args, Value final)
    {
        _node = chain;
        if (chain.Field.Length == 0)
        {
            throw Errorf("internal error: no fields in evalChainNode");
        }

        if (chain.Node is NilNode)
        {
            throw Errorf("indirection through explicit nil in " + chain);
        }

        // (pipe).Field1.Field2 has pipe as .Node, fields as .Field. Eval the pipeline, then the fields.
        var pipe = EvalArg(dot, null, chain.Node);
        return EvalFieldChain(dot, pipe, chain, chain.Field, args, final);
    }

    private Value EvalVariableNode(Value dot, VariableNode variable, Node[]? args, Value final)
    {
        // $x.Field has $x as the first ident, Field as the second.
        _node = variable;
        var value = VarValue(variable.Ident[0]);
        if (variable.Ident.Length == 1)
        {
            NotAFunction(args, final);
            return value;
        }

        return EvalFieldChain(dot, value, variable, variable.Ident.AsSpan(1), args, final);
    }

    private Value EvalFieldChain(Value dot, Value receiver, Node node, ReadOnlySpan<string> ident, Node[]? args, Value final)
    {
        var n = ident.Length;
        for (var i = 0; i < n - 1; i++)
        {
            receiver = EvalField(dot, ident[i], node, null, Value.Missing, receiver);
        }

        // Now if it's a method, it gets the arguments.
        return EvalField(dot, ident[n - 1], node, args, final, receiver);
    }

    private Value EvalFunction(Value dot, IdentifierNode node, Node cmd, Node[]? args, Value final)
    {
        _node = node;
        var function = node.Function ?? throw Errorf(GoStrconv.Quote(node.Ident) + " is not a defined function");
        return EvalCall(dot, function.Signature, function, null, null, function.Builtin != BuiltinKind.None, cmd, node.Ident, args, final);
    }

    /// <summary>Evaluates .Field or .Method arg... on a receiver (Go's evalField).</summary>
    private Value EvalField(Value dot, string fieldName, Node node, Node[]? args, Value final, Value receiver)
    {
        if (!receiver.IsValid)
        {
            if (_options.MissingKey == MissingKeyMode.Error)
            {
                // Treat an invalid value as a missing map key.
                throw Errorf("nil data; no entry for key " + GoStrconv.Quote(fieldName));
            }

            return Value.Invalid;
        }

        var typName = receiver.TypeName;
        var obj = receiver.Obj;
        if (obj is null)
        {
            // A nil interface: no method can be called on it.
            throw Errorf("nil pointer evaluating " + typName + "." + fieldName);
        }

        var type = GoValues.TypeOf(obj)!;
        var isNil = obj is GoTypedNil;
        if (type.TryGetMethod(fieldName, out var method))
        {
            return EvalCall(dot, method.Signature, null, method, obj, false, node, fieldName, args, final);
        }

        var hasArgs = args is not null && args.Length > 1 || !final.IsMissing;
        switch (type.Kind)
        {
            case GoKind.Struct:
            case GoKind.Ptr when type.Elem?.Kind == GoKind.Struct:
            {
                var field = type.FindField(fieldName);
                if (field is null)
                {
                    break;
                }

                if (!field.IsExported)
                {
                    throw Errorf(fieldName + " is an unexported field of struct type " + typName);
                }

                if (isNil)
                {
                    throw Errorf("nil pointer evaluating " + typName + "." + fieldName);
                }

                if (hasArgs)
                {
                    throw Errorf(fieldName + " has arguments but cannot be invoked as function");
                }

                var fv = field.Get(obj);
                return field.Type.Kind == GoKind.Interface ? Value.Iface(fv) : Wrap(fv, field.Type);
            }

            case GoKind.Map when type.Key is not null && GoType.String.AssignableTo(type.Key):
            {
                if (hasArgs)
                {
                    throw Errorf(fieldName + " is not a method but has arguments");
                }

                if (!isNil && GoValues.TryGetMapValue(obj, fieldName, out var result))
                {
                    return type.Elem!.Kind == GoKind.Interface ? Value.Iface(result) : Wrap(result, type.Elem);
                }

                switch (_options.MissingKey)
                {
                    case MissingKeyMode.Zero:
                        return Zero(type.Elem!);
                    case MissingKeyMode.Error:
                        throw Errorf("map has no entry for key " + GoStrconv.Quote(fieldName));
                    default:
                        return Value.Invalid;
                }
            }

            case GoKind.Ptr when isNil:
                throw Errorf("nil pointer evaluating " + typName + "." + fieldName);
        }

        throw Errorf("can't evaluate field " + fieldName + " in type " + typName);
    }

    /// <summary>A value read from a slot of the given static type (a nil slice slot holds a typed nil).</summary>
    private static Value Wrap(object? v, GoType? staticType)
    {
        if (v is null && staticType is not null)
        {
            if (staticType.Kind == GoKind.Interface)
            {
                return Value.Iface(null);
            }

            if (staticType.Kind.CanBeNil())
            {
                return Value.Of(staticType.Nil);
            }
        }

        return Value.Of(v);
    }

    /// <summary>reflect.Zero of a type.</summary>
    internal static Value Zero(GoType t)
    {
        switch (t.Kind)
        {
            case GoKind.Interface:
                return Value.Iface(null);
            case GoKind.Map:
            case GoKind.Slice:
            case GoKind.Ptr:
            case GoKind.Func:
            case GoKind.Chan:
                return Value.Of(t.Nil);
            case GoKind.String:
                return Value.Of("");
            case GoKind.Bool:
                return Value.Of(false);
            case GoKind.Float64:
                return Value.Of(0.0);
            case GoKind.Float32:
                return Value.Of(0f);
            case GoKind.Complex128:
            case GoKind.Complex64:
                return Value.Of(System.Numerics.Complex.Zero);
        }

        if (t.Kind.IsSignedInt() || t.Kind.IsUnsignedInt())
        {
            return Value.Of(IntOfType(0, t));
        }

        return Value.Invalid;
    }

    // ---- Calls ----

    /// <summary>
    /// Calls a function or method (Go's evalCall). <paramref name="args"/>, if not null, holds the function
    /// node itself first, as the shell does; <paramref name="final"/> is the previous pipeline stage's value.
    /// </summary>
    private Value EvalCall(Value dot, GoSignature sig, GoFunction? function, GoMethod? method, object? receiver, bool isBuiltin,
        Node node, string name, Node[]? args, Value final)
    {
        var argNodes = args is null ? ReadOnlySpan<Node>.Empty : args.AsSpan(1);
        var numIn = argNodes.Length + (final.IsMissing ? 0 : 1);
        var numFixed = argNodes.Length;
        var parameters = sig.Parameters;
        if (sig.IsVariadic)
        {
            numFixed = parameters.Count - 1;
            if (numIn < numFixed)
            {
                throw Errorf("wrong number of args for " + name + ": want at least " + (parameters.Count - 1).ToString(CultureInfo.InvariantCulture)
                    + " got " + argNodes.Length.ToString(CultureInfo.InvariantCulture));
            }
        }
        else if (numIn != parameters.Count)
        {
            throw Errorf("wrong number of args for " + name + ": want " + parameters.Count.ToString(CultureInfo.InvariantCulture)
                + " got " + numIn.ToString(CultureInfo.InvariantCulture));
        }

        var builtin = isBuiltin ? function!.Builtin : BuiltinKind.None;

        // The builtins and/or short-circuit: arguments are evaluated only until the result is known.
        if (builtin is BuiltinKind.And or BuiltinKind.Or)
        {
            var argType = parameters[0];
            var v = Value.Invalid;
            foreach (var arg in argNodes)
            {
                v = EvalArg(dot, argType, arg);
                if (Truth(v) == (builtin == BuiltinKind.Or))
                {
                    return v;
                }
            }

            if (!final.IsMissing)
            {
                // The last argument comes from the pipeline; nothing short-circuited, so it is the result.
                v = ValidateType(final, argType);
            }

            return v;
        }

        if (builtin != BuiltinKind.None)
        {
            return CallBuiltin(dot, builtin, sig, node, name, argNodes, final, numIn, numFixed);
        }

        // The arguments go straight into this call's slots of the argument stack. A nested call that outgrows the
        // stack moves later calls to a bigger array; this call keeps reading and writing the array it started with.
        var start = _argTop;
        if (start + numIn > _args.Length)
        {
            Array.Resize(ref _args, Math.Max(_args.Length * 2, start + numIn));
        }

        var objs = _args;
        _argTop = start + numIn;
        Exception failure;
        try
        {
            var i = 0;
            for (; i < numFixed && i < argNodes.Length; i++)
            {
                objs[start + i] = ArgObject(EvalArg(dot, parameters[i], argNodes[i]), parameters[i]);
            }

            if (sig.IsVariadic)
            {
                var elemType = parameters[^1].Elem!;
                for (; i < argNodes.Length; i++)
                {
                    objs[start + i] = ArgObject(EvalArg(dot, elemType, argNodes[i]), elemType);
                }
            }

            if (!final.IsMissing)
            {
                var t = parameters[^1];
                if (sig.IsVariadic)
                {
                    t = numIn - 1 < numFixed ? parameters[numIn - 1] : t.Elem!;
                }

                objs[start + i] = ArgObject(ValidateType(final, t), t);
            }

            CancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (method is not null && receiver is GoTypedNil)
                {
                    // Go calls the method with a nil receiver; a method that dereferences it panics.
                    throw new FuncError("runtime error: invalid memory address or nil pointer dereference");
                }

                var callArgs = new ReadOnlySpan<object?>(objs, start, numIn);
                var result = method is not null ? method.Body(receiver!, Context, callArgs) : function!.Body(Context, callArgs);
                return sig.Result.Kind == GoKind.Interface ? Value.Iface(result) : Wrap(result, sig.Result);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = ex;
            }
        }
        finally
        {
            // Cleared so the stack holds no values once the call is over.
            Array.Clear(objs, start, numIn);
            _argTop = start;
        }

        // Thrown after the catch block, once the stack has unwound to this frame: .NET runs catch blocks on top of
        // the frames of the original throw, so throwing inside one at every level of a deep include recursion
        // would pile those frames up and overflow the stack.
        _node = node;
        throw Errorf("error calling " + name + ": " + failure.Message, failure);
    }

    /// <summary>What a function receives for an argument: a typed nil only where the parameter is interface {}.</summary>
    private static object? ArgObject(Value v, GoType paramType)
    {
        var o = v.Obj;
        return o is GoTypedNil && paramType.Kind != GoKind.Interface ? null : o;
    }

    /// <summary>A call of a builtin other than and/or: every argument evaluated, then the builtin.</summary>
    private Value CallBuiltin(Value dot, BuiltinKind builtin, GoSignature sig, Node node, string name, ReadOnlySpan<Node> argNodes, Value final, int numIn, int numFixed)
    {
        var parameters = sig.Parameters;
        var argv = new Value[numIn];
        var i = 0;
        for (; i < numFixed && i < argNodes.Length; i++)
        {
            argv[i] = EvalArg(dot, parameters[i], argNodes[i]);
        }

        if (sig.IsVariadic)
        {
            var elemType = parameters[^1].Elem!;
            for (; i < argNodes.Length; i++)
            {
                argv[i] = EvalArg(dot, elemType, argNodes[i]);
            }
        }

        if (!final.IsMissing)
        {
            var t = parameters[^1];
            if (sig.IsVariadic)
            {
                t = numIn - 1 < numFixed ? parameters[numIn - 1] : t.Elem!;
            }

            argv[i] = ValidateType(final, t);
        }

        CancellationToken.ThrowIfCancellationRequested();
        Exception failure;
        try
        {
            return CallBuiltin(builtin, argv);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
        }

        // Thrown outside the catch block, as in EvalCall.
        _node = node;
        throw Errorf("error calling " + name + ": " + failure.Message, failure);
    }

    private static bool Truth(Value v)
    {
        GoValues.Truth(v.Concrete.Obj, out var truth);
        return truth;
    }

    /// <summary>Go's validateType: the value must be valid and assignable to the parameter type.</summary>
    private Value ValidateType(Value value, GoType? typ)
    {
        if (typ is not null && ReferenceEquals(typ, Builtins.ReflectValue))
        {
            return value;
        }

        if (!value.IsValid)
        {
            if (typ is null)
            {
                // An untyped nil interface{}: accept as a proper nil value.
                return Value.Invalid;
            }

            if (typ.Kind.CanBeNil())
            {
                return Zero(typ);
            }

            throw Errorf("invalid value; expected " + typ.Name);
        }

        if (typ is null)
        {
            return value;
        }

        var vt = value.IsIface ? GoType.Interface : GoValues.TypeOf(value.Obj)!;
        if (!vt.AssignableTo(typ))
        {
            if (value.IsIface && value.Obj is not null)
            {
                var concrete = Value.Of(value.Obj);
                var ct = GoValues.TypeOf(value.Obj)!;
                if (ct.AssignableTo(typ))
                {
                    return concrete;
                }

                vt = ct;
            }

            throw Errorf("wrong type for value; expected " + typ.Name + "; got " + vt.Name);
        }

        return value;
    }

    private Value EvalArg(Value dot, GoType? typ, Node n)
    {
        _node = n;
        switch (n)
        {
            case DotNode:
                return ValidateType(dot, typ);
            case NilNode:
                if (typ is not null && ReferenceEquals(typ, Builtins.ReflectValue))
                {
                    return Value.Invalid;
                }

                if (typ is not null && typ.Kind.CanBeNil())
                {
                    return Zero(typ);
                }

                throw Errorf("cannot assign nil to " + typ?.Name);
            case FieldNode f:
                // Go passes the node as the call's only "argument"; with no real arguments that is the same as none.
                return ValidateType(EvalFieldNode(dot, f, null, Value.Missing), typ);
            case VariableNode v:
                return ValidateType(EvalVariableNode(dot, v, null, Value.Missing), typ);
            case PipeNode p:
                return ValidateType(EvalPipeline(dot, p), typ);
            case IdentifierNode id:
                return ValidateType(EvalFunction(dot, id, id, null, Value.Missing), typ);
            case ChainNode c:
                return ValidateType(EvalChainNode(dot, c, null, Value.Missing), typ);
        }

        if (typ is null)
        {
            throw Errorf("can't handle " + n + " for arg of type <nil>");
        }

        if (ReferenceEquals(typ, Builtins.ReflectValue))
        {
            return EvalEmptyInterface(dot, n);
        }

        switch (typ.Kind)
        {
            case GoKind.Bool:
                if (n is BoolNode b)
                {
                    return Value.Of(b.True);
                }

                throw Errorf("expected bool; found " + n);
            case GoKind.Complex64:
            case GoKind.Complex128:
                if (n is NumberNode { IsComplex: true } c)
                {
                    return Value.Of(c.Complex128);
                }

                throw Errorf("expected complex; found " + n);
            case GoKind.Float32:
            case GoKind.Float64:
                if (n is NumberNode { IsFloat: true } fl)
                {
                    return Value.Of(typ.Kind == GoKind.Float32 ? (object)(float)fl.Float64 : fl.Float64);
                }

                throw Errorf("expected float; found " + n);
            case GoKind.Interface when typ.Methods.Count == 0:
                return EvalEmptyInterface(dot, n);
            case GoKind.String:
                if (n is StringNode s)
                {
                    return Value.Of(s.Text);
                }

                throw Errorf("expected string; found " + n);
        }

        if (typ.Kind.IsSignedInt())
        {
            if (n is NumberNode { IsInt: true } num)
            {
                return Value.Of(IntOfType(num.Int64, typ));
            }

            throw Errorf("expected integer; found " + n);
        }

        if (typ.Kind.IsUnsignedInt())
        {
            if (n is NumberNode { IsUint: true } num)
            {
                return Value.Of(IntOfType(unchecked((long)num.Uint64), typ));
            }

            throw Errorf("expected unsigned integer; found " + n);
        }

        throw Errorf("can't handle " + n + " for arg of type " + typ.Name);
    }

    private Value EvalEmptyInterface(Value dot, Node n)
    {
        _node = n;
        switch (n)
        {
            case BoolNode b:
                return Value.Of(b.True);
            case DotNode:
                return dot;
            case FieldNode f:
                return EvalFieldNode(dot, f, null, Value.Missing);
            case IdentifierNode id:
                return EvalFunction(dot, id, id, null, Value.Missing);
            case NilNode:
                throw Errorf("evalEmptyInterface: nil (can't happen)");
            case NumberNode num:
                return IdealConstant(num);
            case StringNode s:
                return Value.Of(s.Text);
            case VariableNode v:
                return EvalVariableNode(dot, v, null, Value.Missing);
            case PipeNode p:
                return EvalPipeline(dot, p);
        }

        throw Errorf("can't handle assignment of " + n + " to empty interface argument");
    }
}
