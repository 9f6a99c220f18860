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
        // A short polling interval only so the suggested commits are picked up quickly; the commands are as printed.
        var run = KeelsonCli.RunAsync(["local", "--demo", "--kubeconfig", kubeconfig, "--reconcile-interval", "2s"], output, output, stop.Token);

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

            // The things to try, run as printed, by someone whose git was never set up (no name or email).
            var scale = System.Text.RegularExpressions.Regex.Match(Text(), @"1\. Commit a change:\s+(.+)").Groups[1].Value.Trim();
            var revert = System.Text.RegularExpressions.Regex.Match(Text(), @"2\. Roll it back:\s+(.+)").Groups[1].Value.Trim();
            await ShellAsync(scale, dir, ct);
            await Eventually.WaitAsync(async c => await ReplicasAsync(kubectl, kubeconfig, c) == "3", "the committed change to be applied", TimeSpan.FromSeconds(60), ct);
            await ShellAsync(revert, dir, ct);
            await Eventually.WaitAsync(async c => await ReplicasAsync(kubectl, kubeconfig, c) == "1", "the revert to be applied", TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        }
    }

    private static async Task ShellAsync(string command, TempDirectory home, CancellationToken ct)
    {
        Assert.False(string.IsNullOrEmpty(command), "the demo printed no command");
        var psi = new System.Diagnostics.ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["HOME"] = home.Path;
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var name in new[] { "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL" })
        {
            psi.Environment.Remove(name);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, $"{command} failed: {await stderr}");
    }

    private static async Task<string> ReplicasAsync(string kubectl, string kubeconfig, CancellationToken ct)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(
            kubectl, ["--kubeconfig", kubeconfig, "get", "deployment", "guestbook-ui", "-n", "guestbook", "-o", "jsonpath={.spec.replicas}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return stdout.Trim();
    }
}
