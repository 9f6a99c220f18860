using System.Collections;

namespace Keelson.Templating;

/// <summary>
/// A Go function signature: parameter types (for a variadic function the last one is the slice type, as in Go:
/// <c>...string</c> is <c>[]string</c>), one result type, and whether it also returns an error.
/// </summary>
public sealed record GoSignature(IReadOnlyList<GoType> Parameters, GoType Result, bool IsVariadic = false, bool ReturnsError = false)
{
    /// <summary>Element type of the variadic parameter.</summary>
    public GoType? VariadicElem => IsVariadic ? Parameters[^1].Elem : null;
}

/// <summary>Body of a template function. Throw to fail: the message becomes <c>error calling NAME: MESSAGE</c>.</summary>
public delegate object? GoFunctionBody(FunctionContext context, ReadOnlySpan<object?> args);

/// <summary>Body of a method of a host type; <paramref name="receiver"/> is the host object.</summary>
public delegate object? GoMethodBody(object receiver, FunctionContext context, ReadOnlySpan<object?> args);

/// <summary>A method of a host type, reachable from templates as <c>.Obj.Name arg...</c>.</summary>
public sealed record GoMethod(string Name, GoSignature Signature, GoMethodBody Body)
{
    /// <summary>
    /// Declared on *T rather than T. Templates call such methods on fields and pointers alike, but fmt only uses
    /// a pointer-receiver String() or Error() when it prints the pointer itself.
    /// </summary>
    public bool PointerReceiver { get; init; }
}

internal enum BuiltinKind
{
    None,
    And,
    Or,
    Not,
    Call,
    Html,
    Index,
    Slice,
    Js,
    Len,
    Print,
    Printf,
    Println,
    UrlQuery,
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
    Ne,
}

/// <summary>
/// A function templates can call by name (a FuncMap entry), with the Go signature text/template uses to check and
/// convert arguments. A function is also a Go value of kind func (for the <c>call</c> builtin).
/// Arguments arrive as the value model describes (see <see cref="GoValues"/>); parameters of a slice, map or pointer
/// type receive null for a nil value.
/// </summary>
public sealed class GoFunction : IGoValue
{
    private GoType? _type;

    public GoFunction(string name, GoSignature signature, GoFunctionBody body)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(body);
        if (signature.IsVariadic && (signature.Parameters.Count == 0 || signature.Parameters[^1].Kind != GoKind.Slice))
        {
            throw new ArgumentException("a variadic signature's last parameter must be a slice type", nameof(signature));
        }

