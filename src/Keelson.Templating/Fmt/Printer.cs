using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Keelson.Templating.Fmt;

/// <summary>
/// Go's fmt printer (pp + fmt in Go's sources) over the value model: verbs, flags, width and precision, argument
/// indexes, the %!verb(type=value) error forms, and the printing of maps, slices, structs and pointers.
/// </summary>
internal sealed class Printer
{
    private const string LDigits = "0123456789abcdefx";
    private const string UDigits = "0123456789ABCDEFX";

    private readonly StringBuilder _buf;
    private readonly FunctionContext _context;
    private StringBuilder? _num;

    private bool _widPresent;
    private bool _precPresent;
    private bool _minus;
    private bool _plus;
    private bool _sharp;
    private bool _space;
    private bool _zero;
    private bool _plusV;
    private bool _sharpV;
    private int _wid;
    private int _prec;

    private bool _erroring;
    private bool _panicking;
    private bool _reordered;
    private bool _goodArgNum;

    // What badVerb reports: the top-level argument, or the value printValue is at (with its static type).
    private object? _arg;
    private bool _hasValue;
    private object? _value;
    private GoType? _valueType;

    public Printer(StringBuilder buf, FunctionContext? context = null)
    {
        _buf = buf;
        _context = context ?? FunctionContext.Detached;
    }

    private void ClearFlags()
    {
        _widPresent = _precPresent = _minus = _plus = _sharp = _space = _zero = _plusV = _sharpV = false;
        _wid = _prec = 0;
    }

    // ---- Entry points ----

