using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// What <c>helm template</c> prints for a rendered release: the manifest (trimmed, one newline), then each hook as
/// <c>---\n# Source: PATH\nCONTENT\n</c>; with <c>--show-only</c>, the matching documents in flag order as
/// <c>---\nDOCUMENT\n</c>; with <c>--output-dir</c>, files under DIR/&lt;chart&gt;/templates/.
/// </summary>
public static partial class HelmTemplateOutput
{
    /// <summary>The text <c>helm template</c> writes to stdout.</summary>
    /// <exception cref="HelmException">A --show-only pattern matches no template ("could not find template X in chart").</exception>
    public static string Format(HelmRelease release, bool skipTests = false, IReadOnlyList<string>? showOnly = null)
    {
        ArgumentNullException.ThrowIfNull(release);
        var manifests = new StringBuilder();
        manifests.Append(release.Manifest.Trim()).Append('\n');
        foreach (var hook in release.Hooks)
        {
            if (skipTests && hook.IsTest)
            {
                continue;
            }

            manifests.Append("---\n# Source: ").Append(hook.SourcePath).Append('\n').Append(hook.Content).Append('\n');
        }

        return showOnly is { Count: > 0 } ? ShowOnly(manifests.ToString(), release.HelmVersion, showOnly) : manifests.ToString();
    }

    private static string ShowOnly(string manifests, HelmVersion version, IReadOnlyList<string> showOnly)
    {
        var docs = ManifestSorter.Split(manifests, version);
        var selected = new List<string>();
        foreach (var pattern in showOnly)
        {
            var f = pattern.Replace('\\', '/');
            var missing = true;
            foreach (var doc in docs)
            {
                var m = SourceLine().Match(doc);
                if (!m.Success)
                {
                    continue;
                }

                bool matched;
                try
                {
                    matched = GoGlob.Match(f, m.Groups[1].Value);
                }
                catch (FormatException)
                {
                    matched = false;
                }

                if (!matched)
                {
                    continue;
                }

                selected.Add(doc);
                missing = false;
            }

            if (missing)
            {
                throw new HelmException($"could not find template {f} in chart");
            }
        }

        var sb = new StringBuilder();
        foreach (var doc in selected)
        {
            sb.Append("---\n").Append(doc).Append('\n');
        }

        return sb.ToString();
    }

    [GeneratedRegex("# Source: [^/]+/(.+)")]
    private static partial Regex SourceLine();

    /// <summary>
    /// <c>--output-dir</c>: writes each document to DIR/PATH (appending documents of the same template) and returns
    /// what helm prints: a "wrote FILE" line per write, then an empty line.
    /// </summary>
    public static string WriteToDirectory(HelmRelease release, string outputDir, bool skipTests = false, bool useReleaseName = false)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(outputDir);
        var stdout = new StringBuilder();
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (release.CrdsInManifest)
        {
            foreach (var crd in release.Crds)
            {
                Write(outputDir, crd.SourcePath, crd.Content, written.Contains(crd.SourcePath), stdout);
                written.Add(crd.SourcePath);
            }
        }

        var dir = useReleaseName ? Path.Combine(outputDir, release.Name) : outputDir;
        foreach (var m in release.Manifests)
        {
            Write(dir, m.SourcePath, m.Content, written.Contains(m.SourcePath), stdout);
            written.Add(m.SourcePath);
        }

        foreach (var hook in release.Hooks)
        {
            if (skipTests && hook.IsTest)
            {
                continue;
            }

            // Helm appends a hook to a file that exists already, whoever wrote it.
            var exists = File.Exists(Path.Combine(dir, hook.SourcePath));
            Write(dir, hook.SourcePath, hook.Content, exists, stdout);
        }

        return stdout.Append('\n').ToString();
    }

    private static void Write(string dir, string name, string data, bool append, StringBuilder stdout)
    {
        var file = dir + Path.DirectorySeparatorChar + name;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var text = "---\n# Source: " + name + "\n" + data + "\n";
        if (append)
        {
            File.AppendAllText(file, text);
        }
        else
        {
            File.WriteAllText(file, text);
        }

        stdout.Append("wrote ").Append(file).Append('\n');
    }
}
