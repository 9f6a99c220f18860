namespace Keelson.Engine.Render.Helm;

/// <summary>A file of a chart, named by its path from the chart root with '/' separators.</summary>
internal sealed record ChartFile(string Name, byte[] Data);

/// <summary>
/// A loaded chart (Helm's chart.Chart): metadata, templates, other files, default values, schema and subcharts.
/// Dependency processing changes a chart (disabled subcharts are removed, aliased ones renamed, imported values
/// merged), so renders work on <see cref="Clone"/>s of a loaded chart.
/// </summary>
internal sealed class Chart
{
    private readonly List<Chart> _dependencies = [];

    public Chart(ChartMetadata metadata)
    {
        Metadata = metadata;
    }

    public ChartMetadata Metadata { get; set; }

    public List<ChartFile> Templates { get; init; } = [];

    /// <summary>Everything that is not Chart.yaml, values.yaml, the schema, a template or a subchart.</summary>
    public List<ChartFile> Files { get; init; } = [];

    /// <summary>The chart's default values (values.yaml), as Go's encoding/json reads them.</summary>
    public Dictionary<string, object?> Values { get; set; } = new(StringComparer.Ordinal);

    public byte[]? Schema { get; set; }

    /// <summary>Chart.lock (or requirements.lock), when the chart has one.</summary>
    public ChartLock? Lock { get; init; }

    public Chart? Parent { get; private set; }

    public IReadOnlyList<Chart> Dependencies => _dependencies;

    public string Name => Metadata.Name;

    public bool IsRoot => Parent is null;

    /// <summary>"parent/charts/child": the prefix of template names and of <c># Source:</c> paths.</summary>
    public string FullPath => Parent is null ? Name : Parent.FullPath + "/charts/" + Name;

    public void AddDependency(Chart child)
    {
        child.Parent = this;
        _dependencies.Add(child);
    }

    public void SetDependencies(IEnumerable<Chart> children)
    {
        var list = children.ToList();
        _dependencies.Clear();
        foreach (var c in list)
        {
            AddDependency(c);
        }
    }

    /// <summary>A copy whose metadata, values and dependency tree can be changed; file contents are shared.</summary>
    public Chart Clone()
    {
        var copy = new Chart(Metadata.Copy())
        {
            Templates = Templates,
            Files = Files,
            Values = ValueTree.DeepCopyMap(Values),
            Schema = Schema,
        };
        foreach (var d in _dependencies)
        {
            copy.AddDependency(d.Clone());
        }

        return copy;
    }

    /// <summary>A shallow copy for an aliased dependency: own metadata and children list, shared content.</summary>
    public Chart CopyForAlias()
    {
        var copy = new Chart(Metadata.Copy())
        {
            Templates = Templates,
            Files = Files,
            Values = Values,
            Schema = Schema,
        };
        foreach (var d in _dependencies)
        {
            copy.AddDependency(d.ShallowCopy());
        }

        return copy;
    }

    private Chart ShallowCopy()
    {
        var copy = new Chart(Metadata)
        {
            Templates = Templates,
            Files = Files,
            Values = Values,
            Schema = Schema,
        };
        foreach (var d in _dependencies)
        {
            copy._dependencies.Add(d);
        }

        return copy;
    }

    /// <summary>Helm's CRDObjects: files under crds/ with a manifest extension, this chart's first, then its subcharts'.</summary>
    public IEnumerable<(string FileName, ChartFile File)> CrdObjects()
    {
        foreach (var f in Files)
        {
            if (f.Name.StartsWith("crds/", StringComparison.Ordinal) && HasManifestExtension(f.Name))
            {
                yield return (FullPath + "/" + f.Name, f);
            }
        }

        foreach (var d in _dependencies)
        {
            foreach (var crd in d.CrdObjects())
            {
                yield return crd;
            }
        }
    }

    private static bool HasManifestExtension(string name)
    {
        var ext = Path.GetExtension(name);
        return ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".json", StringComparison.OrdinalIgnoreCase);
    }
}
