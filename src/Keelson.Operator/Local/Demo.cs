using System.Diagnostics;
using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Local;

/// <summary>
/// The <c>--demo</c> of local mode: a scratch Git repository seeded from <c>examples/</c> (embedded in the binary) and
/// two Applications on it, one of plain manifests and one of a Kustomize overlay.
/// </summary>
internal static class Demo
{
    public const string Namespace = "keelson";

    /// <summary>Creates the repository at <paramref name="repoPath"/> unless it is already a Git repository (a previous run's, maybe edited).</summary>
    public static async Task<bool> SeedRepoAsync(string repoPath, CancellationToken cancellationToken)
    {
        if (Directory.Exists(Path.Combine(repoPath, ".git")))
        {
            return false;
        }

        Directory.CreateDirectory(repoPath);
        var assembly = typeof(Demo).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("examples/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(repoPath, name["examples/".Length..].Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var input = assembly.GetManifestResourceStream(name)!;
            await using var output = File.Create(target);
            await input.CopyToAsync(output, cancellationToken);
        }

        await GitAsync(repoPath, cancellationToken, "init", "-q", "-b", "main");
        // The commit and revert the demo suggests would stop at "Please tell me who you are" where git was never set
        // up: the scratch repository gets an identity of its own, the user's if git has one.
        var (nameSet, userName) = await GitAsync(repoPath, cancellationToken, "config", "user.name");
        var (emailSet, email) = await GitAsync(repoPath, cancellationToken, "config", "user.email");
        await GitAsync(repoPath, cancellationToken, "config", "user.name", nameSet ? userName : "Keelson Demo");
        await GitAsync(repoPath, cancellationToken, "config", "user.email", emailSet ? email : "demo@keelson.dev");
        await GitAsync(repoPath, cancellationToken, "add", "-A");
        await GitAsync(repoPath, cancellationToken, "commit", "-q", "-m", "Seed the demo from examples/");
        return true;
    }

    /// <summary>The demo Applications: plain manifests with prune and self-heal, and the Kustomize overlay.</summary>
    public static IReadOnlyList<JsonObject> Applications(string repoUrl) =>
    [
        Application("guestbook", repoUrl, "guestbook", "guestbook"),
        Application("guestbook-prod", repoUrl, "kustomize-guestbook/overlays/production", "guestbook-prod"),
    ];

    public static async Task CreateApplicationsAsync(KubeClient client, string repoUrl, CancellationToken cancellationToken)
    {
        foreach (var app in Applications(repoUrl))
        {
            await client.ApplyAsync(ApplicationNames.Resource, app, new ApplyOptions { FieldManager = "keelson-demo", Force = true }, cancellationToken);
        }
    }

    private static JsonObject Application(string name, string repoUrl, string path, string destination) => new()
    {
        ["apiVersion"] = $"{ApplicationNames.Group}/{ApplicationNames.Version}",
        ["kind"] = ApplicationNames.Kind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["repoURL"] = repoUrl, ["targetRevision"] = "main", ["path"] = path },
            ["destination"] = new JsonObject { ["namespace"] = destination },
            ["syncPolicy"] = new JsonObject
            {
                ["automated"] = new JsonObject { ["prune"] = true, ["selfHeal"] = true },
                ["syncOptions"] = new JsonArray("CreateNamespace=true"),
            },
        },
    };

    /// <summary>Runs git; a failure throws with its stderr, except <c>git config KEY</c>, whose exit code says whether the key is set.</summary>
    private static async Task<(bool Ok, string Output)> GitAsync(string dir, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start git");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 && !(args is ["config", _] && process.ExitCode == 1))
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {dir}: {(await stderr).Trim()}");
        }

        return (process.ExitCode == 0, stdout.Trim());
    }
}
