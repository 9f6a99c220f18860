namespace Keelson.Templating;

/// <summary>
/// Sprig's dict functions over map[string]interface {}: dict, get, set, unset, hasKey, pluck, keys, pick, omit,
/// values, dig, the mergo-based merge/mergeOverwrite and copystructure's deepCopy. set, unset and merge change the
/// map they are given, as in Go.
/// </summary>
internal static class SprigDicts
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType M = GoType.MapOfStringInterface;
    private static readonly GoType S = GoType.String;
    private static readonly GoType Ms = GoType.SliceOf(GoType.MapOfStringInterface);

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Variadic("dict", M, [GoType.SliceOfInterface], static (ctx, a) => Dict(a, ctx)));
        f.Add(Fn.Of("get", X, [M, S], static (_, a) => Map(a[0]) is { } d && d.TryGetValue(Fn.Str(a[1]), out var v) ? v : ""));
        f.Add(Fn.Of("set", M, [M, S, X], static (_, a) =>
        {
            var d = Map(a[0]) ?? throw new SprigException("assignment to entry in nil map");
            d[Fn.Str(a[1])] = a[2];
            return d;
        }));
        f.Add(Fn.Of("unset", M, [M, S], static (_, a) =>
        {
            var d = Map(a[0]);
            d?.Remove(Fn.Str(a[1]));
            return d;
        }));
        f.Add(Fn.Of("hasKey", GoType.Bool, [M, S], static (_, a) => Map(a[0])?.ContainsKey(Fn.Str(a[1])) ?? false));
        f.Add(Fn.Variadic("pluck", GoType.SliceOfInterface, [S, Ms], static (_, a) =>
        {
            var key = Fn.Str(a[0]);
            var result = new List<object?>();
            for (var i = 1; i < a.Length; i++)
            {
                if (Map(a[i]) is { } d && d.TryGetValue(key, out var v))
                {
                    result.Add(v);
                }
            }

            return result;
        }));
        f.Add(Fn.Variadic("keys", GoType.SliceOfString, [Ms], static (_, a) =>
        {
            var result = new List<string>();
            foreach (var m in a)
            {
                if (Map(m) is { } d)
                {
                    result.AddRange(d.Keys);
                }
            }

            return result;
        }));
        f.Add(Fn.Variadic("pick", M, [M, GoType.SliceOfString], static (_, a) =>
        {
            var d = Map(a[0]);
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 1; i < a.Length; i++)
            {
                var k = Fn.Str(a[i]);
                if (d is not null && d.TryGetValue(k, out var v))
                {
                    result[k] = v;
                }
            }

            return result;
        }));
        f.Add(Fn.Variadic("omit", M, [M, GoType.SliceOfString], static (_, a) =>
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (Map(a[0]) is not { } d)
            {
                return result;
            }

            var omit = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 1; i < a.Length; i++)
            {
                omit.Add(Fn.Str(a[i]));
            }

            foreach (var (k, v) in d)
            {
                if (!omit.Contains(k))
                {
                    result[k] = v;
                }
            }

            return result;
        }));
        f.Add(Fn.Of("values", GoType.SliceOfInterface, [M], static (_, a) =>
        {
            var result = new List<object?>();
            if (Map(a[0]) is { } d)
            {
                result.AddRange(d.Values);
            }

            return result;
        }));
        f.Add(Fn.VariadicWithError("dig", X, [GoType.SliceOfInterface], static (_, a) => Dig(a)));
        f.Add(Fn.Variadic("merge", X, [M, Ms], static (_, a) => Merge(a, overwrite: false)));
        f.Add(Fn.Variadic("mergeOverwrite", X, [M, Ms], static (_, a) => Merge(a, overwrite: true)));
        f.Add(Fn.VariadicWithError("mustMerge", X, [M, Ms], static (_, a) => Merge(a, overwrite: false)));
        f.Add(Fn.VariadicWithError("mustMergeOverwrite", X, [M, Ms], static (_, a) => Merge(a, overwrite: true)));
        f.Add(Fn.Of("deepCopy", X, [X], static (_, a) => DeepCopy.Copy(a[0])));
        f.Add(Fn.OfWithError("mustDeepCopy", X, [X], static (_, a) => DeepCopy.Copy(a[0])));
    }

    private static IDictionary<string, object?>? Map(object? v) => v as IDictionary<string, object?>;

    /// <summary>dict: alternating keys (their string values) and values; a missing last value is "".</summary>
    private static Dictionary<string, object?> Dict(ReadOnlySpan<object?> a, FunctionContext ctx)
    {
        var d = new Dictionary<string, object?>((a.Length + 1) / 2, StringComparer.Ordinal);
        for (var i = 0; i < a.Length; i += 2)
        {
            var key = a[i] as string ?? SprigConversions.Strval(a[i], ctx);
            d[key] = i + 1 < a.Length ? a[i + 1] : "";
        }

        return d;
    }

    /// <summary>
    /// dig k1 k2 ... default dict: the value at the key path, or the default when a key is missing. Sprig's type
    /// assertions panic for a dict that is not exactly map[string]interface {} (a named map type included), a
    /// key that is not a string, or a path through a non-map.
    /// </summary>
    private static object? Dig(ReadOnlySpan<object?> ps)
    {
        if (ps.Length < 3)
        {
            throw new SprigException("dig needs at least three arguments");
        }

        var dict = AssertMap(ps[^1]);
        var def = ps[^2];
        var keys = new string[ps.Length - 2];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = ps[i] as string ?? throw new SprigException(
                $"interface conversion: interface {{}} is {(ps[i] is null ? "nil" : GoValues.TypeName(ps[i]))}, not string");
        }

        for (var i = 0; ; i++)
        {
            if (dict is null || !dict.TryGetValue(keys[i], out var step))
            {
                return def;
            }

            if (i == keys.Length - 1)
            {
                return step;
            }

            dict = AssertMap(step);
        }

        static IDictionary<string, object?>? AssertMap(object? v)
        {
            if (v is GoTypedNil n && n.GoType.IdenticalTo(GoType.MapOfStringInterface))
            {
                return null;
            }

            if (v is IDictionary<string, object?> d && GoValues.TypeOf(v)!.IdenticalTo(GoType.MapOfStringInterface))
            {
                return d;
            }

            throw new SprigException(
                $"interface conversion: interface {{}} is {(v is null ? "nil" : GoValues.TypeName(v))}, not map[string]interface {{}}");
        }
    }

    private static object Merge(ReadOnlySpan<object?> a, bool overwrite)
    {
        var dst = Map(a[0]);
        for (var i = 1; i < a.Length; i++)
        {
            var src = Map(a[i]);
            if (dst is null && src is not null)
            {
                // mergo makes a nil destination map first (it merges through a pointer to it).
                dst = new Dictionary<string, object?>(StringComparer.Ordinal);
            }

            if (dst is not null && src is not null)
            {
                Mergo.Merge(dst, src, overwrite, 0);
            }
        }

        return (object?)dst ?? GoType.MapOfStringInterface.Nil;
    }
}

