using Keelson.Templating;
using Keelson.Templating.Semver;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helm's dependency processing before a render (chartutil.ProcessDependencies): aliases, <c>condition</c> and
/// <c>tags</c> decide which subcharts stay, then <c>import-values</c> copies child values into the parent's defaults
/// (below the parent's own values).
/// </summary>
internal sealed class Dependencies(Coalesce coalesce, List<string> warnings)
{
    /// <summary>Helm's chartutil.IsCompatibleRange: false when either side does not parse (semver.NewVersion, NewConstraint).</summary>
    public static bool IsCompatibleRange(string constraint, string version) =>
        SemverVersion.TryParse(version, out var v) && SemverConstraint.TryParse(constraint, out var c) && c.IsSatisfiedBy(v);

    public void Process(Chart chart, IDictionary<string, object?> values)
    {
        ProcessEnabled(chart, values, "");
        ProcessImportValues(chart);
    }

    private void ProcessEnabled(Chart chart, IDictionary<string, object?> values, string path)
    {
        var md = chart.Metadata;
        if (md.Dependencies is null)
        {
            return;
        }

        var reqs = md.Dependencies.Where(r => r is not null).Cast<ChartDependency>().ToList();
        var kept = new List<Chart>();

        // Subcharts not declared in Chart.yaml are kept as they are.
        foreach (var existing in chart.Dependencies)
        {
            if (!reqs.Any(r => existing.Name == r.Name && IsCompatibleRange(r.Version, existing.Metadata.Version)))
            {
                kept.Add(existing);
            }
        }

        foreach (var req in reqs)
        {
            if (AliasDependency(chart.Dependencies, req) is { } dep)
            {
                kept.Add(dep);
            }

            if (req.Alias.Length > 0)
            {
                req.Name = req.Alias;
            }
        }

        chart.SetDependencies(kept);
        foreach (var r in reqs)
        {
            r.Enabled = true;
        }

        var cvals = coalesce.CoalesceValues(chart, values);
        ProcessTags(reqs, cvals);
        ProcessConditions(reqs, cvals, path);

        var removed = new HashSet<string>(reqs.Where(r => !r.Enabled).Select(r => r.Name), StringComparer.Ordinal);
        var enabled = chart.Dependencies.Where(c => !removed.Contains(c.Metadata.Name)).ToList();
        var enabledMeta = md.Dependencies.Where(r => r is null || !removed.Contains(r.Name)).ToList();
        foreach (var t in enabled)
        {
            ProcessEnabled(t, cvals, path + t.Metadata.Name + ".");
        }

        md.Dependencies = enabledMeta;
        chart.SetDependencies(enabled);
    }

    private static Chart? AliasDependency(IReadOnlyList<Chart> charts, ChartDependency dep)
    {
        foreach (var c in charts)
        {
            if (c.Name != dep.Name || !IsCompatibleRange(dep.Version, c.Metadata.Version))
            {
                continue;
            }

            var copy = c.CopyForAlias();
            if (dep.Alias.Length > 0)
            {
                copy.Metadata.Name = dep.Alias;
            }

            return copy;
        }

        return null;
    }

    private void ProcessTags(List<ChartDependency> reqs, Dictionary<string, object?> cvals)
    {
        if (ValueTree.Table(cvals, "tags") is not { } tags)
        {
            return;
        }

        foreach (var r in reqs)
        {
            bool hasTrue = false, hasFalse = false;
            foreach (var k in r.Tags ?? [])
            {
                if (!tags.TryGetValue(k, out var b))
                {
                    continue;
                }

                if (b is bool bv)
                {
                    if (bv)
                    {
                        hasTrue = true;
                    }
                    else
                    {
                        hasFalse = true;
                    }
                }
                else
                {
                    warnings.Add($"Warning: Tag '{k}' for chart {r.Name} returned non-bool value");
                }
            }

            if (!hasTrue && hasFalse)
            {
                r.Enabled = false;
            }
            else if (hasTrue || !hasFalse)
            {
                r.Enabled = true;
            }
        }
    }

    private void ProcessConditions(List<ChartDependency> reqs, Dictionary<string, object?> cvals, string path)
    {
        foreach (var r in reqs)
        {
            foreach (var c in r.Condition.Trim().Split(','))
            {
                if (c.Length == 0)
                {
                    continue;
                }

                if (ValueTree.TryPathValue(cvals, path + c, out var vv))
                {
                    if (vv is bool bv)
                    {
                        r.Enabled = bv;
                        break;
                    }

                    warnings.Add($"Warning: Condition path '{c}' for chart {r.Name} returned non-bool value");
                }
            }
        }
    }

    private void ProcessImportValues(Chart chart)
    {
        foreach (var d in chart.Dependencies)
        {
            ProcessImportValues(d);
        }

        ImportValues(chart);
    }

    private void ImportValues(Chart chart)
    {
        var md = chart.Metadata;
        if (md.Dependencies is null)
        {
            return;
        }

        var cvals = coalesce.MergeValues(chart, null);
        var imported = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var r in md.Dependencies)
        {
            if (r?.ImportValues is null)
            {
                continue;
            }

            var processed = new List<object?>();
            foreach (var riv in r.ImportValues)
            {
                string child, parent;
                switch (riv)
                {
                    case IDictionary<string, object?> iv:
                        child = GoFmt.Format(iv.TryGetValue("child", out var c) ? c : null);
                        parent = GoFmt.Format(iv.TryGetValue("parent", out var p) ? p : null);
                        break;
                    case IDictionary<string, string> ivs:
                        child = ivs.TryGetValue("child", out var cs) ? cs : "<nil>";
                        parent = ivs.TryGetValue("parent", out var ps) ? ps : "<nil>";
                        break;
                    case string s:
                        child = "exports." + s;
                        parent = ".";
                        break;
                    default:
                        continue;
                }

                processed.Add(new Dictionary<string, string>(StringComparer.Ordinal) { ["child"] = child, ["parent"] = parent });
                if (ValueTree.Table(cvals, r.Name + "." + child) is not { } vv)
                {
                    warnings.Add($"Warning: ImportValues missing table from chart {r.Name}: no table named \"{r.Name}.{child}\"");
                    continue;
                }

                var table = ValueTree.DeepCopyMap(vv);
                coalesce.CoalesceTables(imported, parent == "." ? table : PathToMap(parent, table), "", merge: true);
            }

            r.ImportValues = processed;
        }

        // Imported values rank below the parent's own values, so they are merged under them.
        chart.Values = coalesce.CoalesceTables(ValueTree.DeepCopyMap(cvals), imported, "", merge: true);
    }

    private static Dictionary<string, object?> PathToMap(string path, Dictionary<string, object?> data)
    {
        var parts = path.Split('.');
        var cur = data;
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            cur = new Dictionary<string, object?>(StringComparer.Ordinal) { [parts[i]] = cur };
        }

        return cur;
    }
}
