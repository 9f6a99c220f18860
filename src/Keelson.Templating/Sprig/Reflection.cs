namespace Keelson.Templating;

/// <summary>Sprig's reflection functions: typeOf is %T, kindOf is reflect's Kind name, deepEqual is reflect.DeepEqual.</summary>
internal static class SprigReflection
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType S = GoType.String;
    private static readonly GoType B = GoType.Bool;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("typeOf", S, [X], static (_, a) => GoValues.TypeName(a[0])));
        f.Add(Fn.Of("typeIs", B, [S, X], static (_, a) => Fn.Str(a[0]) == GoValues.TypeName(a[1])));
        f.Add(Fn.Of("typeIsLike", B, [S, X], static (_, a) =>
        {
            var target = Fn.Str(a[0]);
            var t = GoValues.TypeName(a[1]);
            return t == target || t.Length == target.Length + 1 && t[0] == '*' && t.AsSpan(1).SequenceEqual(target);
        }));
        f.Add(Fn.Of("kindOf", S, [X], static (_, a) => GoValues.KindOf(a[0]).GoName()));
        f.Add(Fn.Of("kindIs", B, [S, X], static (_, a) => Fn.Str(a[0]) == GoValues.KindOf(a[1]).GoName()));
        f.Add(Fn.Of("deepEqual", B, [X, X], static (_, a) => GoValues.DeepEqual(a[0], a[1])));
    }
}
