using System.CommandLine;
using System.Text;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Operator.Cli;

/// <summary>
/// <c>keelson render</c>: prints what <c>helm template</c> prints for a chart directory or .tgz; for a plain or
/// Kustomize directory, the objects Keelson would apply; with <c>--template FILE</c>, the raw output of one template
/// rendered with Helm's functions and values.
/// </summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path") { Description = "Chart directory or packaged chart (.tgz), or a plain or Kustomize directory", Arity = ArgumentArity.ZeroOrOne };
        var releaseName = new Option<string>("--release-name") { Description = "Release name (.Release.Name)", DefaultValueFactory = _ => "release-name" };
        var ns = new Option<string>("--namespace", "-n") { Description = "Release namespace (.Release.Namespace)", DefaultValueFactory = _ => "default" };
        var values = Many("--values", "Values file (repeatable; later files win)", "-f");
        var set = Many("--set", "Set values: key=value,key2=value2 (repeatable)");
        var setString = Many("--set-string", "Set string values (repeatable)");
        var setFile = Many("--set-file", "Set values from files: key=path (repeatable)");
        var kubeVersion = new Option<string?>("--kube-version") { Description = "Kubernetes version for .Capabilities.KubeVersion" };
        var apiVersions = Many("--api-versions", "Extra API versions for .Capabilities.APIVersions (repeatable)", "-a");
        var includeCrds = new Option<bool>("--include-crds") { Description = "Print the files of crds/ first" };
        var skipTests = new Option<bool>("--skip-tests") { Description = "Leave out test hooks" };
        var showOnly = Many("--show-only", "Only print documents from these templates (globs, repeatable)", "-s");
        var nameTemplate = new Option<string?>("--name-template") { Description = "Template for the release name" };
        var outputDir = new Option<string?>("--output-dir") { Description = "Write files into this directory instead of printing" };
        var helmVersion = new Option<int>("--helm-version") { Description = "Reproduce Helm 3 or Helm 4 output", DefaultValueFactory = _ => 3 };
        helmVersion.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is not (3 or 4))
            {
                r.AddError("--helm-version must be 3 or 4");
            }
        });
        var template = new Option<string?>("--template") { Description = "Render this single template file and print its raw output" };

        var command = new Command("render", "Render a Helm chart as `helm template` prints it, or a directory as Keelson would apply it")
        {
            path, releaseName, ns, values, set, setString, setFile, kubeVersion, apiVersions, includeCrds, skipTests,
            showOnly, nameTemplate, outputDir, helmVersion, template,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var options = new HelmRenderOptions
                {
                    ReleaseName = parse.GetValue(releaseName)!,
                    NameTemplate = parse.GetValue(nameTemplate),
                    Namespace = parse.GetValue(ns)!,
                    HelmVersion = parse.GetValue(helmVersion) == 4 ? HelmVersion.V4 : HelmVersion.V3,
                    ValuesFiles = (parse.GetValue(values) ?? []).Select(f => new HelmValuesFile(f, ReadText(f, "values file"))).ToList(),
                    Set = parse.GetValue(set) ?? [],
                    SetString = parse.GetValue(setString) ?? [],
                    SetFile = parse.GetValue(setFile) ?? [],
                    ReadFile = f => ReadText(f, "file"),
                    KubeVersion = parse.GetValue(kubeVersion),
                    ApiVersions = parse.GetValue(apiVersions) ?? [],
                    IncludeCrds = parse.GetValue(includeCrds),
                };
                var renderer = new HelmRenderer();

                if (parse.GetValue(template) is { } templateFile)
                {
                    var text = ReadText(templateFile, "template");
                    var output = await renderer.RenderTemplateAsync(Path.GetFileName(templateFile), text, null, options, cancellationToken);
                    await stdout.WriteAsync(output);
                    return 0;
                }

                var target = parse.GetValue(path);
                if (string.IsNullOrEmpty(target))
                {
                    await stderr.WriteLineAsync("Error: give a chart or directory to render, or --template FILE");
                    return 1;
                }

                if (Directory.Exists(target) && !HelmRenderer.IsChart(target))
                {
                    await stdout.WriteAsync(await RenderDirectoryAsync(target, cancellationToken));
                    return 0;
                }

                var release = await renderer.RenderAsync(target, options, cancellationToken);
                foreach (var warning in release.Warnings)
                {
                    await stderr.WriteLineAsync(warning);
                }

                var shown = parse.GetValue(showOnly) ?? [];
                if (parse.GetValue(outputDir) is { } dir)
                {
                    var wrote = HelmTemplateOutput.WriteToDirectory(release, dir, parse.GetValue(skipTests));
                    if (shown.Length == 0)
                    {
                        await stdout.WriteAsync(wrote);
                        return 0;
                    }

                    // helm template (3 and 4) writes every file, then looks for the --show-only templates in what it
                    // would print, which --output-dir leaves empty: it fails on the first pattern, after the files.
                    await stdout.WriteAsync(wrote[..^1]);
                    await stderr.WriteLineAsync($"Error: could not find template {shown[0].Replace('\\', '/')} in chart");
                    return 1;
                }

                await stdout.WriteAsync(HelmTemplateOutput.Format(release, parse.GetValue(skipTests), shown));
                return 0;
            }
            catch (Exception e) when (e is HelmException or RenderException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync("Error: " + e.Message);
                return 1;
            }
        });

        return command;
    }

    /// <summary>
    /// A plain or Kustomize directory, rendered by the same pipeline the controller uses. The repository is the
    /// enclosing git work tree (so a kustomization may reach ../base), or the directory itself outside one.
    /// </summary>
    private static async Task<string> RenderDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        var root = full;
        for (var dir = new DirectoryInfo(full); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                root = dir.FullName;
                break;
            }
        }

        var request = new RenderRequest { RepoRoot = root, Path = Path.GetRelativePath(root, full) };
        var result = await new ManifestRenderer().RenderAsync(request, cancellationToken);
        var sb = new StringBuilder();
        foreach (var o in result.Objects)
        {
            sb.Append("---\n# Source: ").Append(o.SourceFile).Append('\n').Append(KubeYaml.ToYaml(o.Object));
        }

        return sb.ToString();
    }

    private static Option<string[]> Many(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };

    private static string ReadText(string file, string what)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HelmException($"open {file}: no such file or directory ({what})");
        }
    }
}
