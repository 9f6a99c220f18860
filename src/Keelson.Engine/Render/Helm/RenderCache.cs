using System.Security.Cryptography;
using System.Text;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>How much a <see cref="HelmRenderer"/> keeps between renders.</summary>
internal sealed record RenderCacheLimits
{
    /// <summary>Total size of the files of the loaded charts kept (a chart is read again on every render; only its parsing is saved).</summary>
    public long MaxChartBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Total size of the template text behind the parsed template sets kept.</summary>
    public long MaxTemplateBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Total size of the rendered documents whose heads (apiVersion, kind, name, annotations) are kept.</summary>
    public long MaxManifestBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Most charts and most template sets kept, whatever their size.</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>Most document heads kept.</summary>
    public int MaxManifests { get; init; } = 65_536;
}

/// <summary>
/// What a renderer keeps from one render to the next, keyed by content so a changed chart is never served stale:
/// loaded charts by a hash of every file's path and bytes (vendored archives included), parsed template sets by a
/// hash of every template's name and text, document heads by the document's text. All are bounded and evict the
/// least recently used entries.
/// </summary>
internal sealed class RenderCache(RenderCacheLimits limits)
{
    private readonly LruCache<Chart> _charts = new(limits.MaxChartBytes, limits.MaxEntries);
    private readonly LruCache<TemplateSet> _templates = new(limits.MaxTemplateBytes, limits.MaxEntries);
    private readonly LruCache<ManifestHead> _heads = new(limits.MaxManifestBytes, limits.MaxManifests);

    public int ChartCount => _charts.Count;

    public int TemplateSetCount => _templates.Count;

    /// <summary>
    /// A private copy of the chart made of <paramref name="files"/>, loading it only when no chart with the same
    /// files was loaded before. The cached chart itself is never handed out: renders change the charts they get.
    /// </summary>
    public Chart LoadChart(IReadOnlyList<ChartFile> files, string origin, Func<Chart> load)
    {
        var key = new ContentKey();
        key.Add(origin);
        long bytes = 0;
        foreach (var f in files)
        {
            key.Add(f.Name);
            key.Add(f.Data);
            bytes += f.Data.Length;
        }

        var hash = key.Finish();
        if (!_charts.TryGet(hash, out var chart))
        {
            chart = load();
            _charts.Add(hash, chart, bytes);
        }

        return chart.Clone();
    }

    /// <summary>
    /// The template set holding <paramref name="templates"/> parsed in the given order, parsed now when no set of
    /// the same names and texts is kept. Parsed sets are immutable and safe to execute from many threads.
    /// </summary>
    public TemplateSet Templates(HelmVersion version, IReadOnlyList<(string Name, byte[] Text)> templates, Func<TemplateSet> parse)
    {
        var key = new ContentKey();
        key.Add(version.ToString());
        long bytes = 0;
        foreach (var (name, text) in templates)
        {
            key.Add(name);
            key.Add(text);
            bytes += text.Length;
        }

        var hash = key.Finish();
        if (!_templates.TryGet(hash, out var set))
        {
            set = parse();
            _templates.Add(hash, set, bytes);
        }

        return set;
    }

    /// <summary>
    /// The head of a rendered document, read only when the same text was not read before: from one render to the
    /// next most documents come out unchanged, and reading YAML costs more than rendering it. Failures are not kept.
    /// </summary>
    public ManifestHead Head(string manifest, Func<string, ManifestHead> read)
    {
        if (!_heads.TryGet(manifest, out var head))
        {
            head = read(manifest);
            _heads.Add(manifest, head, 2L * manifest.Length);
        }

        return head;
    }

    /// <summary>A SHA-256 over length-prefixed fields, so no two different field lists give the same bytes.</summary>
    private sealed class ContentKey
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _length = new byte[8];

        public void Add(string text) => Add(Encoding.UTF8.GetBytes(text));

        public void Add(byte[] data)
        {
            BitConverter.TryWriteBytes(_length, (long)data.Length);
            _hash.AppendData(_length);
            _hash.AppendData(data);
        }

        public string Finish()
        {
            using (_hash)
            {
                return Convert.ToHexString(_hash.GetHashAndReset());
            }
        }
    }
}
