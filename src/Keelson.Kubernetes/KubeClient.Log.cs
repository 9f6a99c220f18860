using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes;

public sealed partial class KubeClient
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Verb} {Path} failed to connect ({Problem}); retrying in {Delay}")]
    private partial void LogConnectionRetry(string verb, string path, string problem, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Verb} {Path} answered {Code}; retrying in {Delay}")]
    private partial void LogStatusRetry(string verb, string path, int code, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Verb} {Path} answered 401; retrying once with fresh credentials from {Credentials}")]
    private partial void LogUnauthorizedRetry(string verb, string path, string credentials);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Update of {Resource} {Name} conflicted; reading it again")]
    private partial void LogConflictRetry(string resource, string name);
}
