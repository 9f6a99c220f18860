using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Testing;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>One answer of the Go oracle (tools/yaml-ref): output, documents, or Go's error text.</summary>
internal sealed record GoAnswer(string? Out, IReadOnlyList<string>? Docs, string? Err)
{
    public static GoAnswer FromJson(JsonNode answer) => new(
        (string?)answer["out"],
        answer["docs"]?.AsArray().Select(d => (string)d!).ToList(),
        (string?)answer["err"]);
}

/// <summary>
/// Builds and drives tools/yaml-ref, the Go program that answers with sigs.k8s.io/yaml's behaviour (github.com/ghodss/yaml
/// over gopkg.in/yaml.v2 2.4.0, from Debian's packages, built in GOPATH mode).
/// </summary>
internal static class GoYamlReference
{
    public const string Packages = "golang-go golang-gopkg-yaml.v2-dev golang-github-ghodss-yaml-dev";

    private static readonly Lazy<string> Binary = new(Build);

    /// <summary>Answers every request (op: y2j, docs or j2y) in one run of the Go program.</summary>
    public static IReadOnlyList<GoAnswer> Ask(IReadOnlyList<(string Op, string Input)> requests)
    {
        var start = new ProcessStartInfo(Binary.Value)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start yaml-ref");
        var writer = Task.Run(() =>
        {
            foreach (var (op, input) in requests)
            {
                process.StandardInput.WriteLine(new JsonObject { ["op"] = op, ["in"] = input }.ToJsonString());
            }

            process.StandardInput.Close();
        });
        var errors = process.StandardError.ReadToEndAsync();
        var answers = new List<GoAnswer>(requests.Count);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            answers.Add(GoAnswer.FromJson(JsonNode.Parse(line)!));
        }

        writer.GetAwaiter().GetResult();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("yaml-ref did not exit within 60 s");
        }

        if (process.ExitCode != 0 || answers.Count != requests.Count)
        {
            throw new InvalidOperationException(
                $"yaml-ref exited {process.ExitCode} after {answers.Count}/{requests.Count} answers: {errors.GetAwaiter().GetResult()}");
        }

        return answers;
    }

    private static string Build()
    {
        var go = Tools.Require("go", $"apt-get install {Packages}");
        foreach (var source in new[] { "/usr/share/gocode/src/gopkg.in/yaml.v2", "/usr/share/gocode/src/github.com/ghodss/yaml" })
        {
            if (!Directory.Exists(source))
            {
                throw new InvalidOperationException(
                    $"{source} is missing; the Go YAML reference needs Debian's packages: apt-get install {Packages}");
            }
        }

        var output = Path.Combine(Path.GetTempPath(), $"keelson-yaml-ref-{Environment.ProcessId}");
        Directory.CreateDirectory(output);
        var binary = Path.Combine(output, "yaml-ref");
        var start = new ProcessStartInfo(go, ["build", "-o", binary, "."])
        {
            WorkingDirectory = RepoPaths.InRepo("tools", "yaml-ref"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GOFLAGS"] = "";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HOME")))
        {
            start.Environment["GOCACHE"] = Path.Combine(Path.GetTempPath(), "keelson-go-cache");
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(180_000))
        {
            process.Kill();
            throw new TimeoutException("go build of tools/yaml-ref took over 3 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"go build of tools/yaml-ref failed: {stderr.GetAwaiter().GetResult()}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(output, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return binary;
    }
}
