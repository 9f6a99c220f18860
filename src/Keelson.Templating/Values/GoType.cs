using System.Collections.Frozen;
using System.Text;

namespace Keelson.Templating;

/// <summary>
/// A Go type as templates observe it: its name as <c>%T</c> prints it, its kind, element/key types, and for host
/// types the fields and methods templates can reach. Types are immutable once built; build declared (named) types
/// with <see cref="GoTypeBuilder"/>.
/// </summary>
public sealed class GoType
{
    private static readonly FrozenDictionary<string, GoMethod> NoMethods = FrozenDictionary<string, GoMethod>.Empty;

    private FrozenDictionary<string, GoMethod> _methods = NoMethods;
    private IReadOnlyList<GoField> _fields = [];
    private GoType? _pointer;
    private GoTypedNil? _nil;
    private Func<object, string>? _marshalJson;

    internal GoType(string name, GoKind kind, GoType? elem = null, GoType? key = null, bool named = false, GoType? underlying = null)
    {
        Name = name;
        Kind = kind;
        Elem = elem;
        Key = key;
        IsNamed = named;
        Underlying = underlying ?? this;
    }

    /// <summary>reflect.Type.String(): "int", "[]interface {}", "map[string]interface {}", "*semver.Version".</summary>
    public string Name { get; }

    public GoKind Kind { get; }

    /// <summary>Element type of a pointer, slice, array, map or channel.</summary>
    public GoType? Elem { get; }

    /// <summary>Key type of a map.</summary>
    public GoType? Key { get; }

    /// <summary>Length of an array type.</summary>
    public int Length { get; private init; }

    /// <summary>Predeclared (int, string...) or declared (time.Time) types are named; []T, map[K]V, *T are not.</summary>
    public bool IsNamed { get; }

    /// <summary>The type itself for unnamed and predeclared types; the type it was declared from otherwise.</summary>
    public GoType Underlying { get; }

    /// <summary>Signature of a function type.</summary>
    public GoSignature? Signature { get; private init; }

    /// <summary>Struct fields (for a pointer to a struct, the struct's), in declaration order.</summary>
    public IReadOnlyList<GoField> Fields => Kind == GoKind.Ptr && Elem is not null ? Elem._fields : _fields;

    /// <summary>The method set; a pointer type also has the methods of the type it points to.</summary>
    public IReadOnlyDictionary<string, GoMethod> Methods => _methods;

    /// <summary>json.Marshaler: returns the JSON text for a value of this type, or null to use the fields.</summary>
    public Func<object, string>? MarshalJson => Kind == GoKind.Ptr && Elem is not null ? Elem._marshalJson : _marshalJson;

    /// <summary>The typed nil of this type (for slice, map, pointer, func and interface kinds).</summary>
    public GoTypedNil Nil => _nil ??= new GoTypedNil(this);

    public override string ToString() => Name;

    internal bool TryGetMethod(string name, out GoMethod method) => _methods.TryGetValue(name, out method!);