    public void DoPrint(ReadOnlySpan<object?> args)
    {
        var prevString = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var isString = arg is not null && GoValues.KindOf(arg) == GoKind.String;
            if (i > 0 && !isString && !prevString)
            {
                _buf.Append(' ');
            }

            ClearFlags();
            PrintArg(arg, 'v');
            prevString = isString;
        }
    }

    public void DoPrintln(ReadOnlySpan<object?> args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (i > 0)
            {
                _buf.Append(' ');
            }

            ClearFlags();
            PrintArg(args[i], 'v');
        }

        _buf.Append('\n');
    }

    public void DoPrintf(string format, ReadOnlySpan<object?> a)
    {
        var end = format.Length;
        var argNum = 0;
        var afterIndex = false;
        _reordered = false;
        var i = 0;
        while (i < end)
        {
            _goodArgNum = true;
            var lasti = i;
            while (i < end && format[i] != '%')
            {
                i++;
            }

            if (i > lasti)
            {
                _buf.Append(format, lasti, i - lasti);
            }

            if (i >= end)
            {
                break;
            }

            i++;
            ClearFlags();
            var simple = false;
            for (; i < end; i++)
            {
                var c = format[i];
                if (c == '#')
                {
                    _sharp = true;
                }
                else if (c == '0')
                {
                    _zero = !_minus;
                }
                else if (c == '+')
                {
                    _plus = true;
                }
                else if (c == '-')
                {
                    _minus = true;
                    _zero = false;
                }
                else if (c == ' ')
                {
                    _space = true;
                }
                else
                {
                    // Fast path for the common case of an ASCII lower-case verb without precision or width.
                    if (c is >= 'a' and <= 'z' && argNum < a.Length)
                    {
                        if (c == 'v')
                        {
                            _sharpV = _sharp;
                            _sharp = false;
                            _plusV = _plus;
                            _plus = false;
                        }

                        PrintArg(a[argNum], c);
                        argNum++;
                        i++;
                        simple = true;
                    }

                    break;
                }
            }

            if (simple)
            {
                continue;
            }

            (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);

            if (i < end && format[i] == '*')
            {
                i++;
                (_wid, _widPresent, argNum) = IntFromArg(a, argNum);
                if (!_widPresent)
                {
                    _buf.Append("%!(BADWIDTH)");
                }

                if (_wid < 0)
                {
                    _wid = -_wid;
                    _minus = true;
                    _zero = false;
                }

                afterIndex = false;
            }
            else
            {
                (_wid, _widPresent, i) = ParseNum(format, i, end);
                if (afterIndex && _widPresent)
                {
                    _goodArgNum = false;
                }
            }

            if (i + 1 < end && format[i] == '.')
            {
                i++;
                if (afterIndex)
                {
                    _goodArgNum = false;
                }

                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);
                if (i < end && format[i] == '*')
                {
                    i++;
                    (_prec, _precPresent, argNum) = IntFromArg(a, argNum);
                    if (_prec < 0)
                    {
                        _prec = 0;
                        _precPresent = false;
                    }

                    if (!_precPresent)
                    {
                        _buf.Append("%!(BADPREC)");
                    }

                    afterIndex = false;
                }
                else
                {
                    (_prec, _precPresent, i) = ParseNum(format, i, end);
                    if (!_precPresent)
                    {
                        _prec = 0;
                        _precPresent = true;
                    }
                }
            }

            if (!afterIndex)
            {
                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Length);
            }

            if (i >= end)
            {
                _buf.Append("%!(NOVERB)");
                break;
            }

            var verb = GoStrconv.NextRune(format, i, out var size);
            i += size;

            if (verb == '%')
            {
                _buf.Append('%');
            }
            else if (!_goodArgNum)
            {
                _buf.Append("%!");
                AppendRune(verb);
                _buf.Append("(BADINDEX)");
            }
            else if (argNum >= a.Length)
            {
                _buf.Append("%!");
                AppendRune(verb);
                _buf.Append("(MISSING)");
            }
            else
            {
                if (verb == 'v')
                {
                    _sharpV = _sharp;
                    _sharp = false;
                    _plusV = _plus;
                    _plus = false;
                }

                PrintArg(a[argNum], verb);
                argNum++;
            }
        }

        if (!_reordered && argNum < a.Length)
        {
            ClearFlags();
            _buf.Append("%!(EXTRA ");
            for (var k = argNum; k < a.Length; k++)
            {
                if (k > argNum)
                {
                    _buf.Append(", ");
                }

                var arg = a[k];
                if (arg is null)
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    _buf.Append(GoValues.TypeName(arg)).Append('=');
                    PrintArg(arg, 'v');
                }
            }

            _buf.Append(')');
        }
    }

    private static bool TooLarge(int x) => x > 1_000_000 || x < -1_000_000;

    private static (int Num, bool IsNum, int NewI) ParseNum(string s, int start, int end)
    {
        if (start >= end)
        {
            return (0, false, end);
        }

        var num = 0;
        var isNum = false;
        var i = start;
        for (; i < end && s[i] is >= '0' and <= '9'; i++)
        {
            if (TooLarge(num))
            {
                return (0, false, end);
            }

            num = num * 10 + (s[i] - '0');
            isNum = true;
        }

        return (num, isNum, i);
    }

    private (int ArgNum, int I, bool Found) ArgNumber(int argNum, string format, int i, int numArgs)
    {
        if (format.Length <= i || format[i] != '[')
        {
            return (argNum, i, false);
        }

        _reordered = true;
        var (index, wid, ok) = ParseArgNumber(format, i);
        if (ok && index >= 0 && index < numArgs)
        {
            return (index, i + wid, true);
        }

        _goodArgNum = false;
        return (argNum, i + wid, ok);
    }

    private static (int Index, int Wid, bool Ok) ParseArgNumber(string format, int start)
    {
        if (format.Length - start < 3)
        {
            return (0, 1, false);
        }

        for (var i = start + 1; i < format.Length; i++)
        {
            if (format[i] == ']')
            {
                var (width, ok, newi) = ParseNum(format, start + 1, i);
                if (!ok || newi != i)
                {
                    return (0, i - start + 1, false);
                }

                return (width - 1, i - start + 1, true);
            }
        }

        return (0, 1, false);
    }

    private static (int Num, bool IsInt, int NewArgNum) IntFromArg(ReadOnlySpan<object?> a, int argNum)
    {
        if (argNum >= a.Length)
        {
            return (0, false, argNum);
        }

        var num = 0;
        var isInt = false;
        var arg = a[argNum];
        var kind = GoValues.KindOf(arg);
        if (kind.IsSignedInt())
        {
            var n = GoValues.ToInt64(arg!);
            if (n is >= int.MinValue and <= int.MaxValue)
            {
                num = (int)n;
                isInt = true;
            }
            else if (kind == GoKind.Int || kind == GoKind.Int64)
            {
                // Go's int is 64 bits: the value is an int, but too large for a width.
                num = n > 0 ? int.MaxValue : int.MinValue;
                isInt = true;
            }
        }
        else if (kind.IsUnsignedInt())
        {
            var n = GoValues.ToUInt64(arg!);
            if (n <= long.MaxValue)
            {
                num = n > int.MaxValue ? int.MaxValue : (int)n;
                isInt = true;
            }
        }

        if (TooLarge(num))
        {
            num = 0;
            isInt = false;
        }

        return (num, isInt, argNum + 1);
    }

    // ---- printArg / printValue ----

    public void PrintArg(object? arg, int verb)
    {
        _arg = arg;
        _hasValue = false;
        _value = null;
        _valueType = null;

        if (arg is null)
        {
            if (verb is 'T' or 'v')
            {
                PadString("<nil>");
            }
            else
            {
                BadVerb(verb);
            }

            return;
        }

        if (verb == 'T')
        {
            FmtS(GoValues.TypeName(arg));
            return;
        }

        if (verb == 'p')
        {
            FmtPointer(arg, GoValues.TypeOf(arg)!, 'p');
            return;
        }

        switch (arg)
        {
            case string s:
                FmtString(s, verb);
                return;
            case bool b:
                FmtBool(b, verb);
                return;
            case double d:
                FmtFloat(d, 64, verb);
                return;
            case nint n:
                FmtInteger((ulong)(long)n, true, verb);
                return;
            case long l:
                FmtInteger((ulong)l, true, verb);
                return;
            case int i32:
                FmtInteger((ulong)(long)i32, true, verb);
                return;
            case short i16:
                FmtInteger((ulong)(long)i16, true, verb);
                return;
            case sbyte i8:
                FmtInteger((ulong)(long)i8, true, verb);
                return;
            case nuint u:
                FmtInteger(u, false, verb);
                return;
            case ulong u64:
                FmtInteger(u64, false, verb);
                return;
            case uint u32:
                FmtInteger(u32, false, verb);
                return;
            case ushort u16:
                FmtInteger(u16, false, verb);
                return;
            case byte u8:
                FmtInteger(u8, false, verb);
                return;
            case float f:
                FmtFloat(f, 32, verb);
                return;
            case Complex c:
                FmtComplex(c, 128, verb);
                return;
            case byte[] bytes:
                FmtBytes(bytes, verb, "[]byte");
                return;
        }

        if (!HandleMethods(verb, AddressableArgument))
        {
            PrintValue(arg, null, verb, 0);
        }
    }

    /// <summary>
    /// The top-level argument is addressable (a template printing a struct field), so methods declared on the
    /// pointer type apply to it too, as text/template's printableValue arranges.
    /// </summary>
    public bool AddressableArgument { get; init; }

    private bool HandleMethods(int verb, bool addressable = false)
    {
        if (_erroring || _sharpV || _arg is null)
        {
            return false;
        }

        if (verb is not ('v' or 's' or 'x' or 'X' or 'q'))
        {
            return false;
        }

        if (_arg is not IGoValue g)
        {
            return false;
        }

        var type = g.GoType;
        var pointerMethods = addressable || type.Kind == GoKind.Ptr;
        string methodName;
        if (type.TryGetMethod("Error", out var method) && method.Signature.Parameters.Count == 0 && (pointerMethods || !method.PointerReceiver))
        {
            methodName = "Error";
        }
        else if (type.TryGetMethod("String", out method) && method.Signature.Parameters.Count == 0 && (pointerMethods || !method.PointerReceiver))
        {
            methodName = "String";
        }
        else
        {
            return false;
        }

        if (_arg is GoTypedNil)
        {
            // Go calls the method with a nil receiver, which panics; fmt prints such a panic as <nil>.
            _buf.Append("<nil>");
            return true;
        }

        string text;
        try
        {
            text = method.Body(_arg, _context, []) as string ?? "";
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_panicking)
        {
            var saved = SaveFlags();
            ClearFlags();
            _buf.Append("%!");
            AppendRune(verb);
            _buf.Append("(PANIC=").Append(methodName).Append(" method: ");
            _panicking = true;
            PrintArg(ex.Message, 'v');
            _panicking = false;
            _buf.Append(')');
            RestoreFlags(saved);
            return true;
        }

        FmtString(text, verb);
        return true;
    }

    private (bool, bool, bool, bool, bool, bool, bool, bool, bool, int, int) SaveFlags() =>
        (_widPresent, _precPresent, _minus, _plus, _sharp, _space, _zero, _plusV, _sharpV, _wid, _prec);

    private void RestoreFlags((bool, bool, bool, bool, bool, bool, bool, bool, bool, int, int) f) =>
        (_widPresent, _precPresent, _minus, _plus, _sharp, _space, _zero, _plusV, _sharpV, _wid, _prec) = f;

    /// <summary>
    /// Prints a value found inside another (depth &gt; 0) or not handled by PrintArg. <paramref name="staticType"/>
    /// is the declared type of the slot the value sits in (interface {} for []interface {} elements), or null to
    /// use the value's own type.
    /// </summary>
    public void PrintValue(object? v, GoType? staticType, int verb, int depth)
    {
        if (staticType is { Kind: GoKind.Interface })
        {
            if (depth > 0 && v is not null)
            {
                _arg = v;
                if (HandleMethods(verb))
                {
                    return;
                }
            }

            if (v is null)
            {
                _arg = null;
                _hasValue = true;
                _value = null;
                _valueType = staticType;
                if (_sharpV)
                {
                    _buf.Append(staticType.Name).Append("(nil)");
                }
                else
                {
                    _buf.Append("<nil>");
                }

                return;
            }

            PrintValue(v, null, verb, depth + 1);
            return;
        }

        if (v is null)
        {
            if (staticType is null)
            {
                if (depth == 0)
                {
                    _buf.Append("<invalid reflect.Value>");
                }
                else if (verb == 'v')
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    _arg = null;
                    _hasValue = false;
                    BadVerb(verb);
                }

                return;
            }

            v = staticType.Kind.CanBeNil() ? staticType.Nil : Zero(staticType);
            if (v is null)
            {
                _buf.Append("<nil>");
                return;
            }
        }

        var type = staticType ?? GoValues.TypeOf(v)!;
        if (depth > 0)
        {
            _arg = v;
            if (HandleMethods(verb))
            {
                return;
            }
        }

        _arg = null;
        _hasValue = true;
        _value = v;
        _valueType = type;

        switch (type.Kind)
        {
            case GoKind.Bool:
                FmtBool((bool)v, verb);
                return;
            case GoKind.Int:
            case GoKind.Int8:
            case GoKind.Int16:
            case GoKind.Int32:
            case GoKind.Int64:
                FmtInteger((ulong)GoValues.ToInt64(v), true, verb);
                return;
            case GoKind.Uint:
            case GoKind.Uint8:
            case GoKind.Uint16:
            case GoKind.Uint32:
            case GoKind.Uint64:
            case GoKind.Uintptr:
                FmtInteger(GoValues.ToUInt64(v), false, verb);
                return;
            case GoKind.Float32:
                FmtFloat(GoValues.ToDouble(v), 32, verb);
                return;
            case GoKind.Float64:
                FmtFloat(GoValues.ToDouble(v), 64, verb);
                return;
            case GoKind.Complex64:
                FmtComplex((Complex)v, 64, verb);
                return;
            case GoKind.Complex128:
                FmtComplex((Complex)v, 128, verb);
                return;
            case GoKind.String:
                FmtString(GoValues.StringOf(v), verb);
                return;
            case GoKind.Map:
                PrintMap(v, type, verb, depth);
                return;
            case GoKind.Struct:
                PrintStruct(v, type, verb, depth);
                return;
            case GoKind.Array:
            case GoKind.Slice:
                PrintList(v, type, verb, depth);
                return;
            case GoKind.Ptr:
                if (depth == 0 && v is not GoTypedNil && type.Elem is { Kind: GoKind.Array or GoKind.Slice or GoKind.Struct or GoKind.Map } elem)
                {
                    _buf.Append('&');
                    PrintValue(v, elem, verb, depth + 1);
                    return;
                }

                FmtPointer(v, type, verb);
                return;
            case GoKind.Chan:
            case GoKind.Func:
            case GoKind.UnsafePointer:
                FmtPointer(v, type, verb);
                return;
            default:
                _buf.Append('?').Append(type.Name).Append('?');
                return;
        }
    }

    private static object? Zero(GoType t) => t.Kind switch
    {
        GoKind.Bool => false,
        GoKind.String => "",
        GoKind.Int => (nint)0,
        GoKind.Int64 => 0L,
        GoKind.Int32 => 0,
        GoKind.Float64 => 0.0,
        _ => null,
    };

    private void PrintMap(object v, GoType type, int verb, int depth)
    {
        if (_sharpV)
        {
            _buf.Append(type.Name);
            if (v is GoTypedNil)
            {
                _buf.Append("(nil)");
                return;
            }

            _buf.Append('{');
        }
        else
        {
            _buf.Append("map[");
        }

        if (v is not GoTypedNil)
        {
            var first = true;
            foreach (var kv in GoValues.SortedEntries(v))
            {
                if (!first)
                {
                    if (_sharpV)
                    {
                        _buf.Append(", ");
                    }
                    else
                    {
                        _buf.Append(' ');
                    }
                }

                first = false;
                PrintValue(kv.Key, type.Key, verb, depth + 1);
                _buf.Append(':');
                PrintValue(kv.Value, type.Elem, verb, depth + 1);
            }
        }

        _buf.Append(_sharpV ? '}' : ']');
    }

    private void PrintStruct(object v, GoType type, int verb, int depth)
    {
        if (_sharpV)
        {
            _buf.Append(type.Name);
        }

        _buf.Append('{');
        var fields = type.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                if (_sharpV)
                {
                    _buf.Append(", ");
                }
                else
                {
                    _buf.Append(' ');
                }
            }

            var f = fields[i];
            if (_plusV || _sharpV)
            {
                _buf.Append(f.Name).Append(':');
            }

            PrintValue(f.Get(v), f.Type, verb, depth + 1);
        }

        _buf.Append('}');
    }

    private void PrintList(object v, GoType type, int verb, int depth)
    {
        if (verb is 's' or 'q' or 'x' or 'X' && type.Elem is { Kind: GoKind.Uint8 })
        {
            var bytes = v switch
            {
                byte[] b => b,
                GoTypedNil => null,
                IEnumerable<byte> e => e.ToArray(),
                _ => [],
            };
            FmtBytes(bytes, verb, type.Name);
            return;
        }

        var n = v is GoTypedNil ? 0 : GoValues.Len(v);
        if (_sharpV)
        {
            _buf.Append(type.Name);
            if (type.Kind == GoKind.Slice && v is GoTypedNil)
            {
                _buf.Append("(nil)");
                return;
            }

            _buf.Append('{');
            for (var i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    _buf.Append(", ");
                }

                PrintValue(GoValues.Index(v, i), type.Elem, verb, depth + 1);
            }

            _buf.Append('}');
        }
        else
        {
            _buf.Append('[');
            for (var i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    _buf.Append(' ');
                }

                PrintValue(GoValues.Index(v, i), type.Elem, verb, depth + 1);
            }

            _buf.Append(']');
        }
    }

    private void BadVerb(int verb)
    {
        _erroring = true;
        _buf.Append("%!");
        AppendRune(verb);
        _buf.Append('(');
        if (_arg is not null)
        {
            _buf.Append(GoValues.TypeName(_arg)).Append('=');
            PrintArg(_arg, 'v');
        }
        else if (_hasValue && _valueType is not null)
        {
            var value = _value;
            var type = _valueType;
            _buf.Append(type.Name).Append('=');
            PrintValue(value, type, 'v', 0);
        }
        else
        {
            _buf.Append("<nil>");
        }

        _buf.Append(')');
        _erroring = false;
    }

    private void FmtBool(bool v, int verb)
    {
        if (verb is 't' or 'v')
        {
            PadString(v ? "true" : "false");
        }
        else
        {
            BadVerb(verb);
        }
    }

    private void Fmt0x64(ulong v, bool leading0x)
    {
        var sharp = _sharp;
        _sharp = leading0x;
        FormatInteger(v, 16, false, 'v', LDigits);
        _sharp = sharp;
    }

    private void FmtInteger(ulong v, bool isSigned, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV && !isSigned)
                {
                    Fmt0x64(v, true);
                }
                else
                {
                    FormatInteger(v, 10, isSigned, verb, LDigits);
                }

                return;
            case 'd':
                FormatInteger(v, 10, isSigned, verb, LDigits);
                return;
            case 'b':
                FormatInteger(v, 2, isSigned, verb, LDigits);
                return;
            case 'o':
            case 'O':
                FormatInteger(v, 8, isSigned, verb, LDigits);
                return;
            case 'x':
                FormatInteger(v, 16, isSigned, verb, LDigits);
                return;
            case 'X':
                FormatInteger(v, 16, isSigned, verb, UDigits);
                return;
            case 'c':
                FmtC(v);
                return;
            case 'q':
                FmtQc(v);
                return;
            case 'U':
                FmtUnicode(v);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtFloat(double v, int size, int verb)
    {
        switch (verb)
        {
            case 'v':
                FormatFloat(v, size, 'g', -1);
                return;
            case 'b':
            case 'g':
            case 'G':
            case 'x':
            case 'X':
                FormatFloat(v, size, (char)verb, -1);
                return;
            case 'f':
            case 'e':
            case 'E':
                FormatFloat(v, size, (char)verb, 6);
                return;
            case 'F':
                FormatFloat(v, size, 'f', 6);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtComplex(Complex v, int size, int verb)
    {
        switch (verb)
        {
            case 'v':
            case 'b':
            case 'g':
            case 'G':
            case 'x':
            case 'X':
            case 'f':
            case 'F':
            case 'e':
            case 'E':
                var oldPlus = _plus;
                _buf.Append('(');
                FmtFloat(v.Real, size / 2, verb);
                _plus = true;
                FmtFloat(v.Imaginary, size / 2, verb);
                _buf.Append("i)");
                _plus = oldPlus;
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtString(string v, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    FmtQ(v);
                }
                else
                {
                    FmtS(v);
                }

                return;
            case 's':
                FmtS(v);
                return;
            case 'x':
                FmtSbx(Encoding.UTF8.GetBytes(v), LDigits);
                return;
            case 'X':
                FmtSbx(Encoding.UTF8.GetBytes(v), UDigits);
                return;
            case 'q':
                FmtQ(v);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtBytes(byte[]? v, int verb, string typeString)
    {
        switch (verb)
        {
            case 'v':
            case 'd':
                if (_sharpV)
                {
                    _buf.Append(typeString);
                    if (v is null)
                    {
                        _buf.Append("(nil)");
                        return;
                    }

                    _buf.Append('{');
                    for (var i = 0; i < v.Length; i++)
                    {
                        if (i > 0)
                        {
                            _buf.Append(", ");
                        }

                        Fmt0x64(v[i], true);
                    }

                    _buf.Append('}');
                }
                else
                {
                    _buf.Append('[');
                    if (v is not null)
                    {
                        for (var i = 0; i < v.Length; i++)
                        {
                            if (i > 0)
                            {
                                _buf.Append(' ');
                            }

                            FormatInteger(v[i], 10, false, verb, LDigits);
                        }
                    }

                    _buf.Append(']');
                }

                return;
            case 's':
                FmtS(Encoding.UTF8.GetString(v ?? []));
                return;
            case 'x':
                FmtSbx(v ?? [], LDigits);
                return;
            case 'X':
                FmtSbx(v ?? [], UDigits);
                return;
            case 'q':
                FmtQ(Encoding.UTF8.GetString(v ?? []));
                return;
            default:
                PrintValue(v is null ? GoType.Bytes.Nil : v, GoType.Bytes, verb, 0);
                return;
        }
    }

    private void FmtPointer(object value, GoType type, int verb)
    {
        ulong u;
        switch (type.Kind)
        {
            case GoKind.Chan:
            case GoKind.Func:
            case GoKind.Map:
            case GoKind.Ptr:
            case GoKind.Slice:
            case GoKind.UnsafePointer:
                // Addresses are not observable in a meaningful way; print a stable stand-in for non-nil values.
                u = value is GoTypedNil ? 0 : 0xc000000000UL + ((ulong)(uint)RuntimeHelpers.GetHashCode(value) << 4);
                break;
            default:
                BadVerb(verb);
                return;
        }

        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    _buf.Append('(').Append(type.Name).Append(")(");
                    if (u == 0)
                    {
                        _buf.Append("nil");
                    }
                    else
                    {
                        Fmt0x64(u, true);
                    }

                    _buf.Append(')');
                }
                else if (u == 0)
                {
                    PadString("<nil>");
                }
                else
                {
                    Fmt0x64(u, !_sharp);
                }

                return;
            case 'p':
                Fmt0x64(u, !_sharp);
                return;
            case 'b':
            case 'o':
            case 'd':
            case 'x':
            case 'X':
                FmtInteger(u, false, verb);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    // ---- The fmt struct: padding and the number and string formatters ----

    private void AppendRune(int r)
    {
        if (r < 0x10000)
        {
            _buf.Append((char)r);
        }
        else
        {
            _buf.Append(char.ConvertFromUtf32(r));
        }
    }

    private void WritePadding(int n)
    {
        if (n <= 0)
        {
            return;
        }

        _buf.Append(_zero ? '0' : ' ', n);
    }

    private static int RuneCount(StringBuilder sb, int start, int length)
    {
        var count = 0;
        for (var i = start; i < start + length; i++)
        {
            if (!char.IsLowSurrogate(sb[i]) || i == start || !char.IsHighSurrogate(sb[i - 1]))
            {
                count++;
            }
        }

        return count;
    }

    private static int RuneCount(string s)
    {
        var count = s.Length;
        for (var i = 1; i < s.Length; i++)
        {
            if (char.IsLowSurrogate(s[i]) && char.IsHighSurrogate(s[i - 1]))
            {
                count--;
            }
        }

        return count;
    }

    private void PadString(string s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }

        var width = _wid - RuneCount(s);
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void PadBuilder(StringBuilder s, int start)
    {
        var length = s.Length - start;
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s, start, length);
            return;
        }

        var width = _wid - RuneCount(s, start, length);
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s, start, length);
        }
        else
        {
            _buf.Append(s, start, length);
            WritePadding(width);
        }
    }

    private void FmtUnicode(ulong u)
    {
        var prec = 4;
        if (_precPresent && _prec > 4)
        {
            prec = _prec;
        }

        var digits = new StringBuilder();
        var v = u;
        do
        {
            digits.Insert(0, UDigits[(int)(v & 0xF)]);
            prec--;
            v >>= 4;
        }
        while (v != 0);

        var s = new StringBuilder("U+");
        s.Append('0', Math.Max(prec, 0)).Append(digits);
        if (_sharp && u <= 0x10FFFF && GoStrconv.IsPrint((int)u))
        {
            s.Append(" '");
            s.Append(char.ConvertFromUtf32((int)u));
            s.Append('\'');
        }

        var oldZero = _zero;
        _zero = false;
        PadString(s.ToString());
        _zero = oldZero;
    }

    private void FormatInteger(ulong u, int @base, bool isSigned, int verb, string digits)
    {
        var negative = isSigned && (long)u < 0;
        if (negative)
        {
            u = unchecked(0 - u);
        }

        var prec = 0;
        if (_precPresent)
        {
            prec = _prec;
            if (prec == 0 && u == 0)
            {
                var oldZero = _zero;
                _zero = false;
                WritePadding(_wid);
                _zero = oldZero;
                return;
            }
        }
        else if (_zero && _widPresent)
        {
            prec = _wid;
            if (negative || _plus || _space)
            {
                prec--;
            }
        }

        Span<char> buf = stackalloc char[Math.Max(68, 3 + _wid + _prec)];
        var i = buf.Length;
        switch (@base)
        {
            case 10:
                while (u >= 10)
                {
                    i--;
                    var next = u / 10;
                    buf[i] = (char)('0' + (int)(u - next * 10));
                    u = next;
                }

                break;
            case 16:
                while (u >= 16)
                {
                    i--;
                    buf[i] = digits[(int)(u & 0xF)];
                    u >>= 4;
                }

                break;
            case 8:
                while (u >= 8)
                {
                    i--;
                    buf[i] = (char)('0' + (int)(u & 7));
                    u >>= 3;
                }

                break;
            case 2:
                while (u >= 2)
                {
                    i--;
                    buf[i] = (char)('0' + (int)(u & 1));
                    u >>= 1;
                }

                break;
        }

        i--;
        buf[i] = digits[(int)u];
        while (i > 0 && prec > buf.Length - i)
        {
            i--;
            buf[i] = '0';
        }

        if (_sharp)
        {
            switch (@base)
            {
                case 2:
                    buf[--i] = 'b';
                    buf[--i] = '0';
                    break;
                case 8:
                    if (buf[i] != '0')
                    {
                        buf[--i] = '0';
                    }

                    break;
                case 16:
                    buf[--i] = digits[16];
                    buf[--i] = '0';
                    break;
            }
        }

        if (verb == 'O')
        {
            buf[--i] = 'o';
            buf[--i] = '0';
        }

        if (negative)
        {
            buf[--i] = '-';
        }
        else if (_plus)
        {
            buf[--i] = '+';
        }
        else if (_space)
        {
            buf[--i] = ' ';
        }

        var zero = _zero;
        _zero = false;
        PadString(new string(buf[i..]));
        _zero = zero;
    }

    private string TruncateString(string s)
    {
        if (_precPresent)
        {
            var n = _prec;
            for (var i = 0; i < s.Length;)
            {
                n--;
                if (n < 0)
                {
                    return s[..i];
                }

                GoStrconv.NextRune(s, i, out var w);
                i += w;
            }
        }

        return s;
    }

    private void FmtS(string s) => PadString(TruncateString(s));

    private void FmtSbx(byte[] b, string digits)
    {
        var length = b.Length;
        if (_precPresent && _prec < length)
        {
            length = _prec;
        }

        var width = 2 * length;
        if (width > 0)
        {
            if (_space)
            {
                if (_sharp)
                {
                    width *= 2;
                }

                width += length - 1;
            }
            else if (_sharp)
            {
                width += 2;
            }
        }
        else
        {
            if (_widPresent)
            {
                WritePadding(_wid);
            }

            return;
        }

        if (_widPresent && _wid > width && !_minus)
        {
            WritePadding(_wid - width);
        }

        if (_sharp)
        {
            _buf.Append('0').Append(digits[16]);
        }

        for (var i = 0; i < length; i++)
        {
            if (_space && i > 0)
            {
                _buf.Append(' ');
                if (_sharp)
                {
                    _buf.Append('0').Append(digits[16]);
                }
            }

            var c = b[i];
            _buf.Append(digits[c >> 4]).Append(digits[c & 0xF]);
        }

        if (_widPresent && _wid > width && _minus)
        {
            WritePadding(_wid - width);
        }
    }

    private void FmtQ(string s)
    {
        s = TruncateString(s);
        if (_sharp && GoStrconv.CanBackquote(s))
        {
            PadString("`" + s + "`");
            return;
        }

        PadString(_plus ? GoStrconv.QuoteToAscii(s) : GoStrconv.Quote(s));
    }

    private void FmtC(ulong c)
    {
        var r = c > 0x10FFFF || c is >= 0xD800 and <= 0xDFFF ? 0xFFFD : (int)c;
        PadString(char.ConvertFromUtf32(r));
    }

    private void FmtQc(ulong c)
    {
        var r = c > 0x10FFFF ? 0xFFFD : (int)c;
        var sb = new StringBuilder();
        GoStrconv.AppendQuotedRune(sb, r, _plus);
        PadString(sb.ToString());
    }

    private void FormatFloat(double v, int size, char verb, int prec)
    {
        if (_precPresent)
        {
            prec = _prec;
        }

        var num = _num ??= new StringBuilder(32);
        num.Clear();
        num.Append('+');
        GoStrconv.AppendFloat(num, v, verb, prec, size);
        if (num[1] is '-' or '+')
        {
            num.Remove(0, 1);
        }
        else
        {
            num[0] = '+';
        }

        if (_space && num[0] == '+' && !_plus)
        {
            num[0] = ' ';
        }

        if (num[1] is 'I' or 'N')
        {
            var oldZero = _zero;
            _zero = false;
            if (num[1] == 'N' && !_space && !_plus)
            {
                num.Remove(0, 1);
            }

            PadBuilder(num, 0);
            _zero = oldZero;
            return;
        }

        if (_sharp && verb != 'b')
        {
            var digits = 0;
            if (verb is 'v' or 'g' or 'G' or 'x')
            {
                digits = prec;
                if (digits == -1)
                {
                    digits = 6;
                }
            }

            var tail = "";
            var hasDecimalPoint = false;
            var sawNonzeroDigit = false;
            for (var i = 1; i < num.Length; i++)
            {
                var c = num[i];
                if (c == '.')
                {
                    hasDecimalPoint = true;
                }
                else if (c is 'p' or 'P' || c is 'e' or 'E' && verb is not ('x' or 'X'))
                {
                    tail = num.ToString(i, num.Length - i);
                    num.Length = i;
                }
                else
                {
                    if (c != '0')
                    {
                        sawNonzeroDigit = true;
                    }

                    if (sawNonzeroDigit)
                    {
                        digits--;
                    }
                }
            }

            if (!hasDecimalPoint)
            {
                if (num.Length == 2 && num[1] == '0')
                {
                    digits--;
                }

                num.Append('.');
            }

            while (digits > 0)
            {
                num.Append('0');
                digits--;
            }

            num.Append(tail);
        }

        if (_plus || num[0] != '+')
        {
            if (_zero && _widPresent && _wid > num.Length)
            {
                _buf.Append(num[0]);
                WritePadding(_wid - num.Length);
                _buf.Append(num, 1, num.Length - 1);
                return;
            }

            PadBuilder(num, 0);
            return;
        }

        PadBuilder(num, 1);
    }
}
