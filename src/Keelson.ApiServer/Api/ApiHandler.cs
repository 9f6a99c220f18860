using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Faults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Api;

/// <summary>
/// The single request entry point: accounting, bearer-token authentication, fault injection, then routing to
/// health, version, discovery, OpenAPI or resource handling. Errors become Status objects.
/// </summary>
internal sealed partial class ApiHandler
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    private readonly ResourceHandler _resources;
    private readonly Discovery _discovery;
    private readonly OpenApi _openApi;
    private readonly FaultInjector _faults;
    private readonly RequestCounters _counters;
    private readonly byte[] _token;
    private readonly Func<X509Certificate2, bool> _trustedClient;
    private readonly ILogger _logger;

    public ApiHandler(
        ResourceHandler resources, Discovery discovery, OpenApi openApi, FaultInjector faults, RequestCounters counters, string token,
        Func<X509Certificate2, bool> trustedClient, ILogger logger)
    {
        _trustedClient = trustedClient;
        _resources = resources;
        _discovery = discovery;
        _openApi = openApi;
        _faults = faults;
        _counters = counters;
        _token = Encoding.UTF8.GetBytes(token);
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var info = RequestParser.Parse(http.Request);
        _counters.Record(info);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var path = info.Path;
            if (!IsPublic(path) && !Authenticated(http))
            {
                throw ApiException.Unauthorized();
            }

            foreach (var fault in _faults.Match(info))
            {
                if (fault.Latency > TimeSpan.Zero)
                {
                    // Simulated network latency: real time, not the cluster's simulated clock.
                    await Task.Delay(fault.Latency, http.RequestAborted);
                }

                if (fault.Abort)
                {
                    http.Abort();
                    return;
                }

                if (fault.StatusCode > 0)
                {
                    throw InjectedError(fault);
                }
            }

            await RouteAsync(http, info);
        }
        catch (ApiException ex)
        {
            if (!http.Response.HasStarted)
            {
                await Responses.WriteStatusAsync(http, ex);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug must not take the connection down silently: log it and answer like kube-apiserver's panic handler.
            LogUnhandled(_logger, http.Request.Method, info.Path, ex);
            if (!http.Response.HasStarted)
            {
                await Responses.WriteStatusAsync(http, ApiException.Internal(ex.Message));
            }
        }
        finally
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(_logger, info.Verb, info.Path, http.Response.StatusCode, elapsed);
            }
        }
    }

    private static ApiException InjectedError(FaultRule fault)
    {
        int? retry = fault.RetryAfter is { } r ? (int)Math.Ceiling(r.TotalSeconds) : null;
        return fault.StatusCode switch
        {
            429 => ApiException.TooManyRequests(retry ?? 1),
            503 => ApiException.ServiceUnavailable("the server is currently unable to handle the request", retry),
            504 => ApiException.Timeout("the server was unable to return a response in the time allotted, but may still be processing the request", retry ?? 1),
            var code => new ApiException(code, code switch
            {
                400 => "BadRequest",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                409 => "Conflict",
                410 => "Expired",
                422 => "Invalid",
                _ => "InternalError",
            }, code == 500 ? "Internal error occurred: injected fault" : $"injected fault ({code})") { RetryAfterSeconds = retry },
        };
    }

    private static bool IsPublic(string path) =>
        path is "/healthz" or "/livez" or "/readyz" or "/version" or "/version/" ||
        path.StartsWith("/healthz/", StringComparison.Ordinal) || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal);

    private bool Authenticated(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return http.Connection.ClientCertificate is { } certificate && _trustedClient(certificate);
        }

        var presented = Encoding.UTF8.GetBytes(header[7..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private async Task RouteAsync(HttpContext http, ApiRequestInfo info)
    {
        if (info.IsResourceRequest)
        {
            await _resources.HandleAsync(http, info);
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        var path = info.Path.TrimEnd('/');
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var accept = http.Request.Headers.Accept.ToString();
        switch (parts)
        {
            case ["healthz" or "livez" or "readyz", ..]:
                await Responses.WriteBytesAsync(http, 200, Ok, "text/plain; charset=utf-8");
                return;
            case ["version"]:
                await Responses.WriteJsonAsync(http, 200, Version());
                return;
            case ["api"]:
                await WriteDiscoveryAsync(http, accept, core: true);
                return;
            case ["apis"]:
                await WriteDiscoveryAsync(http, accept, core: false);
                return;
            case ["api", var version]:
                await Responses.WriteJsonAsync(http, 200, _discovery.ResourceList("", version) ?? throw ResourceHandler.NotFoundRoute());
                return;
            case ["apis", var group]:
                await Responses.WriteJsonAsync(http, 200, _discovery.Group(group) ?? throw ResourceHandler.NotFoundRoute());
                return;
            case ["apis", var group, var version]:
                await Responses.WriteJsonAsync(http, 200, _discovery.ResourceList(group, version) ?? throw ResourceHandler.NotFoundRoute());
                return;
            case ["openapi", "v3"]:
                await Responses.WriteBytesAsync(http, 200, _openApi.Index());
                return;
            case ["openapi", "v3", .. var rest]:
                var doc = _openApi.Document(string.Join('/', rest)) ?? throw ResourceHandler.NotFoundRoute();
                http.Response.Headers.CacheControl = "public, immutable";
                await Responses.WriteBytesAsync(http, 200, doc);
                return;
            default:
                throw ResourceHandler.NotFoundRoute();
        }
    }

    private async Task WriteDiscoveryAsync(HttpContext http, string accept, bool core)
    {
        if (MediaTypes.WantsAggregatedDiscovery(accept))
        {
            http.Response.Headers.Vary = "Accept";
            await Responses.WriteJsonAsync(http, 200, _discovery.Aggregated(core), MediaTypes.Discovery);
            return;
        }

        await Responses.WriteJsonAsync(http, 200, core ? _discovery.CoreVersions() : _discovery.GroupList());
    }

    private static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0",
        ["gitCommit"] = "keelson-simulator",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.4",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };
}
