using System.Collections;

namespace Keelson.Templating;

/// <summary>
/// Sprig's list functions. Like Sprig's reflection-based code they accept any slice kind ([]interface {},
/// []string, []int...) and return new []interface {} lists; the plain forms panic where the must* forms return
/// the error (the render fails either way, with the same message). String lists: split, splitList, splitn, join,
/// sortAlpha.
/// </summary>
internal static class SprigLists
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType Xs = GoType.SliceOfInterface;
    private static readonly GoType S = GoType.String;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Variadic("list", Xs, [Xs], static (_, a) => ToList(a)));
        f.Add(Fn.Variadic("tuple", Xs, [Xs], static (_, a) => ToList(a)));
        AddPair(f, "append", "mustAppend", Xs, [X, X], static (_, a) => Push(a[0], a[1]));
        AddPair(f, "push", "mustPush", Xs, [X, X], static (_, a) => Push(a[0], a[1]));
        AddPair(f, "prepend", "mustPrepend", Xs, [X, X], static (_, a) => Prepend(a[0], a[1]));
        AddPair(f, "first", "mustFirst", X, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find first on type {0}");
            return l.Count == 0 ? null : l[0];
        });
        AddPair(f, "last", "mustLast", X, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find last on type {0}");
            return l.Count == 0 ? null : l[^1];
        });
        AddPair(f, "rest", "mustRest", Xs, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find rest on type {0}");
            return l.Count == 0 ? null : Range(l, 1, l.Count);
        });
        AddPair(f, "initial", "mustInitial", Xs, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find initial on type {0}");
            return l.Count == 0 ? null : Range(l, 0, l.Count - 1);
        });
        AddPair(f, "reverse", "mustReverse", Xs, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find reverse on type {0}");
            var result = new List<object?>(l.Count);
            for (var i = l.Count - 1; i >= 0; i--)
            {
                result.Add(l[i]);
            }

            return result;
        });
        AddPair(f, "uniq", "mustUniq", Xs, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find uniq on type {0}");
            var result = new List<object?>();
            foreach (var item in l)
            {
                if (!Contains(result, item))
                {
                    result.Add(item);
                }
            }

            return result;
        });
        AddPair(f, "compact", "mustCompact", Xs, [X], static (_, a) =>
        {
            var l = Items(a[0], "Cannot compact on type {0}");
            var result = new List<object?>();
            foreach (var item in l)
            {
                if (GoValues.IsTrue(item))
                {
                    result.Add(item);
                }
            }

            return result;
        });
        AddVariadicPair(f, "without", "mustWithout", Xs, [X, Xs], static (_, a) =>
        {
            var l = Items(a[0], "Cannot find without on type {0}");
            var omit = a[1..];
            var result = new List<object?>();
            foreach (var item in l)
            {
                if (!Contains(omit, item))
                {
                    result.Add(item);
                }
            }

            return result;
        });
        AddPair(f, "has", "mustHas", GoType.Bool, [X, X], static (_, a) =>
        {
            if (a[1] is null)
            {
                return false;
            }

            return Contains(Items(a[1], "Cannot find has on type {0}"), a[0]);
        });
        AddVariadicPair(f, "slice", "mustSlice", X, [X, Xs], static (_, a) => Slice(a[0], a[1..]));
        AddPair(f, "chunk", "mustChunk", Fn.SliceOfSliceOfInterface, [GoType.Int, X], static (_, a) => Chunk(Fn.Int(a[0]), a[1]));
        f.Add(Fn.Variadic("concat", X, [Xs], static (_, a) => Concat(a)));

        f.Add(Fn.Of("split", GoType.MapOfStringString, [S, S], static (_, a) => Numbered(Split(Fn.Str(a[1]), Fn.Str(a[0]), -1))));
        f.Add(Fn.Of("splitn", GoType.MapOfStringString, [S, GoType.Int, S], static (_, a) =>
            Numbered(Split(Fn.Str(a[2]), Fn.Str(a[0]), Fn.Int(a[1])))));
        f.Add(Fn.Of("splitList", GoType.SliceOfString, [S, S], static (_, a) => Split(Fn.Str(a[1]), Fn.Str(a[0]), -1)));
        f.Add(Fn.Of("join", S, [S, X], static (ctx, a) => string.Join(Fn.Str(a[0]), SprigConversions.ToStrings(a[1], ctx) ?? [])));
        f.Add(Fn.Of("sortAlpha", GoType.SliceOfString, [X], static (ctx, a) => SortAlpha(a[0], ctx)));
    }

    /// <summary>Registers a function that fails by panicking and its must* twin that returns the error: the same body serves both.</summary>
    private static void AddPair(List<GoFunction> f, string name, string mustName, GoType result, GoType[] parameters, GoFunctionBody body)
    {
        f.Add(Fn.Of(name, result, parameters, body));
        f.Add(Fn.OfWithError(mustName, result, parameters, body));
    }

    private static void AddVariadicPair(List<GoFunction> f, string name, string mustName, GoType result, GoType[] parameters, GoFunctionBody body)
    {
        f.Add(Fn.Variadic(name, result, parameters, body));
        f.Add(Fn.VariadicWithError(mustName, result, parameters, body));
    }

    public static List<object?> ToList(ReadOnlySpan<object?> items)
    {
        var list = new List<object?>(items.Length);
        foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>
    /// The elements of a slice-kind value, or Sprig's error naming the kind; a nil interface panics as Go's
    /// reflect.TypeOf(nil).Kind() does.
    /// </summary>
    public static IList Items(object? v, string message)
    {
        if (v is null)
        {
            throw SprigException.NilDereference();
        }

        var kind = GoValues.KindOf(v);
        if (kind is GoKind.Slice or GoKind.Array)
        {
            return v as IList ?? Array.Empty<object?>();
        }

        throw new SprigException(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, kind.GoName()));
    }

    private static List<object?> Push(object? list, object? v)
    {
        var l = Items(list, "Cannot push on type {0}");
        var result = new List<object?>(l.Count + 1);
        foreach (var item in l)
        {
            result.Add(item);
        }

        result.Add(v);
        return result;
    }

    private static List<object?> Prepend(object? list, object? v)
    {
        var l = Items(list, "Cannot prepend on type {0}");
        var result = new List<object?>(l.Count + 1) { v };
        foreach (var item in l)
        {
            result.Add(item);
        }

        return result;
    }

    private static List<object?> Range(IList l, int from, int to)
    {
        var result = new List<object?>(to - from);
        for (var i = from; i < to; i++)
        {
            result.Add(l[i]);
        }

        return result;
    }

    /// <summary>Sprig's inList: reflect.DeepEqual against each element.</summary>
    private static bool Contains(IList haystack, object? needle)
    {
        foreach (var item in haystack)
        {
            if (GoValues.DeepEqual(needle, item))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(ReadOnlySpan<object?> haystack, object? needle)
    {
        foreach (var item in haystack)
        {
            if (GoValues.DeepEqual(needle, item))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sprig's slice: list[start:end] keeping the list's type; nil (no value) for an empty list.</summary>
    private static object? Slice(object? list, ReadOnlySpan<object?> indices)
    {
        var l = Items(list, "list should be type of slice or array but {0}");
        if (l.Count == 0)
        {
            return null;
        }

        var start = indices.Length > 0 ? Cast.ToInt64(indices[0]) : 0;
        var end = indices.Length > 1 ? Cast.ToInt64(indices[1]) : l.Count;
        if (start < 0 || end < start || end > l.Count)
        {
            throw new SprigException("reflect.Value.Slice: slice index out of bounds");
        }

        return SubList(list!, l, (int)start, (int)end);
    }

    /// <summary>A new list of the same Go type holding l[start:end].</summary>
    private static object SubList(object original, IList l, int start, int end)
    {
        switch (original)
        {
            case List<object?> or object?[]:
                return Range(l, start, end);
            case IList<string> strings:
                return Typed(strings, start, end);
            case IList<nint> ints:
                return Typed(ints, start, end);
            case IList<long> longs:
                return Typed(longs, start, end);
            case IList<int> ints32:
                return Typed(ints32, start, end);
            case IList<double> doubles:
                return Typed(doubles, start, end);
            case IList<bool> bools:
                return Typed(bools, start, end);
            case byte[] bytes:
                return bytes[start..end];
        }

        var copy = new GoSlice(GoValues.TypeOf(original)!);
        for (var i = start; i < end; i++)
        {
            copy.Add(l[i]);
        }

        return copy;

        static List<T> Typed<T>(IList<T> source, int start, int end)
        {
            var result = new List<T>(end - start);
            for (var i = start; i < end; i++)
            {
                result.Add(source[i]);
            }

            return result;
        }
    }

    private static object Concat(ReadOnlySpan<object?> lists)
    {
        List<object?>? result = null;
        foreach (var list in lists)
        {
            var l = Items(list, "Cannot concat type {0} as list");
            foreach (var item in l)
            {
                (result ??= []).Add(item);
            }
        }

        // Nothing appended leaves Go's result a nil []interface {}.
        return (object?)result ?? GoType.SliceOfInterface.Nil;
    }

    /// <summary>Sprig's chunk, with its float arithmetic: a size of 0 or less panics as Go's makeslice does.</summary>
    private static GoSlice Chunk(nint size, object? list)
    {
        var l = Items(list, "Cannot chunk type {0}");
        var count = l.Count;
        var chunks = Cast.FloatToInt64(Math.Floor((double)(count - 1) / size) + 1);
        if (chunks < 0 || chunks > int.MaxValue)
        {
            throw new SprigException("runtime error: makeslice: len out of range");
        }

        var result = new GoSlice(Fn.SliceOfSliceOfInterface);
        for (var i = 0; i < chunks; i++)
        {
            long length = size;
            if (i == chunks - 1)
            {
                length = Cast.FloatToInt64(Math.Floor((double)count % size));
                if (length == 0)
                {
                    length = size;
                }
            }

            if (length < 0 || length > int.MaxValue)
            {
                throw new SprigException("runtime error: makeslice: len out of range");
            }

            var chunk = new List<object?>((int)length);
            for (var j = 0; j < length; j++)
            {
                var ix = i * (long)size + j;
                if (ix < 0 || ix >= count)
                {
                    throw new SprigException("reflect: slice index out of range");
                }

                chunk.Add(l[(int)ix]);
            }

            result.Add(chunk);
        }

        return result;
    }

    // ---- string lists ----

    /// <summary>strings.SplitN(s, sep, n): n &lt; 0 for all parts; an empty sep splits into code points.</summary>
    public static List<string> Split(string s, string sep, nint n)
    {
        if (n == 0)
        {
            return [];
        }

        if (sep.Length == 0)
        {
            return Explode(s, n);
        }

        var result = new List<string>();
        var from = 0;
        while (n < 0 || result.Count < n - 1)
        {
            var at = s.IndexOf(sep, from, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            result.Add(s[from..at]);
            from = at + sep.Length;
        }

        result.Add(s[from..]);
        return result;
    }

    private static List<string> Explode(string s, nint n)
    {
        var result = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (n > 0 && result.Count == n - 1)
            {
                result.Add(s[i..]);
                return result;
            }

            GoText.RuneAt(s, i, out var w);
            result.Add(w == 1 && char.IsSurrogate(s[i]) ? "\uFFFD" : s.Substring(i, w));
            i += w;
        }

        return result;
    }

    /// <summary>split/splitn's map: _0, _1, ... to the parts.</summary>
    private static Dictionary<string, string> Numbered(List<string> parts)
    {
        var map = new Dictionary<string, string>(parts.Count, StringComparer.Ordinal);
        for (var i = 0; i < parts.Count; i++)
        {
            map["_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = parts[i];
        }

        return map;
    }

    /// <summary>sortAlpha: a slice's string values sorted (a []string in place, as Go's does); anything else → [strval].</summary>
    private static IList<string>? SortAlpha(object? v, FunctionContext ctx)
    {
        if (GoValues.KindOf(v) is not (GoKind.Slice or GoKind.Array))
        {
            return [SprigConversions.Strval(v, ctx)];
        }

        var strings = SprigConversions.ToStrings(v, ctx);
        switch (strings)
        {
            case List<string> list:
                list.Sort(GoStrings.Compare);
                break;
            case string[] array:
                Array.Sort(array, GoStrings.Compare);
                break;
        }

        return strings;
    }
}

/// <summary>A slice of a type the value model has no CLR shape for, such as [][]interface {} (chunk) or a named slice type.</summary>
internal sealed class GoSlice(GoType type) : List<object?>, IGoValue
{
    public GoType GoType { get; } = type;
}