/// <summary>
/// dario.cat/mergo 1.0.1's Merge and MergeWithOverwrite as they apply to map[string]interface {} (what Sprig 3.3
/// passes): nested maps merge key by key; slices are taken whole; without overwrite a destination value is replaced
/// only when missing or empty (nil, "", 0, false, empty map or slice), with overwrite every source value wins, an
/// empty or nil one included, except that a non-empty destination map is merged into rather than replaced.
/// </summary>
internal static class Mergo
{
    private const int MaxDepth = 10_000;

    public static void Merge(IDictionary<string, object?> dst, IDictionary<string, object?> src, bool overwrite, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SprigException("mergo: maps nest too deeply (or contain themselves)");
        }

        // Snapshot: merging a map into itself must not change the collection being enumerated.
        foreach (var (key, srcValue) in src.ToArray())
        {
            var dstHad = dst.TryGetValue(key, out var dstValue);
            if (srcValue is null)
            {
                if (overwrite)
                {
                    dst[key] = null;
                }

                continue;
            }

            var srcKind = GoValues.KindOf(srcValue);
            if (srcKind == GoKind.Map)
            {
                if (dstHad && dstValue is IDictionary<string, object?> dstMap && srcValue is IDictionary<string, object?> srcMap)
                {
                    Merge(dstMap, srcMap, overwrite, depth + 1);
                }
            }
            else if (srcKind == GoKind.Slice)
            {
                // mergo tests the emptiness of the whole destination map here, not of the element.
                if (overwrite || dst.Count == 0)
                {
                    dst[key] = srcValue;
                }
            }

            if (dstHad && !IsEmpty(dstValue))
            {
                if (srcKind == GoKind.Slice || srcKind == GoKind.Map && GoValues.KindOf(dstValue) == GoKind.Map)
                {
                    continue;
                }
            }

            if (overwrite || !dstHad || IsEmpty(dstValue))
            {
                dst[key] = srcValue;
            }
        }
    }

    /// <summary>mergo's isEmptyValue for a value read out of an interface: zero numbers, false, nil, empty string/map/slice.</summary>
    public static bool IsEmpty(object? v)
    {
        switch (v)
        {
            case null:
                return true;
            case string s:
                return s.Length == 0;
            case bool b:
                return !b;
            case double d:
                return d == 0;
            case GoTypedNil:
                return true;
        }

        var kind = GoValues.KindOf(v);
        return kind switch
        {
            GoKind.Map or GoKind.Slice or GoKind.Array or GoKind.String => GoValues.Len(v) == 0,
            GoKind.Float32 or GoKind.Float64 => GoValues.ToDouble(v) == 0,
            _ when kind.IsSignedInt() => GoValues.ToInt64(v) == 0,
            _ when kind.IsUnsignedInt() => GoValues.ToUInt64(v) == 0,
            _ => false,
        };
    }
}

