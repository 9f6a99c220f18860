using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.Testing;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// The Go reference (tools/gotemplate-ref): Go's text/template with Sprig's text functions, built from Debian's
/// packages in GOPATH mode. The binary is cached in the temp folder under a hash of its sources, so a run builds it at
/// most once and parallel runs share it.
/// </summary>
internal sealed class GoOracle
{
    public const string InstallHint =
        "apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev";

    private const string GoPath = "/usr/share/gocode";

    private static readonly string[] RequiredSources =
    [
        "github.com/Masterminds/sprig/functions.go",
        "gopkg.in/yaml.v3/yaml.go",
    ];

    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(5);

    private GoOracle(string binary) => Binary = binary;

    public string Binary { get; }

    public static string SourceFolder => RepoPaths.InRepo("tools", "gotemplate-ref");

    /// <summary>Finds Go and the Debian Go packages (failing with what to install) and builds the oracle if needed.</summary>
    public static async Task<GoOracle> BuildAsync(CancellationToken cancellationToken)
    {
        var go = Tools.Require("go", InstallHint);
        foreach (var source in RequiredSources)
        {
            Tools.Require(Path.Combine(GoPath, "src", source), InstallHint);
        }

        var sources = Directory.GetFiles(SourceFolder, "*.go").Order(StringComparer.Ordinal).ToList();
        var root = Path.Combine(Path.GetTempPath(), "keelson-gotemplate-ref");
        var binary = Path.Combine(root, Hash(sources), "gotemplate-ref");
        if (File.Exists(binary))
        {
            return new GoOracle(binary);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        // Build beside the final name and rename: a concurrent run sees either no binary or a complete one.
        var partial = $"{binary}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        var start = new ProcessStartInfo(go)
        {
            WorkingDirectory = SourceFolder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "build", "-o", partial, "." })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = GoPath;
        start.Environment["GOFLAGS"] = "";
        start.Environment["GOCACHE"] = Path.Combine(root, "gocache");
        var (exit, _, stderr) = await RunAsync(start, stdin: null, BuildLimit, cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"Building the Go oracle in {SourceFolder} failed (exit {exit}):\n{stderr}\nIs everything installed? {InstallHint}");
        }

        File.Move(partial, binary, overwrite: true);
        return new GoOracle(binary);
    }

    /// <summary>Compiles a corpus YAML file into its golden JSON, exactly as regen-goldens.sh writes it.</summary>
    public async Task<string> CompileCorpusAsync(string yamlPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        // -quick: the seconds-long RSA-4096 shape checks run in regen-goldens.sh only; the golden text is the same.
        start.ArgumentList.Add("-quick");
        start.ArgumentList.Add("-corpus");
        start.ArgumentList.Add(yamlPath);
        var (exit, stdout, stderr) = await RunAsync(start, stdin: null, TimeSpan.FromMinutes(2), cancellationToken);
        return exit == 0
            ? stdout
            : throw new InvalidOperationException($"The oracle rejected {yamlPath}:\n{stderr}");
    }

    /// <summary>Renders many cases in one oracle process; the answers come back in the order of the cases.</summary>
    public async Task<IReadOnlyList<Outcome>> RenderAsync(IReadOnlyList<TemplateCase> cases, CancellationToken cancellationToken)
    {
        var input = new StringBuilder();
        foreach (var c in cases)
        {
            input.Append(c.ToWire().ToJsonString()).Append('\n');
        }

        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var limit = TimeSpan.FromSeconds(60 + cases.Count / 50);
        var (exit, stdout, stderr) = await RunAsync(start, input.ToString(), limit, cancellationToken, failOnBrokenInput: false);
        var byId = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var answer = JsonNode.Parse(line)!.AsObject();
            byId[answer["id"]!.GetValue<string>()] = Outcome.FromJson(answer);
        }

        if (exit != 0)
        {
            // The oracle answers case by case, so the first unanswered case is the one that killed Go.
            var culprit = cases.FirstOrDefault(c => !byId.ContainsKey(c.Id));
            var which = culprit is null ? "" : $" on case {culprit.Id}:\n{culprit.Describe()}";
            throw new InvalidOperationException($"The Go oracle died (exit {exit}){which}\n{FirstLines(stderr, 12)}");
        }

        return cases.Select(c => byId.TryGetValue(c.Id, out var outcome)
            ? outcome
            : throw new InvalidOperationException($"The oracle gave no answer for case {c.Id}")).ToList();
    }

    public async Task<Outcome> RenderAsync(TemplateCase c, CancellationToken cancellationToken) =>
        (await RenderAsync([c], cancellationToken))[0];

    private static string Hash(IEnumerable<string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\0"));
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static string FirstLines(string text, int count) => string.Join('\n', text.Split('\n').Take(count));

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        ProcessStartInfo start, string? stdin, TimeSpan limit, CancellationToken cancellationToken, bool failOnBrokenInput = true)
    {
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            if (stdin is not null)
            {
                // Written while the outputs are drained, so a full pipe cannot deadlock the two processes.
                var bytes = new UTF8Encoding(false).GetBytes(stdin);
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(bytes, timeout.Token);
                    process.StandardInput.Close();
                }
                catch (IOException ex)
                {
                    await process.WaitForExitAsync(timeout.Token);
                    if (failOnBrokenInput)
                    {
                        throw new InvalidOperationException(
                            $"{start.FileName} stopped reading its input (exit {process.ExitCode}): {FirstLines(await stderr, 12)}", ex);
                    }
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalSeconds:0} s");
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw;
        }
    }
}
