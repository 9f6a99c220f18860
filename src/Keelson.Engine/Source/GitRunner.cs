using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

/// <summary>What was started, as handed to <see cref="Process"/> (tests check that no secret is in it).</summary>
internal sealed record GitInvocation(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, int ProcessId);

/// <summary>One git command. Only <see cref="Remote"/> commands touch the network and get credentials.</summary>
internal sealed record GitCommand
{
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The repository the command runs in (set as GIT_DIR so no repository is ever discovered from a path).</summary>
    public string? GitDir { get; init; }

    /// <summary>The remote the command talks to; decides the allowed protocol and the SSH settings.</summary>
    public RepoUrl? Remote { get; init; }

    public GitCredentials? Credentials { get; init; }

    /// <summary>Written to the command's standard input, which is then closed.</summary>
    public Func<Stream, CancellationToken, Task>? Input { get; init; }

    /// <summary>Reads standard output as a stream; when absent the output is captured (up to the size limit).</summary>
    public Func<Stream, CancellationToken, Task>? Output { get; init; }

    /// <summary>What the command does, for messages: "ls-remote of https://...".</summary>
    public required string Description { get; init; }

    /// <summary>How long the command may run; <see cref="GitSourceOptions.CommandTimeout"/> when not set.</summary>
    public TimeSpan? Timeout { get; init; }
}

internal sealed record GitResult(int ExitCode, string Output, string Error)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>A git command produced more output than allowed.</summary>
internal sealed class OutputTooLargeException(string message) : Exception(message);

/// <summary>
/// Runs git non-interactively and in isolation: a clean environment (no user or system config, no terminal prompts,
/// an askpass helper that answers only from a private credential directory), hooks disabled, only the remote's own
/// protocol allowed, bounded time (the process tree is killed on timeout or cancellation) and bounded output.
/// </summary>
internal sealed partial class GitRunner
{
    private const int ErrorTailBytes = 16 * 1024;

    private static readonly string[] PassThrough =
    [
        "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "TMPDIR",
    ];

    // Settings that make a repository's or a user's configuration irrelevant to what git does here.
    private static readonly string[] Settings =
    [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "credential.helper=",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "gc.auto=0",
        "maintenance.auto=false",
        "fetch.writeCommitGraph=false",
        "protocol.version=2",
        "log.showSignature=false",
    ];

    private readonly GitSourceOptions _options;
    private readonly SourcePaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GitHooks _hooks;

    public GitRunner(GitSourceOptions options, SourcePaths paths, TimeProvider time, ILogger logger, GitHooks hooks)
    {
        _options = options;
        _paths = paths;
        _time = time;
        _logger = logger;
        _hooks = hooks;
    }

    public async Task<GitResult> RunAsync(GitCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var secrets = Secrets.Of(command.Credentials);
        using var session = command.Remote is null || command.Credentials is null ? null : CredentialSession.Create(_paths.Temp, command.Credentials);
        var limit = command.Timeout ?? _options.CommandTimeout;
        var start = BuildStartInfo(command, session, limit);

        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var clock = _time.GetTimestamp();

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process");
        }
        catch (Win32Exception ex)
        {
            throw new SourceException(SourceErrorReason.GitError, $"Could not start git ('{_options.GitPath}'): {ex.Message}. Is git installed?", ex);
        }

        using (process)
        {
            _hooks.Started?.Invoke(new GitInvocation(
                start.FileName,
                [.. start.ArgumentList],
                start.Environment.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!, StringComparer.Ordinal),
                process.Id));

            // A failing reader or writer cancels the wait, so git is never left blocked on a pipe nobody reads.
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            var input = AbortOnFailure(WriteInputAsync(process, command.Input, abort.Token), abort);
            var output = AbortOnFailure(
                command.Output is { } reader
                    ? ReadAsync(process.StandardOutput.BaseStream, reader, abort.Token)
                    : CaptureAsync(process.StandardOutput.BaseStream, _options.MaxOutputBytes, abort.Token),
                abort);
            var error = AbortOnFailure(CaptureTailAsync(process.StandardError.BaseStream, abort.Token), abort);
            try
            {
                await process.WaitForExitAsync(abort.Token);
                var stdout = await output;
                var stderr = await error;
                await input;
                var result = new GitResult(process.ExitCode, stdout, secrets.Scrub(stderr));
                var elapsed = _time.GetElapsedTime(clock).TotalMilliseconds;
                LogCommand(command.Description, result.ExitCode, elapsed);
                return result;
            }
            catch (Exception ex)
            {
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None);
                await Task.WhenAll(Quiet(input), Quiet(output), Quiet(error));
                var cause = new Task[] { output, input }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault() ?? ex;
                if (cause is OutputTooLargeException)
                {
                    throw new SourceException(SourceErrorReason.TooLarge, $"{command.Description} failed: {cause.Message}.");
                }

                if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new SourceException(
                        SourceErrorReason.Timeout,
                        $"{command.Description} took longer than {limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s and was stopped.");
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (cause is SourceException)
                {
                    throw cause;
                }

