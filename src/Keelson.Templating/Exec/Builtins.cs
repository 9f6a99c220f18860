using System.Globalization;
using System.Numerics;
using System.Text;
using Keelson.Templating.Fmt;

namespace Keelson.Templating.Exec;

/// <summary>The builtin functions of text/template with their Go signatures.</summary>
internal static class Builtins
{
    /// <summary>
    /// reflect.Value as a parameter or result type: the builtin sees the value exactly as evaluated, including no
    /// value at all and whether it came through an interface.
    /// </summary>
    public static readonly GoType ReflectValue = new("reflect.Value", GoKind.Struct, named: true);

    private static readonly GoType ReflectValues = GoType.SliceOf(ReflectValue);
    private static readonly System.Buffers.SearchValues<char> HtmlSpecial = System.Buffers.SearchValues.Create("'\"&<>\0");
    private static readonly GoType Anys = GoType.SliceOfInterface;

    public static Dictionary<string, GoFunction> Create()
    {
        GoFunction F(string name, BuiltinKind kind, GoType[] ps, GoType result, bool variadic = false, bool err = false) =>
            new(name, new GoSignature(ps, result, variadic, err), kind);

        var list = new[]
        {
            F("and", BuiltinKind.And, [ReflectValue, ReflectValues], ReflectValue, variadic: true),
            F("call", BuiltinKind.Call, [ReflectValue, ReflectValues], ReflectValue, variadic: true, err: true),
            F("html", BuiltinKind.Html, [Anys], GoType.String, variadic: true),
            F("index", BuiltinKind.Index, [ReflectValue, ReflectValues], ReflectValue, variadic: true, err: true),
            F("slice", BuiltinKind.Slice, [ReflectValue, ReflectValues], ReflectValue, variadic: true, err: true),
            F("js", BuiltinKind.Js, [Anys], GoType.String, variadic: true),
            F("len", BuiltinKind.Len, [ReflectValue], GoType.Int, err: true),
            F("not", BuiltinKind.Not, [ReflectValue], GoType.Bool),
            F("or", BuiltinKind.Or, [ReflectValue, ReflectValues], ReflectValue, variadic: true),
            F("print", BuiltinKind.Print, [Anys], GoType.String, variadic: true),
            F("printf", BuiltinKind.Printf, [GoType.String, Anys], GoType.String, variadic: true),
            F("println", BuiltinKind.Println, [Anys], GoType.String, variadic: true),
            F("urlquery", BuiltinKind.UrlQuery, [Anys], GoType.String, variadic: true),
            F("eq", BuiltinKind.Eq, [ReflectValue, ReflectValues], GoType.Bool, variadic: true, err: true),
            F("ge", BuiltinKind.Ge, [ReflectValue, ReflectValue], GoType.Bool, err: true),
            F("gt", BuiltinKind.Gt, [ReflectValue, ReflectValue], GoType.Bool, err: true),
            F("le", BuiltinKind.Le, [ReflectValue, ReflectValue], GoType.Bool, err: true),
            F("lt", BuiltinKind.Lt, [ReflectValue, ReflectValue], GoType.Bool, err: true),
            F("ne", BuiltinKind.Ne, [ReflectValue, ReflectValue], GoType.Bool, err: true),
        };
        return list.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    // ---- Escapers ----

    /// <summary>template.HTMLEscapeString.</summary>
    public static string HtmlEscape(string s)
    {
        if (s.AsSpan().IndexOfAny(HtmlSpecial) < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 16);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\0': sb.Append('\uFFFD'); break;
                case '"': sb.Append("&#34;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>template.JSEscapeString.</summary>
    public static string JsEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        for (var i = 0; i < s.Length;)
        {
            var r = GoStrconv.NextRune(s, i, out var w);
            var start = i;
            i += w;
            switch (r)
            {
                case '\\': sb.Append("\\\\"); continue;
                case '\'': sb.Append("\\'"); continue;
                case '"': sb.Append("\\\""); continue;
                case '<': sb.Append("\\u003C"); continue;
                case '>': sb.Append("\\u003E"); continue;
                case '&': sb.Append("\\u0026"); continue;
                case '=': sb.Append("\\u003D"); continue;
            }

            if (r < ' ')
            {
                sb.Append("\\u00").Append("0123456789ABCDEF"[r >> 4]).Append("0123456789ABCDEF"[r & 0xF]);
            }
            else if (r < 0x80 || GoStrconv.IsPrint(r))
            {
                sb.Append(s, start, w);
            }
            else
            {
                sb.Append("\\u").Append(r.ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>url.QueryEscape.</summary>
    public static string UrlQueryEscape(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var sb = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else if (b == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return sb.ToString();
    }
}

/// <summary>An error a builtin returns; the executor reports it as "error calling NAME: MESSAGE".</summary>
internal sealed class FuncError(string message) : Exception(message);

internal sealed partial class Executor
{
    private Value CallBuiltin(BuiltinKind kind, Value[] argv)
    {
        switch (kind)
        {
            case BuiltinKind.Not:
                return Value.Of(!Truth(argv[0]));
            case BuiltinKind.Len:
                return Value.Of((nint)Length(argv[0]));
            case BuiltinKind.Index:
                return Index(argv[0], argv.AsSpan(1));
            case BuiltinKind.Slice:
                return SliceOf(argv[0], argv.AsSpan(1));
            case BuiltinKind.Call:
                return CallFunc(argv[0], argv.AsSpan(1));
            case BuiltinKind.Eq:
                return Value.Of(Eq(argv[0], argv.AsSpan(1)));
            case BuiltinKind.Ne:
                return Value.Of(!Eq(argv[0], argv.AsSpan(1)));
            case BuiltinKind.Lt:
                return Value.Of(Lt(argv[0], argv[1]));
            case BuiltinKind.Le:
                return Value.Of(Lt(argv[0], argv[1]) || Eq(argv[0], argv.AsSpan(1)));
            case BuiltinKind.Gt:
                return Value.Of(!(Lt(argv[0], argv[1]) || Eq(argv[0], argv.AsSpan(1))));
            case BuiltinKind.Ge:
                return Value.Of(!Lt(argv[0], argv[1]));
            case BuiltinKind.Print:
            {
                _scratch.Clear();
                GoFmt.Sprint(_scratch, Objects(argv, 0), Context);
                return Value.Of(_scratch.ToString());
            }

            case BuiltinKind.Println:
            {
                _scratch.Clear();
                GoFmt.Sprintln(_scratch, Objects(argv, 0), Context);
                return Value.Of(_scratch.ToString());
            }

            case BuiltinKind.Printf:
            {
                _scratch.Clear();
                GoFmt.Sprintf(_scratch, (string)argv[0].Obj!, Objects(argv, 1), Context);
                return Value.Of(_scratch.ToString());
            }

            case BuiltinKind.Html:
                return Value.Of(Builtins.HtmlEscape(EvalArgs(argv)));
            case BuiltinKind.Js:
                return Value.Of(Builtins.JsEscape(EvalArgs(argv)));
            case BuiltinKind.UrlQuery:
                return Value.Of(Builtins.UrlQueryEscape(EvalArgs(argv)));
            default:
                throw new FuncError("unknown builtin " + kind);
        }
    }

    private static object?[] Objects(Value[] argv, int from)
    {
        var objs = new object?[argv.Length - from];
        for (var i = from; i < argv.Length; i++)
        {
            objs[i - from] = argv[i].Obj;
        }

        return objs;
    }

    /// <summary>The text html, js and urlquery escape: fmt.Sprint of the arguments as the template would print them.</summary>
    private string EvalArgs(Value[] argv)
    {
        if (argv.Length == 1 && argv[0].Obj is string s)
        {
            return s;
        }

        _scratch.Clear();
        var printer = new Printer(_scratch, Context);
        var prevString = false;
        for (var i = 0; i < argv.Length; i++)
        {
            var obj = argv[i].Obj;
            if (obj is null)
            {
                obj = "<no value>";
            }

            var type = GoValues.TypeOf(obj)!;
            var isString = type.Kind == GoKind.String;
            if (i > 0 && !isString && !prevString)
            {
                _scratch.Append(' ');
            }

            if (type.Kind == GoKind.Ptr && obj is not GoTypedNil && type.Elem is { } elem
                && !type.Methods.ContainsKey("String") && !type.Methods.ContainsKey("Error"))
            {
                printer.PrintValue(obj, elem, 'v', 0);
            }
            else
            {
                printer.PrintArg(obj, 'v');
            }

            prevString = isString;
        }

        return _scratch.ToString();
    }

    /// <summary>Go's indirect: through interfaces and pointers; reports a nil on the way.</summary>
    private static (object? Obj, bool IsNil) Indirect(Value v)
    {
        if (v.IsIface && v.Obj is null)
        {
            return (null, true);
        }

        if (v.Obj is GoTypedNil n && n.GoType.Kind == GoKind.Ptr)
        {
            return (v.Obj, true);
        }

        return (v.Obj, false);
    }

    private static int Length(Value item)
    {
        var (obj, isNil) = Indirect(item);
        if (isNil)
        {
            throw new FuncError("len of nil pointer");
        }

        if (obj is null)
        {
            throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
        }

        var type = GoValues.TypeOf(obj)!;
        if (type.Kind == GoKind.Ptr && type.Elem is not null)
        {
            type = type.Elem;
        }

        if (type.Kind is GoKind.Array or GoKind.Chan or GoKind.Map or GoKind.Slice or GoKind.String)
        {
            return GoValues.Len(obj);
        }

        throw new FuncError("len of type " + type.Name);
    }

    /// <summary>
    /// An index must be an integer. <c>index</c> looks through interfaces first; <c>slice</c> does not, so an index
    /// read from a map[string]interface {} is rejected as "interface {}" there, as in Go.
    /// </summary>
    private static int IndexArg(Value index, int cap)
    {
        var obj = index.Obj;
        if (index.IsIface)
        {
            throw new FuncError("cannot index slice/array with type interface {}");
        }

        if (obj is null)
        {
            throw new FuncError("cannot index slice/array with nil");
        }

        var kind = GoValues.KindOf(obj);
        long x;
        if (kind.IsSignedInt())
        {
            x = GoValues.ToInt64(obj);
        }
        else if (kind.IsUnsignedInt())
        {
            x = unchecked((long)GoValues.ToUInt64(obj));
        }
        else
        {
            throw new FuncError("cannot index slice/array with type " + GoValues.TypeName(obj));
        }

        if (x < 0 || x > cap)
        {
            throw new FuncError("index out of range: " + x.ToString(CultureInfo.InvariantCulture));
        }

        return (int)x;
    }

    private static object? PrepareArg(Value value, GoType argType)
    {
        var obj = value.Concrete.Obj;
        if (obj is null)
        {
            if (!argType.Kind.CanBeNil())
            {
                throw new FuncError("value is nil; should be of type " + argType.Name);
            }

            return null;
        }

        var vt = GoValues.TypeOf(obj)!;
        if (vt.AssignableTo(argType))
        {
            return obj;
        }

        if ((vt.Kind.IsSignedInt() || vt.Kind.IsUnsignedInt()) && (argType.Kind.IsSignedInt() || argType.Kind.IsUnsignedInt()))
        {
            var raw = vt.Kind.IsSignedInt() ? GoValues.ToInt64(obj) : unchecked((long)GoValues.ToUInt64(obj));
            return IntOfType(raw, argType);
        }

        throw new FuncError("value has type " + vt.Name + "; should be " + argType.Name);
    }

    private static Value Index(Value itemArg, ReadOnlySpan<Value> indexes)
    {
        var item = itemArg.Concrete;
        if (!item.IsValid)
        {
            throw new FuncError("index of untyped nil");
        }

        foreach (var indexArg in indexes)
        {
            var index = indexArg.Concrete;
            var (obj, isNil) = Indirect(item);
            if (isNil || obj is null)
            {
                throw new FuncError("index of nil pointer");
            }

            var type = GoValues.TypeOf(obj)!;
            switch (type.Kind)
            {
                case GoKind.Array:
                case GoKind.Slice:
                case GoKind.String:
                {
                    var len = obj is GoTypedNil ? 0 : GoValues.Len(obj);
                    var x = IndexArg(index.Concrete, len);
                    if (x == len)
                    {
                        throw new FuncError("reflect: " + (type.Kind == GoKind.String ? "string" : type.Kind == GoKind.Array ? "array" : "slice") + " index out of range");
                    }

                    if (type.Kind == GoKind.String)
                    {
                        item = Value.Of(ByteAt(GoValues.StringOf(obj), x));
                    }
                    else
                    {
                        var elem = GoValues.Index(obj, x);
                        item = type.Elem!.Kind == GoKind.Interface ? Value.Iface(elem) : Wrap(elem, type.Elem);
                    }

                    break;
                }

                case GoKind.Map:
                {
                    var key = PrepareArg(index, type.Key!);
                    if (obj is not GoTypedNil && key is not null && TryLookup(obj, key, out var found))
                    {
                        item = type.Elem!.Kind == GoKind.Interface ? Value.Iface(found) : Wrap(found, type.Elem);
                    }
                    else
                    {
                        item = Zero(type.Elem!);
                    }

                    break;
                }

                default:
                    throw new FuncError("can't index item of type " + type.Name);
            }
        }

        return item;
    }

    private static bool TryLookup(object map, object key, out object? value)
    {
        if (key is string s)
        {
            return GoValues.TryGetMapValue(map, s, out value);
        }

        if (map is System.Collections.IDictionary nd && nd.Contains(key))
        {
            value = nd[key];
            return true;
        }

        value = null;
        return false;
    }

    private static byte ByteAt(string s, int x)
    {
        if (x < s.Length && s.Length == GoValues.Utf8Length(s))
        {
            return (byte)s[x];
        }

        return Encoding.UTF8.GetBytes(s)[x];
    }

    private static Value SliceOf(Value itemArg, ReadOnlySpan<Value> indexes)
    {
        var item = itemArg.Concrete;
        if (!item.IsValid)
        {
            throw new FuncError("slice of untyped nil");
        }

        if (indexes.Length > 3)
        {
            throw new FuncError("too many slice indexes: " + indexes.Length.ToString(CultureInfo.InvariantCulture));
        }

        var obj = item.Obj!;
        var type = GoValues.TypeOf(obj)!;
        int cap;
        switch (type.Kind)
        {
            case GoKind.String:
                if (indexes.Length == 3)
                {
                    throw new FuncError("cannot 3-index slice a string");
                }

                cap = GoValues.Len(obj);
                break;
            case GoKind.Array:
            case GoKind.Slice:
                cap = obj is GoTypedNil ? 0 : GoValues.Len(obj);
                break;
            default:
                throw new FuncError("can't slice item of type " + type.Name);
        }

        var idx = new[] { 0, cap, 0 };
        for (var i = 0; i < indexes.Length; i++)
        {
            idx[i] = IndexArg(indexes[i], cap);
        }

        if (idx[0] > idx[1])
        {
            throw new FuncError("invalid slice index: " + idx[0].ToString(CultureInfo.InvariantCulture) + " > " + idx[1].ToString(CultureInfo.InvariantCulture));
        }

        if (indexes.Length == 3 && idx[1] > idx[2])
        {
            throw new FuncError("invalid slice index: " + idx[1].ToString(CultureInfo.InvariantCulture) + " > " + idx[2].ToString(CultureInfo.InvariantCulture));
        }

        var from = idx[0];
        var count = idx[1] - idx[0];
        switch (obj)
        {
            case GoTypedNil:
                return Value.Of(obj);
            case string s:
                return Value.Of(SliceString(s, from, count));
            case List<object?> l:
                return Value.Of(l.GetRange(from, count));
            case List<string> ls:
                return Value.Of(ls.GetRange(from, count));
            case string[] sa:
                return Value.Of(sa.AsSpan(from, count).ToArray());
            case object?[] a:
                return Value.Of(a.AsSpan(from, count).ToArray());
            case byte[] b:
                return Value.Of(b.AsSpan(from, count).ToArray());
            case List<nint> ln:
                return Value.Of(ln.GetRange(from, count));
            case List<long> ll:
                return Value.Of(ll.GetRange(from, count));
            case List<double> ld:
                return Value.Of(ld.GetRange(from, count));
        }

        if (type.Kind == GoKind.String)
        {
            return Value.Of(SliceString(GoValues.StringOf(obj), from, count));
        }

        var list = new List<object?>(count);
        for (var i = from; i < from + count; i++)
        {
            list.Add(GoValues.Index(obj, i));
        }

        return Value.Of(list);
    }

    private static string SliceString(string s, int from, int count)
    {
        if (s.Length == GoValues.Utf8Length(s))
        {
            return s.Substring(from, count);
        }

        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s), from, count);
    }

    private Value CallFunc(Value fnArg, ReadOnlySpan<Value> args)
    {
        var fnObj = fnArg.Concrete.Obj;
        if (fnObj is null)
        {
            throw new FuncError("call of nil");
        }

        if (fnObj is not GoFunction fn)
        {
            throw new FuncError("non-function of type " + GoValues.TypeName(fnObj));
        }

        var sig = fn.Signature;
        var numIn = sig.Parameters.Count;
        GoType? dddType = null;
        if (sig.IsVariadic)
        {
            if (args.Length < numIn - 1)
            {
                throw new FuncError("wrong number of args: got " + args.Length.ToString(CultureInfo.InvariantCulture) + " want at least "
                    + (numIn - 1).ToString(CultureInfo.InvariantCulture));
            }

            dddType = sig.Parameters[^1].Elem;
        }
        else if (args.Length != numIn)
        {
            throw new FuncError("wrong number of args: got " + args.Length.ToString(CultureInfo.InvariantCulture) + " want "
                + numIn.ToString(CultureInfo.InvariantCulture));
        }

        var objs = new object?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var argType = !sig.IsVariadic || i < numIn - 1 ? sig.Parameters[i] : dddType!;
            try
            {
                objs[i] = PrepareArg(args[i], argType);
            }
            catch (FuncError e)
            {
                throw new FuncError("arg " + i.ToString(CultureInfo.InvariantCulture) + ": " + e.Message);
            }
        }

        var result = fn.Body(Context, objs);
        return sig.Result.Kind == GoKind.Interface ? Value.Iface(result) : Wrap(result, sig.Result);
    }

    // ---- Comparison ----

    private enum BasicKind
    {
        Invalid,
        Bool,
        Complex,
        Int,
        Float,
        String,
        Uint,
    }

    private static BasicKind KindOfBasic(object? v)
    {
        if (v is null)
        {
            return BasicKind.Invalid;
        }

        var k = GoValues.KindOf(v);
        if (k == GoKind.Bool)
        {
            return BasicKind.Bool;
        }

        if (k.IsSignedInt())
        {
            return BasicKind.Int;
        }

        if (k.IsUnsignedInt())
        {
            return BasicKind.Uint;
        }

        if (k.IsFloat())
        {
            return BasicKind.Float;
        }

        if (k.IsComplex())
        {
            return BasicKind.Complex;
        }

        return k == GoKind.String ? BasicKind.String : BasicKind.Invalid;
    }

    private static bool IsNilValue(object? v) => v is null or GoTypedNil;

    private static bool Eq(Value arg1Value, ReadOnlySpan<Value> arg2)
    {
        var arg1 = arg1Value.Concrete.Obj;
        if (arg2.Length == 0)
        {
            throw new FuncError("missing argument for comparison");
        }

        var k1 = KindOfBasic(arg1);
        foreach (var argValue in arg2)
        {
            var arg = argValue.Concrete.Obj;
            var k2 = KindOfBasic(arg);
            bool truth;
            if (k1 != k2)
            {
                // Integers compare regardless of the sign of their type.
                if (k1 == BasicKind.Int && k2 == BasicKind.Uint)
                {
                    var a = GoValues.ToInt64(arg1!);
                    truth = a >= 0 && (ulong)a == GoValues.ToUInt64(arg!);
                }
                else if (k1 == BasicKind.Uint && k2 == BasicKind.Int)
                {
                    var b = GoValues.ToInt64(arg!);
                    truth = b >= 0 && GoValues.ToUInt64(arg1!) == (ulong)b;
                }
                else
                {
                    if (arg1 is not null && arg is not null)
                    {
                        throw new FuncError("incompatible types for comparison");
                    }

                    truth = false;
                }
            }
            else
            {
                switch (k1)
                {
                    case BasicKind.Bool:
                        truth = (bool)arg1! == (bool)arg!;
                        break;
                    case BasicKind.Complex:
                        truth = (Complex)arg1! == (Complex)arg!;
                        break;
                    case BasicKind.Float:
                        truth = GoValues.ToDouble(arg1!) == GoValues.ToDouble(arg!);
                        break;
                    case BasicKind.Int:
                        truth = GoValues.ToInt64(arg1!) == GoValues.ToInt64(arg!);
                        break;
                    case BasicKind.String:
                        truth = GoValues.StringOf(arg1!) == GoValues.StringOf(arg!);
                        break;
                    case BasicKind.Uint:
                        truth = GoValues.ToUInt64(arg1!) == GoValues.ToUInt64(arg!);
                        break;
                    default:
                    {
                        var kind1 = GoValues.KindOf(arg1);
                        var kind2 = GoValues.KindOf(arg);
                        if (kind1 != kind2 && kind1 != GoKind.Invalid && kind2 != GoKind.Invalid)
                        {
                            throw new FuncError(GoFmt.Sprintf("non-comparable types %s: %v, %s: %v", arg1, GoValues.TypeName(arg1), GoValues.TypeName(arg), arg));
                        }

                        if (IsNilValue(arg1) || IsNilValue(arg))
                        {
                            truth = IsNilValue(arg) == IsNilValue(arg1);
                        }
                        else
                        {
                            var t2 = GoValues.TypeOf(arg)!;
                            if (!IsComparable(t2))
                            {
                                throw new FuncError(GoFmt.Sprintf("non-comparable type %s: %v", arg, t2.Name));
                            }

                            truth = GoValues.TypeOf(arg1)!.IdenticalTo(t2) && (t2.Kind == GoKind.Struct
                                ? GoValues.DeepEqual(arg1, arg)
                                : ReferenceEquals(arg1, arg) || arg1!.Equals(arg));
                        }

                        break;
                    }
                }
            }

            if (truth)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether == is defined for values of a type (maps, slices and funcs, and structs holding them, are not).</summary>
    private static bool IsComparable(GoType t) => t.Kind switch
    {
        GoKind.Map or GoKind.Slice or GoKind.Func => false,
        GoKind.Array => t.Elem is null || IsComparable(t.Elem),
        GoKind.Struct => t.Fields.All(f => IsComparable(f.Type)),
        _ => true,
    };

    private static bool Lt(Value arg1Value, Value arg2Value)
    {
        var arg1 = arg1Value.Concrete.Obj;
        var k1 = KindOfBasic(arg1);
        if (k1 == BasicKind.Invalid)
        {
            throw new FuncError("invalid type for comparison");
        }

        var arg2 = arg2Value.Concrete.Obj;
        var k2 = KindOfBasic(arg2);
        if (k2 == BasicKind.Invalid)
        {
            throw new FuncError("invalid type for comparison");
        }

        if (k1 != k2)
        {
            if (k1 == BasicKind.Int && k2 == BasicKind.Uint)
            {
                var a = GoValues.ToInt64(arg1!);
                return a < 0 || (ulong)a < GoValues.ToUInt64(arg2!);
            }

            if (k1 == BasicKind.Uint && k2 == BasicKind.Int)
            {
                var b = GoValues.ToInt64(arg2!);
                return b >= 0 && GoValues.ToUInt64(arg1!) < (ulong)b;
            }

            throw new FuncError("incompatible types for comparison");
        }

        return k1 switch
        {
            BasicKind.Bool or BasicKind.Complex => throw new FuncError("invalid type for comparison"),
            BasicKind.Float => GoValues.ToDouble(arg1!) < GoValues.ToDouble(arg2!),
            BasicKind.Int => GoValues.ToInt64(arg1!) < GoValues.ToInt64(arg2!),
            BasicKind.String => GoStrings.Compare(GoValues.StringOf(arg1!), GoValues.StringOf(arg2!)) < 0,
            _ => GoValues.ToUInt64(arg1!) < GoValues.ToUInt64(arg2!),
        };
    }
}
