namespace Keelson.Engine.Source;

/// <summary>Why a source could not be resolved.</summary>
public enum SourceErrorReason
{
    /// <summary>The repository URL is malformed or carries credentials.</summary>
    InvalidUrl,

    /// <summary>The URL names a transport that is not allowed (ext::, ftp://, file:// when disabled...).</summary>
    ProtocolNotAllowed,

    /// <summary>The revision is not a valid branch, tag, ref or SHA spelling.</summary>
    InvalidRevision,

    /// <summary>The server could not be reached, or it has no such repository.</summary>
    Unreachable,

    /// <summary>The server refused the credentials, or needs credentials that were not given.</summary>
    AuthenticationFailed,

    /// <summary>The SSH server's host key is unknown (with strict checking) or does not match.</summary>
    HostKeyVerificationFailed,

    /// <summary>No branch, tag or commit matches the revision.</summary>
    RevisionNotFound,

    /// <summary>An abbreviated SHA matches more than one commit.</summary>
    AmbiguousRevision,

    /// <summary>A git command ran longer than the configured timeout and was killed.</summary>
    Timeout,

    /// <summary>The ref list or the tree is larger than the configured limits.</summary>
    TooLarge,

    /// <summary>Any other git or file system failure.</summary>
    GitError,
}

/// <summary>A failure to resolve a source, with a message fit for an Application's status (never contains secrets).</summary>
public sealed class SourceException : Exception
{
    public SourceException()
        : this(SourceErrorReason.GitError, "The source could not be resolved.")
    {
    }

    public SourceException(string message)
        : this(SourceErrorReason.GitError, message)
    {
    }

    public SourceException(string message, Exception innerException)
        : this(SourceErrorReason.GitError, message, innerException)
    {
    }

    public SourceException(SourceErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    public SourceErrorReason Reason { get; }
}