        Name = name;
        Signature = signature;
        Body = body;
    }

    internal GoFunction(string name, GoSignature signature, BuiltinKind builtin)
        : this(name, signature, static (_, _) => throw new InvalidOperationException("builtins are evaluated by the executor"))
    {
        Builtin = builtin;
    }

    public string Name { get; }

    public GoSignature Signature { get; }

    public GoFunctionBody Body { get; }

    internal BuiltinKind Builtin { get; }

    public GoType GoType => _type ??= GoType.FuncOf(Signature);

    public override string ToString() => Name;

    // ---- Typed helpers: parameter and result Go types come from the CLR types (see GoType.FromClr). ----

    public static GoFunction Create<TResult>(string name, Func<TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(name, Sig(typeof(TResult)), (_, _) => body());
    }

    public static GoFunction Create<T1, TResult>(string name, Func<T1, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(name, Sig(typeof(TResult), typeof(T1)), (_, a) => body(Arg<T1>(a[0])));
    }

    public static GoFunction Create<T1, T2, TResult>(string name, Func<T1, T2, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(name, Sig(typeof(TResult), typeof(T1), typeof(T2)), (_, a) => body(Arg<T1>(a[0]), Arg<T2>(a[1])));
    }

    public static GoFunction Create<T1, T2, T3, TResult>(string name, Func<T1, T2, T3, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(name, Sig(typeof(TResult), typeof(T1), typeof(T2), typeof(T3)),
            (_, a) => body(Arg<T1>(a[0]), Arg<T2>(a[1]), Arg<T3>(a[2])));
    }

    /// <summary>func(...TElem) TResult; the body receives the variadic arguments as an array.</summary>
    public static GoFunction Variadic<TElem, TResult>(string name, Func<TElem[], TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var sig = new GoSignature([GoType.SliceOf(GoType.FromClr(typeof(TElem)))], GoType.FromClr(typeof(TResult)), IsVariadic: true);
        return new(name, sig, (_, a) => body(Rest<TElem>(a, 0)));
    }

    /// <summary>func(T1, ...TElem) TResult.</summary>
    public static GoFunction Variadic<T1, TElem, TResult>(string name, Func<T1, TElem[], TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var sig = new GoSignature([GoType.FromClr(typeof(T1)), GoType.SliceOf(GoType.FromClr(typeof(TElem)))],
            GoType.FromClr(typeof(TResult)), IsVariadic: true);
        return new(name, sig, (_, a) => body(Arg<T1>(a[0]), Rest<TElem>(a, 1)));
    }

    private static GoSignature Sig(Type result, params Type[] parameters)
    {
        var ps = new GoType[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            ps[i] = GoType.FromClr(parameters[i]);
        }

        return new GoSignature(ps, GoType.FromClr(result));
    }

    private static TElem[] Rest<TElem>(ReadOnlySpan<object?> args, int from)
    {
        var rest = new TElem[args.Length - from];
        for (var i = from; i < args.Length; i++)
        {
            rest[i - from] = Arg<TElem>(args[i]);
        }

        return rest;
    }

    /// <summary>Converts an argument to the CLR type a typed helper declared (values of one Go type can have several CLR shapes).</summary>
    internal static T Arg<T>(object? value)
    {
        if (value is T t)
        {
            return t;
        }

        if (value is null or GoTypedNil)
        {
            return default!;
        }

        if (typeof(T) == typeof(List<object?>) && value is IEnumerable e1)
        {
            return (T)(object)e1.Cast<object?>().ToList();
        }

        if (typeof(T) == typeof(List<string>) && value is IEnumerable<string> e2)
        {
            return (T)(object)e2.ToList();
        }

        if (typeof(T) == typeof(string[]) && value is IEnumerable<string> e3)
        {
            return (T)(object)e3.ToArray();
        }

        if (typeof(T) == typeof(object[]) && value is IEnumerable e4)
        {
            return (T)(object)e4.Cast<object?>().ToArray();
        }

        if (typeof(T) == typeof(Dictionary<string, object?>) && value is IDictionary<string, object?> d1)
        {
            return (T)(object)new Dictionary<string, object?>(d1);
        }

        return (T)value;
    }
}

/// <summary>
/// What a function sees of the execution calling it: the template set (Helm's include and tpl execute templates
/// through it), the template call depth and the cancellation token of the render.
/// </summary>
public sealed class FunctionContext
{
    private readonly Exec.Executor? _executor;

    internal FunctionContext(Exec.Executor? executor)
    {
        _executor = executor;
    }

    /// <summary>A context outside any execution (for methods fmt calls while formatting outside a template).</summary>
    internal static FunctionContext Detached { get; } = new(null);

    private Exec.Executor Executor => _executor ?? throw new InvalidOperationException("no template is executing");

    /// <summary>The set whose template is executing.</summary>
    public TemplateSet Templates => Executor.Set;

    /// <summary>Name of the template executing the call.</summary>
    public string TemplateName => Executor.CurrentTemplateName;

    /// <summary>Nesting depth of template invocations ({{template}} and nested executions) at the call.</summary>
    public int Depth => Executor.Depth;

    public CancellationToken CancellationToken => _executor?.CancellationToken ?? CancellationToken.None;

    /// <summary>The object the caller passed to <see cref="TemplateSet.Execute(string, object?, TextWriter, object?, CancellationToken)"/>, or null.</summary>
    public object? State => _executor?.State;

    /// <summary>Executes a template of the current set with <paramref name="data"/> as dot and returns its output.</summary>
    public string ExecuteTemplate(string name, object? data) => Executor.ExecuteNested(Executor.Set, name, data);

    /// <summary>Executes a template of another set (e.g. a clone with an extra template, as Helm's tpl does).</summary>
    public string ExecuteTemplate(TemplateSet set, string name, object? data) => Executor.ExecuteNested(set, name, data);
}
