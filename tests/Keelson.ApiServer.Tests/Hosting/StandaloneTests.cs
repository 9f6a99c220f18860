using System.Diagnostics;
using Keelson.ApiServer.Tests.Kubectl;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Hosting;

/// <summary>The standalone program: serves until stopped and writes a kubeconfig kubectl uses as is.</summary>
public sealed class StandaloneTests
{
    // The apphost the build puts beside the tests, as `dotnet run --project src/Keelson.ApiServer` would start it.
    private static ProcessStartInfo Program(params string[] args)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Keelson.ApiServer.exe" : "Keelson.ApiServer");
        Assert.True(File.Exists(exe), $"the built simulator {exe} is missing; build tests/Keelson.ApiServer.Tests");
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The apphost finds the runtime through DOTNET_ROOT when the SDK is not installed where it looks by default.
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is not { Length: > 0 })
        {
            var dotnet = new FileInfo(Tools.Require("dotnet", "the .NET SDK"));
            info.Environment["DOTNET_ROOT"] = (dotnet.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? dotnet).DirectoryName;
        }

        return info;
    }

    [Fact]
    public async Task The_program_writes_a_kubeconfig_kubectl_can_use_and_stops_on_sigterm()
    {
        var dir = Directory.CreateTempSubdirectory("keelson-standalone-");
        var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
        using var process = Process.Start(Program("--kubeconfig", kubeconfig))!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await Until.WaitAsync(() => File.Exists(kubeconfig) || process.HasExited, "the kubeconfig to be written", TimeSpan.FromSeconds(60));
            if (process.HasExited)
            {
                Assert.Fail($"the simulator exited with {process.ExitCode}: {await stderr}");
            }
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
            }

            var kubectl = new KubectlRunner(kubeconfig, Path.Combine(dir.FullName, "cache"));
            var namespaces = (await kubectl.RunAsync("get", "namespaces")).EnsureSuccess().Stdout;
            foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
            {
                Assert.Matches($@"(?m)^{name}\s+Active\s+\S+$", namespaces);
            }

            // SIGTERM, as a service manager or `kill` would send.
            using (var kill = Process.Start(Tools.Require("kill", "procps"), ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("kubeconfig written to", await stdout);

            // The token is a credential: it never appears in the program's output.
            var token = File.ReadAllLines(kubeconfig).Single(l => l.TrimStart().StartsWith("token: ", StringComparison.Ordinal)).Trim()["token: ".Length..];
            Assert.DoesNotContain(token, await stdout + await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_program_explains_missing_arguments()
    {
        using var process = Process.Start(Program())!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--kubeconfig PATH is required", stderr);
    }
}
