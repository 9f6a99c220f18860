namespace Keelson.Kubernetes.Config;

/// <summary>
/// A kubeconfig (or in-cluster configuration) that cannot be used. The message names the file and the field at fault
/// and never contains a credential.
/// </summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public KubeConfigException(string file, string field, string problem, int line = 0, Exception? innerException = null)
        : base(Describe(file, field, problem, line), innerException)
    {
        File = file;
        Field = field;
    }

    /// <summary>The kubeconfig file at fault, when one is.</summary>
    public string? File { get; }

    /// <summary>The field at fault, as a path such as <c>users[alice].user.client-key-data</c>.</summary>
    public string? Field { get; }

    private static string Describe(string file, string field, string problem, int line) =>
        $"kubeconfig {file}{(line > 0 ? $" (line {line})" : "")}: {field}: {problem}";
}

/// <summary>
/// Credentials could not be obtained: an exec plugin failed or returned bad output, or a token file cannot be read.
/// The message says what failed and never contains the credential.
/// </summary>
public sealed class KubeCredentialException(string message, Exception? innerException = null) : Exception(message, innerException);