                throw new SourceException(SourceErrorReason.GitError, $"{command.Description} failed: {secrets.Scrub(cause.Message)}", cause);
            }
        }
    }

    private ProcessStartInfo BuildStartInfo(GitCommand command, CredentialSession? session, TimeSpan limit)
    {
        var start = new ProcessStartInfo(_options.GitPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _paths.Home,
        };

        foreach (var setting in Settings)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(setting);
        }

        // A transfer that receives nothing for the stall timeout is given up; one that still moves, however slowly,
        // carries on (curl's low-speed check, which git exposes as http.lowSpeedLimit/Time, in bytes/s and seconds).
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("http.lowSpeedLimit=1");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("http.lowSpeedTime=" + Seconds(_options.StallTimeout));

        if (session?.CaFile is { } caFile)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("http.sslCAInfo=" + caFile);
        }

        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var env = start.Environment;
        var inherited = env.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        env.Clear();
        env["PATH"] = inherited.GetValueOrDefault("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var name in PassThrough)
        {
            if (inherited.GetValueOrDefault(name) is { } value && !(session?.CaFile is not null && name.StartsWith("GIT_SSL_", StringComparison.Ordinal)))
            {
                env[name] = value;
            }
        }

        env["HOME"] = _paths.Home;
        env["XDG_CONFIG_HOME"] = Path.Combine(_paths.Home, ".config");
        env["LANG"] = "C";
        env["LC_ALL"] = "C";
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["GIT_CONFIG_SYSTEM"] = "/dev/null";
        env["GIT_CONFIG_GLOBAL"] = "/dev/null";
        env["GIT_TERMINAL_PROMPT"] = "0";
        env["GIT_ASKPASS"] = _paths.AskPass;
        env["GIT_NO_REPLACE_OBJECTS"] = "1";
        env["GIT_OPTIONAL_LOCKS"] = "0";
        env["GIT_PROTOCOL_FROM_USER"] = "0";
        // Only the remote's own transport: a redirect or a crafted URL cannot switch to another (ext::, fd::, file).
        env["GIT_ALLOW_PROTOCOL"] = command.Remote?.AllowedProtocols ?? "none";
        env["GIT_SSH_VARIANT"] = "ssh";
        env["GIT_SSH_COMMAND"] = SshCommand(session, limit);
        if (command.GitDir is not null)
        {
            env["GIT_DIR"] = command.GitDir;
        }

        if (session?.Directory is { } dir)
        {
            env["KEELSON_GIT_CREDENTIALS"] = dir;
        }

        return start;
    }

    private string SshCommand(CredentialSession? session, TimeSpan limit)
    {
        var strict = session?.KnownHostsFile is not null;
        var options = new List<string>
        {
            "-F", "/dev/null",
            "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            // Without a key, name one that does not exist so ssh does not fall back to the account's ~/.ssh keys.
            "-o", "IdentityFile=" + (session?.KeyFile ?? Path.Combine(_paths.Home, "no-ssh-key")),
            "-o", "UserKnownHostsFile=" + (session?.KnownHostsFile ?? _paths.KnownHosts),
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=" + (strict ? "yes" : "accept-new"),
            "-o", "HashKnownHosts=no",
            "-o", "UpdateHostKeys=no",
            "-o", "ForwardAgent=no",
            "-o", "ForwardX11=no",
            "-o", "ClearAllForwardings=yes",
            "-o", "PermitLocalCommand=no",
            "-o", "ControlMaster=no",
            "-o", "ControlPath=none",
            "-o", "LogLevel=ERROR",
            // Covers the TCP connection, the banner and the key exchange (OpenSSH 9.2): a server that accepts and then
            // says nothing is given up after this, not after the whole command's time.
            "-o", "ConnectTimeout=" + Seconds(_options.ConnectTimeout < limit ? _options.ConnectTimeout : limit),
            // A connection whose server stops answering (a host gone, packets dropped) ends after about the stall
            // timeout: two keep-alives half of it apart without an answer.
            "-o", "ServerAliveInterval=" + Seconds(_options.StallTimeout / 2),
            "-o", "ServerAliveCountMax=2",
        };
        options.AddRange(_hooks.SshOptions);
        return "ssh " + string.Join(' ', options.Select(Quote));
    }

    private static string Seconds(TimeSpan time) => Math.Max(1, (int)Math.Ceiling(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    // GIT_SSH_COMMAND goes through the shell.
    private static string Quote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:,@+".Contains(c, StringComparison.Ordinal))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<bool> WriteInputAsync(Process process, Func<Stream, CancellationToken, Task>? writer, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        try
        {
            if (writer is not null)
            {
                await writer(stdin, cancellationToken);
            }
        }
        catch (IOException)
        {
            // git stopped reading (it failed or finished early); its exit code and stderr say why.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
                // Same: the pipe is already closed on git's side.
            }
        }

        return true;
    }

    private static async Task<T> AbortOnFailure<T>(Task<T> task, CancellationTokenSource abort)
    {
        try
        {
            return await task;
        }
        catch
        {
            await abort.CancelAsync();
            throw;
        }
    }

    private static async Task<string> ReadAsync(Stream stream, Func<Stream, CancellationToken, Task> reader, CancellationToken cancellationToken)
    {
        await reader(stream, cancellationToken);
        // Drain whatever the reader left so git never blocks on a full pipe.
        await stream.CopyToAsync(Stream.Null, cancellationToken);
        return "";
    }

    private static async Task<string> CaptureAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new OutputTooLargeException($"its output is larger than the limit of {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<string> CaptureTailAsync(Stream stream, CancellationToken cancellationToken)
    {
        var tail = new List<byte>(1024);
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            tail.AddRange(chunk.AsSpan(0, read));
            if (tail.Count > ErrorTailBytes)
            {
                tail.RemoveRange(0, tail.Count - ErrorTailBytes);
            }
        }

        return Encoding.UTF8.GetString(tail.ToArray());
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (Win32Exception)
        {
            // Exited while being killed.
        }
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The process was killed; its streams fail in whatever way they fail.
        }
    }
}
