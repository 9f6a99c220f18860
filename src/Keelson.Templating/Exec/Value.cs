namespace Keelson.Templating.Exec;

/// <summary>
/// A value during execution, as Go's reflect.Value sees it. Besides the object it records whether the value was
/// reached through a slot of static type interface {} (a map[string]interface {} entry, a []interface {} element):
/// Go reports such receivers as "interface {}" in errors and treats a nil one differently from no value at all.
/// </summary>
internal readonly struct Value
{
    private const byte IfaceFlag = 1;
    private const byte MissingFlag = 2;

    private readonly byte _flags;

    private Value(object? obj, byte flags)
    {
        Obj = obj;
        _flags = flags;
    }

    /// <summary>The concrete value (null for no value or a nil interface).</summary>
    public object? Obj { get; }

    /// <summary>The zero reflect.Value: no value at all (a missing key, nil data).</summary>
    public static Value Invalid => default;

    /// <summary>Marks "no final argument from a previous pipeline stage".</summary>
    public static Value Missing => new(null, MissingFlag);

    public static Value Of(object? obj) => new(obj, 0);

    /// <summary>A value in an interface {} slot; null is a nil interface, which is a valid value.</summary>
    public static Value Iface(object? obj) => new(obj, IfaceFlag);

    public bool IsIface => (_flags & IfaceFlag) != 0;

    public bool IsMissing => (_flags & MissingFlag) != 0;

    /// <summary>reflect.Value.IsValid: false only for no value (a nil interface is valid).</summary>
    public bool IsValid => Obj is not null || IsIface;

    /// <summary>The value with any interface wrapper removed (Go's indirectInterface).</summary>
    public Value Concrete => IsIface ? new Value(Obj, 0) : this;

    /// <summary>The type name Go reports for this value: "interface {}" through an interface slot.</summary>
    public string TypeName => IsIface ? "interface {}" : GoValues.TypeName(Obj);
}
