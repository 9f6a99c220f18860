using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Render;

/// <summary>
/// Kustomize, used when the app directory holds a kustomization. Runs <c>kustomize build</c> (or <c>kubectl
/// kustomize</c>) with the load restrictor on, a minimal environment, a time limit and an output limit, after checking
/// that no base or component leaves the repository and, unless allowed, that nothing is fetched remotely.
/// </summary>
internal sealed partial class KustomizeRenderer(RenderSettings settings, TimeProvider time, ILogger logger) : IRenderer
{
    // kustomize's own order of preference when more than one is present.
    public static readonly string[] FileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    private const int MaxErrorChars = 4_000;

    public string Name => "kustomize";

    public bool Matches(RenderSource source) => Find(source.Directory) is not null;

    public static string? Find(string directory) =>
        FileNames.Select(name => Path.Join(directory, name)).FirstOrDefault(File.Exists);

    public async Task<RenderOutput> RenderAsync(RenderSource source, CancellationToken cancellationToken)
    {
        var kustomization = source.Tree.Relative(Find(source.Directory)!);
        KustomizeCheck.Run(source.Tree, source.Directory, settings.AllowRemoteBases);

        var (program, args) = Command(source.Directory);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (settings.AllowRemoteBases)
        {
            // Remote bases need git (found on PATH) but never a prompt or the host's git configuration.
            environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            environment["GIT_TERMINAL_PROMPT"] = "0";
            environment["GIT_CONFIG_NOSYSTEM"] = "1";
            environment["HOME"] = Path.GetTempPath();
        }

        // Without remote bases the environment stays empty: no PATH means kustomize cannot even find git.
        KustomizeStarting(logger, program, kustomization);
        var result = await BoundedProcess.RunAsync(
            program, args, source.Directory, environment, settings.KustomizeTimeout, settings.MaxKustomizeOutputBytes, time, cancellationToken).ConfigureAwait(false);

        if (result.TimedOut)
        {
            throw new RenderException($"kustomize build of '{RepoTree.Display(source.AppPath)}' did not finish within {settings.KustomizeTimeout.TotalSeconds:0.#} s.", kustomization);
        }

        if (result.OutputTooLarge)
        {
            throw new RenderException($"kustomize build of '{RepoTree.Display(source.AppPath)}' printed more than {settings.MaxKustomizeOutputBytes} bytes.", kustomization);
        }

        if (result.ExitCode != 0)
        {
            var detail = CleanError(result.Error, source.Tree.Root);
            throw new RenderException($"kustomize build of '{RepoTree.Display(source.AppPath)}' failed: {detail}", kustomization);
        }

        var objects = new List<RenderedObject>();
        ManifestParser.Parse(ManifestParser.Decode(result.Output), kustomization, json: false, objects);
        return new RenderOutput(objects, result.Output.Length);
    }

    /// <summary>
    /// Makes kustomize's error readable: the message out of kubectl's log line (<c>E1122 ... "command failed"
    /// err="..."</c>) or kustomize's "Error: ..." line, with the repository's absolute path removed.
    /// </summary>
    internal static string CleanError(string stderr, string root)
    {
        var text = stderr.Trim();
        var logged = KlogError().Match(text);
        if (logged.Success)
        {
            text = Unquote(logged.Groups["err"].Value);
        }
        else
        {
            var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
            var error = lines.FindIndex(l => l.StartsWith("Error: ", StringComparison.Ordinal));
            if (error >= 0)
            {
                text = lines[error]["Error: ".Length..];
            }
        }

        text = text.Replace(root + "/", "", StringComparison.Ordinal).Replace(root, ".", StringComparison.Ordinal);
        if (text.Length == 0)
        {
            text = "no error message";
        }

        return text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
    }

    private (string Program, string[] Args) Command(string directory)
    {
        const string Restrictor = "--load-restrictor=LoadRestrictionsRootOnly";
        if (settings.Kustomize is { } configured)
        {
            var found = Executables.Find(configured)
                ?? throw new RenderException($"The configured kustomize binary '{configured}' was not found.");
            return (found, ["build", directory, Restrictor]);
        }

        if (Executables.Find("kustomize") is { } kustomize)
        {
            return (kustomize, ["build", directory, Restrictor]);
        }

        var kubectl = Executables.Find(settings.Kubectl)
            ?? throw new RenderException(
                $"Rendering Kustomize needs 'kustomize' or '{settings.Kubectl}' on PATH; neither was found. Install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl.");
        return (kubectl, ["kustomize", directory, Restrictor]);
    }

    private static string Unquote(string goQuoted)
    {
        var text = new StringBuilder(goQuoted.Length);
        for (var i = 0; i < goQuoted.Length; i++)
        {
            var c = goQuoted[i];
            if (c == '\\' && i + 1 < goQuoted.Length)
            {
                c = goQuoted[++i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    var other => other,
                };
            }

            text.Append(c);
        }

        return text.ToString();
    }

    [GeneratedRegex("""err="(?<err>(?:[^"\\]|\\.)*)"$""", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex KlogError();
}
