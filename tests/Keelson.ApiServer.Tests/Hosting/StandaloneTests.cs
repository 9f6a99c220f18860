using System.Diagnostics;
using Keelson.ApiServer.Tests.Kubectl;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Hosting;

/// <summary>The standalone program: serves until stopped and writes a kubeconfig kubectl uses as is.</summary>
public sealed class StandaloneTests
{
    [Fact]
    public async Task The_program_writes_a_kubeconfig_kubectl_can_use_and_stops_on_sigterm()
    {
        var dir = Directory.CreateTempSubdirectory("keelson-standalone-");
        var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
        var dotnet = Tools.Require("dotnet", "the .NET SDK");
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Keelson.ApiServer.dll"));
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfig);
        using var process = Process.Start(info)!;
        try
        {
            await Until.WaitAsync(() => File.Exists(kubeconfig), "the kubeconfig to be written", TimeSpan.FromSeconds(60));
            var kubectl = new KubectlRunner(kubeconfig, Path.Combine(dir.FullName, "cache"));
            var namespaces = (await kubectl.RunAsync("get", "namespaces", "-o", "name")).EnsureSuccess().Stdout;
            Assert.Contains("namespace/kube-system", namespaces);

            // SIGTERM, as a service manager or `kill` would send.
            using (var kill = Process.Start(Tools.Require("kill", "procps"), ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_program_explains_missing_arguments()
    {
        var dotnet = Tools.Require("dotnet", "the .NET SDK");
        var info = new ProcessStartInfo(dotnet) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Keelson.ApiServer.dll"));
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--kubeconfig PATH is required", stderr);
    }
}