    internal GoField? FindField(string name)
    {
        foreach (var f in Fields)
        {
            if (f.Name == name)
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>Go's type identity (by name: two types that print the same are the same here).</summary>
    public bool IdenticalTo(GoType other) => ReferenceEquals(this, other) || Kind == other.Kind && Name == other.Name;

    /// <summary>Go's assignability: identical types, identical underlying types when one side is unnamed, or an interface the type implements.</summary>
    public bool AssignableTo(GoType target)
    {
        if (IdenticalTo(target))
        {
            return true;
        }

        if (target.Kind == GoKind.Interface)
        {
            foreach (var name in target._methods.Keys)
            {
                if (!_methods.TryGetValue(name, out var m) || m.PointerReceiver && Kind != GoKind.Ptr)
                {
                    return false;
                }
            }

            return true;
        }

        return (!IsNamed || !target.IsNamed) && Underlying.IdenticalTo(target.Underlying) && Kind != GoKind.Interface;
    }

    // ---- Predeclared types ----

    public static readonly GoType Bool = new("bool", GoKind.Bool, named: true);
    public static readonly GoType Int = new("int", GoKind.Int, named: true);
    public static readonly GoType Int8 = new("int8", GoKind.Int8, named: true);
    public static readonly GoType Int16 = new("int16", GoKind.Int16, named: true);
    public static readonly GoType Int32 = new("int32", GoKind.Int32, named: true);
    public static readonly GoType Int64 = new("int64", GoKind.Int64, named: true);
    public static readonly GoType Uint = new("uint", GoKind.Uint, named: true);
    public static readonly GoType Uint8 = new("uint8", GoKind.Uint8, named: true);
    public static readonly GoType Uint16 = new("uint16", GoKind.Uint16, named: true);
    public static readonly GoType Uint32 = new("uint32", GoKind.Uint32, named: true);
    public static readonly GoType Uint64 = new("uint64", GoKind.Uint64, named: true);
    public static readonly GoType Uintptr = new("uintptr", GoKind.Uintptr, named: true);
    public static readonly GoType Float32 = new("float32", GoKind.Float32, named: true);
    public static readonly GoType Float64 = new("float64", GoKind.Float64, named: true);
    public static readonly GoType Complex128 = new("complex128", GoKind.Complex128, named: true);
    public static readonly GoType String = new("string", GoKind.String, named: true);

    /// <summary>interface {} (Go's any).</summary>
    public static readonly GoType Interface = new("interface {}", GoKind.Interface);

    /// <summary>The error interface.</summary>
    public static readonly GoType Error = CreateInterface("error", "Error");

    /// <summary>fmt.Stringer.</summary>
    public static readonly GoType Stringer = CreateInterface("fmt.Stringer", "String");

    public static readonly GoType SliceOfInterface = SliceOf(Interface);
    public static readonly GoType SliceOfString = SliceOf(String);
    public static readonly GoType SliceOfInt = SliceOf(Int);
    public static readonly GoType SliceOfInt32 = SliceOf(Int32);
    public static readonly GoType SliceOfInt64 = SliceOf(Int64);
    public static readonly GoType SliceOfFloat64 = SliceOf(Float64);
    public static readonly GoType SliceOfBool = SliceOf(Bool);

    /// <summary>[]byte, which Go prints as []uint8.</summary>
    public static readonly GoType Bytes = SliceOf(Uint8);

    public static readonly GoType MapOfStringInterface = MapOf(String, Interface);
    public static readonly GoType MapOfStringString = MapOf(String, String);

    private static GoType CreateInterface(string name, string method)
    {
        var t = new GoType(name, GoKind.Interface, named: true);
        t._methods = new Dictionary<string, GoMethod>
        {
            [method] = new GoMethod(method, new GoSignature([], String), static (_, _, _) => throw new InvalidOperationException("interface method")),
        }.ToFrozenDictionary();
        return t;
    }

    // ---- Composite types ----

    public static GoType SliceOf(GoType elem) => new("[]" + elem.Name, GoKind.Slice, elem);

    public static GoType ArrayOf(int length, GoType elem) =>
        new("[" + length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" + elem.Name, GoKind.Array, elem) { Length = length };

    public static GoType MapOf(GoType key, GoType elem) => new("map[" + key.Name + "]" + elem.Name, GoKind.Map, elem, key);

    /// <summary>*T. For a declared type the same instance is returned each time, sharing T's methods and fields.</summary>
    public static GoType PointerTo(GoType elem)
    {
        if (elem._pointer is { } existing)
        {
            return existing;
        }

        var p = new GoType("*" + elem.Name, GoKind.Ptr, elem) { _methods = elem._methods };
        return Interlocked.CompareExchange(ref elem._pointer, p, null) ?? p;
    }

    public static GoType FuncOf(GoSignature signature)
    {
        var sb = new StringBuilder("func(");
        for (var i = 0; i < signature.Parameters.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            var p = signature.Parameters[i];
            if (signature.IsVariadic && i == signature.Parameters.Count - 1)
            {
                sb.Append("...").Append(p.Elem!.Name);
            }
            else
            {
                sb.Append(p.Name);
            }
        }

        sb.Append(')');
        if (signature.ReturnsError)
        {
            sb.Append(" (").Append(signature.Result.Name).Append(", error)");
        }
        else
        {
            sb.Append(' ').Append(signature.Result.Name);
        }

        return new GoType(sb.ToString(), GoKind.Func) { Signature = signature };
    }

    internal void Seal(List<GoField> fields, Dictionary<string, GoMethod> methods, Func<object, string>? marshalJson)
    {
        _fields = fields.ToArray();
        _methods = methods.ToFrozenDictionary();
        _marshalJson = marshalJson;
        if (_pointer is not null)
        {
            _pointer._methods = _methods;
        }
    }

    /// <summary>Maps a CLR type used in a typed function helper to the Go type it stands for.</summary>
    public static GoType FromClr(Type t)
    {
        if (t == typeof(object))
        {
            return Interface;
        }

        if (t == typeof(string))
        {
            return String;
        }

        if (t == typeof(bool))
        {
            return Bool;
        }

        if (t == typeof(nint))
        {
            return Int;
        }

        if (t == typeof(long))
        {
            return Int64;
        }

        if (t == typeof(int))
        {
            return Int32;
        }

        if (t == typeof(short))
        {
            return Int16;
        }

        if (t == typeof(sbyte))
        {
            return Int8;
        }

        if (t == typeof(nuint))
        {
            return Uint;
        }

        if (t == typeof(ulong))
        {
            return Uint64;
        }

        if (t == typeof(uint))
        {
            return Uint32;
        }

        if (t == typeof(ushort))
        {
            return Uint16;
        }

        if (t == typeof(byte))
        {
            return Uint8;
        }

        if (t == typeof(double))
        {
            return Float64;
        }

        if (t == typeof(float))
        {
            return Float32;
        }

        if (t == typeof(System.Numerics.Complex))
        {
            return Complex128;
        }

        if (t == typeof(byte[]))
        {
            return Bytes;
        }

        if (t == typeof(List<object?>) || t == typeof(IList<object?>) || t == typeof(IReadOnlyList<object?>) || t == typeof(object[]))
        {
            return SliceOfInterface;
        }

        if (t == typeof(List<string>) || t == typeof(IList<string>) || t == typeof(IReadOnlyList<string>) || t == typeof(string[]))
        {
            return SliceOfString;
        }

        if (t == typeof(List<nint>) || t == typeof(IList<nint>) || t == typeof(nint[]))
        {
            return SliceOfInt;
        }

        if (t == typeof(List<long>) || t == typeof(IList<long>) || t == typeof(long[]))
        {
            return SliceOfInt64;
        }

        if (t == typeof(List<double>) || t == typeof(IList<double>) || t == typeof(double[]))
        {
            return SliceOfFloat64;
        }

        if (t == typeof(Dictionary<string, object?>) || t == typeof(IDictionary<string, object?>) || t == typeof(IReadOnlyDictionary<string, object?>))
        {
            return MapOfStringInterface;
        }

        if (t == typeof(Dictionary<string, string>) || t == typeof(IDictionary<string, string>) || t == typeof(IReadOnlyDictionary<string, string>))
        {
            return MapOfStringString;
        }

        throw new ArgumentException($"CLR type {t} has no Go type; use object (interface {{}}) or an IGoValue host type", nameof(t));
    }
}

/// <summary>A struct field templates can read: <c>.Name</c>. Getter receives the host object.</summary>
public sealed record GoField(string Name, GoType Type, Func<object, object?> Get)
{
    /// <summary>Go's rule: a field is exported when its name starts with an upper-case letter.</summary>
    public bool IsExported => Name.Length > 0 && char.IsUpper(Name[0]);

    /// <summary>Key in encoding/json output; null means the field name, "-" leaves the field out.</summary>
    public string? JsonName { get; init; }

    /// <summary>encoding/json's omitempty.</summary>
    public bool OmitEmpty { get; init; }
}

/// <summary>
/// Declares a named Go type (a struct, or a named map/slice/string type such as chartutil.Values) with fields and
/// methods. <see cref="Type"/> and <see cref="PointerType"/> exist from the start, so method signatures can refer
/// to them; <see cref="Build"/> freezes the type.
/// </summary>
public sealed class GoTypeBuilder
{
    private readonly List<GoField> _fields = [];
    private readonly Dictionary<string, GoMethod> _methods = [];
    private Func<object, string>? _marshalJson;
    private bool _built;

    /// <summary>A declared struct type, e.g. <c>new GoTypeBuilder("semver.Version")</c>.</summary>
    public GoTypeBuilder(string name)
    {
        Type = new GoType(name, GoKind.Struct, named: true);
    }

    /// <summary>A declared type over an existing one, e.g. chartutil.Values over map[string]interface {}.</summary>
    public GoTypeBuilder(string name, GoType underlying)
    {
        ArgumentNullException.ThrowIfNull(underlying);
        Type = new GoType(name, underlying.Kind, underlying.Elem, underlying.Key, named: true, underlying.Underlying);
    }

    public GoType Type { get; }

    /// <summary>*T, sharing T's method set and fields.</summary>
    public GoType PointerType => GoType.PointerTo(Type);

    public GoTypeBuilder Field(string name, GoType type, Func<object, object?> get, string? jsonName = null, bool omitEmpty = false)
    {
        ThrowIfBuilt();
        _fields.Add(new GoField(name, type, get) { JsonName = jsonName, OmitEmpty = omitEmpty });
        return this;
    }

    public GoTypeBuilder Method(string name, GoSignature signature, GoMethodBody body, bool pointerReceiver = false)
    {
        ThrowIfBuilt();
        _methods[name] = new GoMethod(name, signature, body) { PointerReceiver = pointerReceiver };
        return this;
    }

    /// <summary>json.Marshaler: the JSON text encoding/json writes for a value of this type.</summary>
    public GoTypeBuilder MarshalJson(Func<object, string> marshal)
    {
        ThrowIfBuilt();
        _marshalJson = marshal;
        return this;
    }

    public GoType Build()
    {
        ThrowIfBuilt();
        _built = true;
        Type.Seal(_fields, _methods, _marshalJson);
        return Type;
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException($"type {Type.Name} is already built");
        }
    }
}
