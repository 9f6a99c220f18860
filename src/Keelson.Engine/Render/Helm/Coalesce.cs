using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helm's value coalescing (chartutil.CoalesceValues / MergeValues): user values over chart defaults, maps merged,
/// scalars and lists replaced, subcharts scoped under their name, <c>global</c> copied down, and a null from a
/// higher source deleting the key. <see cref="HelmVersion.V4"/> follows Helm 4.2, which no longer copies nulls
/// from chart defaults into the result (so a parent's values.yaml null does not delete a subchart default).
/// </summary>
internal sealed class Coalesce(HelmVersion version, List<string> warnings)
{
    public const string GlobalKey = "global";

    private readonly bool _dropDefaultNils = version == HelmVersion.V4;

    /// <summary>CoalesceValues: nulls delete keys.</summary>
    public Dictionary<string, object?> CoalesceValues(Chart chart, IDictionary<string, object?>? values) =>
        Run(chart, values, merge: false);

    /// <summary>MergeValues: like CoalesceValues but nulls are kept, for a later coalescing to act on.</summary>
    public Dictionary<string, object?> MergeValues(Chart chart, IDictionary<string, object?>? values) =>
        Run(chart, values, merge: true);

    private Dictionary<string, object?> Run(Chart chart, IDictionary<string, object?>? values, bool merge)
    {
        var copy = values is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : ValueTree.DeepCopyMap(values);
        Coalesce1(chart, copy, "", merge);
        return copy;
    }

    private void Coalesce1(Chart chart, Dictionary<string, object?> dest, string prefix, bool merge)
    {
        CoalesceChartValues(chart, dest, prefix, merge);
        CoalesceDeps(chart, dest, prefix, merge);
    }

    private void CoalesceDeps(Chart chart, Dictionary<string, object?> dest, string prefix, bool merge)
    {
        foreach (var sub in chart.Dependencies)
        {
            if (!dest.TryGetValue(sub.Name, out var existing))
            {
                dest[sub.Name] = new Dictionary<string, object?>(StringComparer.Ordinal);
            }
            else if (!ValueTree.IsTable(existing))
            {
                throw new HelmException($"type mismatch on {sub.Name}: %!t({GoValues.TypeName(existing)}={GoFmt.Format(existing)})");
            }

            var dvmap = (Dictionary<string, object?>)dest[sub.Name]!;
            var subPrefix = Concat(prefix, chart.Name);
            CoalesceGlobals(dvmap, dest, subPrefix);
            Coalesce1(sub, dvmap, subPrefix, merge);
            dest[sub.Name] = dvmap;
        }
    }

    /// <summary>Copies the globals of <paramref name="src"/> into <paramref name="dest"/>'s, the source winning.</summary>
    private void CoalesceGlobals(Dictionary<string, object?> dest, Dictionary<string, object?> src, string prefix)
    {
        Dictionary<string, object?> dg;
        if (!dest.TryGetValue(GlobalKey, out var destGlobal))
        {
            dg = new Dictionary<string, object?>(StringComparer.Ordinal);
        }
        else if (ValueTree.AsTable(destGlobal) is { } d)
        {
            dg = d;
        }
        else
        {
            warnings.Add($"warning: skipping globals because destination {GlobalKey} is not a table.");
            return;
        }

        Dictionary<string, object?> sg;
        if (!src.TryGetValue(GlobalKey, out var srcGlobal))
        {
            sg = new Dictionary<string, object?>(StringComparer.Ordinal);
        }
        else if (ValueTree.AsTable(srcGlobal) is { } s)
        {
            sg = s;
        }
        else
        {
            warnings.Add($"warning: skipping globals because source {GlobalKey} is not a table.");
            return;
        }

        foreach (var (key, val) in sg)
        {
            if (ValueTree.AsTable(val) is { } table)
            {
                var vv = new Dictionary<string, object?>(table, StringComparer.Ordinal);
                if (!dg.TryGetValue(key, out var destv))
                {
                    dg[key] = vv;
                }
                else if (ValueTree.AsTable(destv) is { } destvmap)
                {
                    // Reversed on purpose: the parent's globals win over the subchart's.
                    CoalesceTables(vv, destvmap, Concat(prefix, key), merge: true);
                    dg[key] = vv;
                }
                else
                {
                    warnings.Add($"Conflict: cannot merge map onto non-map for \"{key}\". Skipping.");
                }
            }
            else if (dg.TryGetValue(key, out var dv) && ValueTree.IsTable(dv))
            {
                warnings.Add($"key {key} is table. Skipping");
            }
            else
            {
                dg[key] = val;
            }
        }

        dest[GlobalKey] = dg;
    }

