namespace Keelson.Templating;

/// <summary>
/// Sprig's defaults and flow control: default, empty, coalesce, all, any, ternary, fail. "Empty" is Go's zero
/// value test: nil, false, 0, "" and empty lists and maps are empty; structs never are.
/// </summary>
internal static class SprigDefaults
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType Xs = GoType.SliceOfInterface;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Variadic("default", X, [X, Xs], static (_, a) => a.Length < 2 || IsEmpty(a[1]) ? a[0] : a[1]));
        f.Add(Fn.Of("empty", GoType.Bool, [X], static (_, a) => IsEmpty(a[0])));
        f.Add(Fn.Variadic("coalesce", X, [Xs], static (_, a) =>
        {
            foreach (var v in a)
            {
                if (!IsEmpty(v))
                {
                    return v;
                }
            }

            return null;
        }));
        f.Add(Fn.Variadic("all", GoType.Bool, [Xs], static (_, a) =>
        {
            foreach (var v in a)
            {
                if (IsEmpty(v))
                {
                    return false;
                }
            }

            return true;
        }));
        f.Add(Fn.Variadic("any", GoType.Bool, [Xs], static (_, a) =>
        {
            foreach (var v in a)
            {
                if (!IsEmpty(v))
                {
                    return true;
                }
            }

            return false;
        }));
        f.Add(Fn.Of("ternary", X, [X, X, GoType.Bool], static (_, a) => (bool)a[2]! ? a[0] : a[1]));
        f.Add(Fn.OfWithError("fail", GoType.String, [GoType.String], static (_, a) => throw new SprigException(Fn.Str(a[0]))));
    }

    /// <summary>Sprig's empty: the value is its type's zero value (structs are never empty).</summary>
    public static bool IsEmpty(object? v) => v switch
    {
        null => true,
        string s => s.Length == 0,
        bool b => !b,
        double d => d == 0,
        nint n => n == 0,
        long l => l == 0,
        _ => !GoValues.IsTrue(v),
    };
}
