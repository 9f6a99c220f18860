namespace Keelson.Templating;

/// <summary>Go's reflect.Kind. <see cref="GoKindExtensions.GoName"/> gives the name reflect prints ("ptr", "slice"...).</summary>
public enum GoKind
{
    Invalid,
    Bool,
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
    Float32,
    Float64,
    Complex64,
    Complex128,
    Array,
    Chan,
    Func,
    Interface,
    Map,
    Ptr,
    Slice,
    String,
    Struct,
    UnsafePointer,
}

public static class GoKindExtensions
{
    /// <summary>reflect.Kind.String(): what Sprig's kindOf returns.</summary>
    public static string GoName(this GoKind kind) => kind switch
    {
        GoKind.Invalid => "invalid",
        GoKind.Bool => "bool",
        GoKind.Int => "int",
        GoKind.Int8 => "int8",
        GoKind.Int16 => "int16",
        GoKind.Int32 => "int32",
        GoKind.Int64 => "int64",
        GoKind.Uint => "uint",
        GoKind.Uint8 => "uint8",
        GoKind.Uint16 => "uint16",
        GoKind.Uint32 => "uint32",
        GoKind.Uint64 => "uint64",
        GoKind.Uintptr => "uintptr",
        GoKind.Float32 => "float32",
        GoKind.Float64 => "float64",
        GoKind.Complex64 => "complex64",
        GoKind.Complex128 => "complex128",
        GoKind.Array => "array",
        GoKind.Chan => "chan",
        GoKind.Func => "func",
        GoKind.Interface => "interface",
        GoKind.Map => "map",
        GoKind.Ptr => "ptr",
        GoKind.Slice => "slice",
        GoKind.String => "string",
        GoKind.Struct => "struct",
        GoKind.UnsafePointer => "unsafe.Pointer",
        _ => "invalid",
    };

    internal static bool IsSignedInt(this GoKind k) => k is GoKind.Int or GoKind.Int8 or GoKind.Int16 or GoKind.Int32 or GoKind.Int64;

    internal static bool IsUnsignedInt(this GoKind k) =>
        k is GoKind.Uint or GoKind.Uint8 or GoKind.Uint16 or GoKind.Uint32 or GoKind.Uint64 or GoKind.Uintptr;

    internal static bool IsFloat(this GoKind k) => k is GoKind.Float32 or GoKind.Float64;

    internal static bool IsComplex(this GoKind k) => k is GoKind.Complex64 or GoKind.Complex128;

    /// <summary>Kinds whose zero value is nil (reflect's canBeNil, without the reflect.Value special case).</summary>
    internal static bool CanBeNil(this GoKind k) =>
        k is GoKind.Chan or GoKind.Func or GoKind.Interface or GoKind.Map or GoKind.Ptr or GoKind.Slice;
}
