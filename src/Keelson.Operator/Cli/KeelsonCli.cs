using System.CommandLine;

namespace Keelson.Operator.Cli;

/// <summary>The keelson command line: one verb per file in this folder.</summary>
public static class KeelsonCli
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("Keelson: a GitOps controller for Kubernetes.");
        root.Subcommands.Add(LocalCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(RenderCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line, writing to the given streams; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return CreateRootCommand().Parse(args).InvokeAsync(config, cancellationToken);
    }
}