    /// <summary>Merges a chart's default values into <paramref name="v"/>, whose values win.</summary>
    private void CoalesceChartValues(Chart chart, Dictionary<string, object?> v, string prefix, bool merge)
    {
        var subPrefix = Concat(prefix, chart.Name);
        var defaults = ValueTree.DeepCopyMap(chart.Values);
        foreach (var (key, val) in defaults)
        {
            if (v.TryGetValue(key, out var value))
            {
                if (value is null && !merge)
                {
                    // A null from a higher source removes the key (Helm's documented way to delete a default).
                    v.Remove(key);
                }
                else if (ValueTree.AsTable(value) is { } dest)
                {
                    if (ValueTree.AsTable(val) is not { } src)
                    {
                        if (val is not null)
                        {
                            warnings.Add($"warning: skipped value for {subPrefix}.{key}: Not a table.");
                        }
                    }
                    else
                    {
                        var childMerge = merge || chart.Dependencies.Any(d => d.Name == key);
                        if (_dropDefaultNils && !childMerge)
                        {
                            CleanNils(src);
                        }

                        CoalesceTables(dest, src, Concat(subPrefix, key), childMerge);
                    }
                }
            }
            else
            {
                if (_dropDefaultNils && !merge)
                {
                    if (val is null)
                    {
                        continue;
                    }

                    if (ValueTree.AsTable(val) is { } sub)
                    {
                        CleanNils(sub);
                    }
                }

                v[key] = val;
            }
        }
    }

    /// <summary>coalesceTablesFullKey: merges <paramref name="src"/> into <paramref name="dst"/>, which wins.</summary>
    public Dictionary<string, object?> CoalesceTables(Dictionary<string, object?> dst, Dictionary<string, object?>? src, string prefix, bool merge)
    {
        if (src is null)
        {
            return dst;
        }

        var srcNonNil = new HashSet<string>(src.Where(kv => kv.Value is not null).Select(kv => kv.Key), StringComparer.Ordinal);
        foreach (var (key, val) in dst)
        {
            if (val is null)
            {
                src[key] = null;
            }
        }

        foreach (var (key, val) in src)
        {
            var fullKey = Concat(prefix, key);
            var present = dst.TryGetValue(key, out var dv);
            if (present && !merge && dv is null && srcNonNil.Contains(key))
            {
                // The higher source nulls out a default: remove it.
                dst.Remove(key);
            }
            else if (!present)
            {
                dst[key] = val;
            }
            else if (ValueTree.AsTable(val) is { } valTable)
            {
                if (ValueTree.AsTable(dv) is { } dvTable)
                {
                    CoalesceTables(dvTable, valTable, fullKey, merge);
                }
                else
                {
                    warnings.Add($"warning: cannot overwrite table with non table for {fullKey} ({GoFmt.Format(val)})");
                }
            }
            else if (ValueTree.IsTable(dv) && val is not null)
            {
                warnings.Add($"warning: destination for {fullKey} is a table. Ignoring non-table value ({GoFmt.Format(val)})");
            }
        }

        return dst;
    }

    private static void CleanNils(Dictionary<string, object?> map)
    {
        foreach (var key in map.Keys.ToList())
        {
            var val = map[key];
            if (val is null)
            {
                map.Remove(key);
            }
            else if (ValueTree.AsTable(val) is { } sub)
            {
                CleanNils(sub);
            }
        }
    }

    private static string Concat(string a, string b) => a.Length == 0 ? b : a + "." + b;
}