/// <summary>
/// mitchellh/copystructure's Copy for the value model: maps and slices are copied recursively (keeping their Go
/// types), scalars are immutable; host objects are kept as they are. Go panics on a nil argument.
/// </summary>
internal static class DeepCopy
{
    private const int MaxDepth = 10_000;

    public static object? Copy(object? v)
    {
        if (v is null)
        {
            throw new SprigException("reflect: call of reflect.Value.Type on zero Value");
        }

        return CopyValue(v, 0);
    }

    private static object? CopyValue(object? v, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SprigException("copystructure: values nest too deeply (or contain themselves)");
        }

        switch (v)
        {
            case null or string or bool or double or nint or long or GoTypedNil:
                return v;
            case GoSlice slice:
            {
                var copy = new GoSlice(slice.GoType);
                foreach (var item in slice)
                {
                    copy.Add(CopyValue(item, depth + 1));
                }

                return copy;
            }

            case IDictionary<string, object?> d:
            {
                // A named map type (Helm's chartutil.Values) keeps its type when its class can be made empty.
                var copy = v is IGoValue && v.GetType().GetConstructor(Type.EmptyTypes) is { } ctor
                    ? (IDictionary<string, object?>)ctor.Invoke(null)
                    : new Dictionary<string, object?>(d.Count, StringComparer.Ordinal);
                foreach (var (k, item) in d)
                {
                    copy[k] = CopyValue(item, depth + 1);
                }

                return copy;
            }

            case IGoValue:
                return v;
            case IList<object?> l:
            {
                var copy = new List<object?>(l.Count);
                foreach (var item in l)
                {
                    copy.Add(CopyValue(item, depth + 1));
                }

                return copy;
            }

            case IDictionary<string, string> ds:
                return new Dictionary<string, string>(ds, StringComparer.Ordinal);
            case IList<string> ls:
                return new List<string>(ls);
            case IList<nint> li:
                return new List<nint>(li);
            case IList<long> ll:
                return new List<long>(ll);
            case IList<int> l32:
                return new List<int>(l32);
            case IList<double> lf:
                return new List<double>(lf);
            case IList<bool> lb:
                return new List<bool>(lb);
            case byte[] bytes:
                return bytes.Clone();
            default:
                return v;
        }
    }
}
