namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helpers over value trees in the template value model: maps are <c>Dictionary&lt;string, object?&gt;</c> (Go's
/// map[string]interface{}), lists <c>List&lt;object?&gt;</c>. Mirrors chartutil.Values' Table and PathValue.
/// </summary>
internal static class ValueTree
{
    public static Dictionary<string, object?> DeepCopyMap(IDictionary<string, object?> map)
    {
        var copy = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
        foreach (var (k, v) in map)
        {
            copy[k] = DeepCopy(v);
        }

        return copy;
    }

    public static object? DeepCopy(object? value) => value switch
    {
        HelmValues hv => new HelmValues(DeepCopyMap(hv), hv.GoType),
        IDictionary<string, object?> d => DeepCopyMap(d),
        List<object?> l => l.Select(DeepCopy).ToList(),
        object?[] a => a.Select(DeepCopy).ToList(),
        _ => value,
    };

    /// <summary>Go's "is a table": a map[string]interface{} (a named Values map is not one, as in Helm).</summary>
    public static bool IsTable(object? value) => value is Dictionary<string, object?> and not HelmValues;

    public static Dictionary<string, object?>? AsTable(object? value) => value is HelmValues ? null : value as Dictionary<string, object?>;

    /// <summary>Values.Table: the map at a dotted path, or null when any step is missing or not a map.</summary>
    public static IDictionary<string, object?>? Table(IDictionary<string, object?> values, string path)
    {
        IDictionary<string, object?> table = values;
        foreach (var part in path.Split('.'))
        {
            if (!table.TryGetValue(part, out var next) || next is not IDictionary<string, object?> inner)
            {
                return null;
            }

            table = inner;
        }

        return table;
    }

    /// <summary>Values.PathValue: the non-map value at a dotted path.</summary>
    public static bool TryPathValue(IDictionary<string, object?> values, string path, out object? value)
    {
        value = null;
        if (path.Length == 0)
        {
            return false;
        }

        var parts = path.Split('.');
        IDictionary<string, object?>? table = values;
        if (parts.Length > 1)
        {
            table = Table(values, string.Join('.', parts[..^1]));
        }

        if (table is null || !table.TryGetValue(parts[^1], out var v) || v is IDictionary<string, object?>)
        {
            return false;
        }

        value = v;
        return true;
    }
}
