using Keelson.ApiServer.Faults;
using Microsoft.AspNetCore.Http;

namespace Keelson.ApiServer.Api;

/// <summary>Parses request paths the way kube-apiserver's RequestInfoFactory does.</summary>
internal static class RequestParser
{
    public static ApiRequestInfo Parse(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var method = request.Method;
        var agent = request.Headers.UserAgent.ToString();
        var manager = request.Query["fieldManager"].ToString();
        var info = new ApiRequestInfo
        {
            Method = method,
            Path = path,
            Verb = method.ToLowerInvariant(),
            UserAgent = agent.Length == 0 ? null : agent,
            FieldManager = manager.Length == 0 ? null : manager,
        };

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        string[] rest;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, rest) = ("", parts[1], parts[2..]);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, rest) = (parts[1], parts[2], parts[3..]);
        }
        else
        {
            return info;
        }

        var legacyWatch = false;
        if (rest.Length > 0 && rest[0] == "watch")
        {
            legacyWatch = true;
            rest = rest[1..];
        }

        string? ns = null;
        if (rest.Length > 1 && rest[0] == "namespaces")
        {
            ns = rest[1];
            if (rest.Length > 2 && rest[2] is not ("status" or "finalize"))
            {
                rest = rest[2..];
            }
            else
            {
                ns = null;
            }
        }

        if (rest.Length is 0 or > 3)
        {
            return info with { Group = group, Version = version };
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        var watchParam = request.Query["watch"].ToString() is "true" or "1";
        var verb = method switch
        {
            "GET" or "HEAD" when legacyWatch || watchParam => "watch",
            "GET" or "HEAD" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };

        return info with
        {
            IsResourceRequest = true,
            Verb = verb,
            Group = group,
            Version = version,
            Resource = rest[0],
            Name = name,
            Subresource = subresource,
            Namespace = ns,
        };
    }
}
