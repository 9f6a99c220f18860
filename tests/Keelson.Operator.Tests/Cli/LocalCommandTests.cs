using Keelson.Operator.Cli;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Operator.Tests.Cli;

public sealed class LocalCommandTests
{
    [Fact]
    public async Task Local_demo_runs_the_examples_until_cancelled_and_kubectl_sees_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var kubectl = Tools.Require("kubectl", "install kubectl 1.32 (https://kubernetes.io/docs/tasks/tools/)");
        using var dir = new TempDirectory("keelson-local");
        var kubeconfig = dir.Combine(".keelson", "kubeconfig");
        var buffer = new StringWriter();
        var output = TextWriter.Synchronized(buffer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = KeelsonCli.RunAsync(["local", "--demo", "--kubeconfig", kubeconfig], output, output, stop.Token);

        string Text()
        {
            lock (output)
            {
                return buffer.ToString();
            }
        }

        try
        {
            await Eventually.WaitAsync(
                () => run.IsCompleted || System.Text.RegularExpressions.Regex.Count(Text(), @"keelson/guestbook(-prod)?\s+Synced\s+Healthy") >= 2,
                "both demo Applications to be shown Synced and Healthy",
                TimeSpan.FromSeconds(60),
                ct);
            Assert.False(run.IsCompleted, Text());
            Assert.Contains($"export KUBECONFIG={kubeconfig}", Text(), StringComparison.Ordinal);
            Assert.True(Directory.Exists(dir.Combine(".keelson", "demo-repo", ".git")));

            var psi = new System.Diagnostics.ProcessStartInfo(kubectl, ["--kubeconfig", kubeconfig, "get", "applications", "-n", "keelson"]) { RedirectStandardOutput = true };
            using var process = System.Diagnostics.Process.Start(psi)!;
            var table = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            Assert.Matches(@"guestbook\s+Synced\s+Healthy\s+[0-9a-f]{7}\s", table);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        }
    }
}
