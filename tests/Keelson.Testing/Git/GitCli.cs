using System.Diagnostics;
using System.Globalization;

namespace Keelson.Testing.Git;

/// <summary>
/// Runs git for test set-up (building repositories), isolated from the machine's and the user's git configuration
/// so tests behave the same everywhere.
/// </summary>
public static class GitCli
{
    public const string InstallHint = "apt-get install git";

    private static readonly Lazy<string> LazyGit = new(() => Tools.Require("git", InstallHint));
    private static readonly Lazy<string> LazyExecPath = new(() => RunSync(Git, ["--exec-path"]).Trim());

    public static string Git => LazyGit.Value;

    /// <summary>git's helper directory (git-daemon, git-http-backend live there).</summary>
    public static string ExecPath => LazyExecPath.Value;

    /// <summary>A program from git's helper directory, or a clear failure naming the package to install.</summary>
    public static string Helper(string name, string package)
    {
        var path = Path.Combine(ExecPath, name);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"'{path}' is needed by this test but is missing. Install it: apt-get install {package}.");
    }

    public static async Task<string> RunAsync(string workingDirectory, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var start = StartInfo(Git, args, workingDirectory, environment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {workingDirectory} (exit code {process.ExitCode}): {await error}");
        }

        return await output;
    }

    /// <summary>The environment every test-side git command gets: no user or system configuration.</summary>
    public static void Isolate(ProcessStartInfo start)
    {
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";
    }

    private static ProcessStartInfo StartInfo(string program, IReadOnlyList<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Isolate(start);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static string RunSync(string program, IReadOnlyList<string> args)
    {
        // Only used once, lazily, for `git --exec-path`.
        using var process = Process.Start(StartInfo(program, args, null, null)) ?? throw new InvalidOperationException("git did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed with exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}");
    }
}
