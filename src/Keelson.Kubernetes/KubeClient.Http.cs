using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Http;

namespace Keelson.Kubernetes;

public sealed partial class KubeClient
{
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>
    /// Sends one API request with rate limiting, credentials, a fresh credential after a 401, and bounded retries.
    /// Returns only on 2xx; anything else becomes a <see cref="KubeApiException"/>.
    /// </summary>
    private async Task<Response> SendAsync(Request request, CancellationToken cancellationToken)
    {
        var verb = request.Method.Method;
        var triedFreshCredential = false;
        for (var attempt = 0; ; attempt++)
        {
            if (_limiter is not null)
            {
                await _limiter.WaitAsync(cancellationToken);
            }

            var credential = await _config.Credentials.GetAsync(_time, cancellationToken);
            var generation = _transport.Acquire(credential.ClientCertificate ?? _config.ClientCertificate);
            CancellationTokenSource? timeout = null;
            HttpResponseMessage? response = null;
            try
            {
                using var message = new HttpRequestMessage(request.Method, new Uri(_config.Server, request.Path))
                {
                    // Watches multiplex over HTTP/2; ordinary requests keep parallel HTTP/1.1 connections, which
                    // measured a little faster for bursts of applies against one server (bench/run.sh sim).
                    Version = _options.Http2 && request.Stream ? HttpVersion.Version20 : HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                };
                message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (credential.Authorization is { } auth)
                {
                    message.Headers.TryAddWithoutValidation("Authorization", auth);
                }

                if (request.Body is { } body)
                {
                    message.Content = new ByteArrayContent(body);
                    message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType ?? "application/json");
                }

                // Watches never time out here: the server ends them (timeoutSeconds) or the caller cancels.
                timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (!request.Stream)
                {
                    timeout.CancelAfter(_options.RequestTimeout);
                }

                try
                {
                    response = await generation.Invoker.SendAsync(message, timeout.Token);
                }
                catch (HttpRequestException ex) when (request.Idempotent && attempt < _options.MaxRetries && !cancellationToken.IsCancellationRequested)
                {
                    var delay = Backoff.Delay(attempt, _options.RetryInitialDelay, _options.RetryMaxDelay);
                    LogConnectionRetry(verb, request.Path, ex.Message, delay);
                    await Task.Delay(delay, _time, cancellationToken);
                    continue;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    if (request.Idempotent && attempt < _options.MaxRetries)
                    {
                        LogConnectionRetry(verb, request.Path, "timed out", TimeSpan.Zero);
                        continue;
                    }

                    throw new TimeoutException($"{verb} {request.Path} did not answer within {_options.RequestTimeout.TotalSeconds:0} s");
                }

                var code = (int)response.StatusCode;
                if (code is >= 200 and < 300)
                {
                    var ok = new Response(response, generation, timeout);
                    response = null;
                    timeout = null;
                    generation = null;
                    return ok;
                }

                if (code == 401 && !triedFreshCredential)
                {
                    triedFreshCredential = true;
                    if (await _config.Credentials.RefreshAsync(credential, _time, cancellationToken))
                    {
                        LogUnauthorizedRetry(verb, request.Path, _config.Credentials.Description);
                        attempt--;
                        continue;
                    }
                }

                if (IsRetryable(request, code, response) && attempt < _options.MaxRetries)
                {
                    var delay = RetryDelay(response, attempt);
                    LogStatusRetry(verb, request.Path, code, delay);
                    await Task.Delay(delay, _time, cancellationToken);
                    continue;
                }

                var status = await ReadErrorAsync(response, timeout.Token);
                throw new KubeApiException(status, verb, request.Path);
            }
            finally
            {
                response?.Dispose();
                timeout?.Dispose();
                generation?.Release();
            }
        }
    }

    // 429 means "not processed, try later" for every verb. A 5xx on a write that is not idempotent (a create, a JSON
    // patch) may hide a write that happened, so it is only retried when the server asks for it (Retry-After) or is
    // plainly unavailable (503).
    private static bool IsRetryable(Request request, int code, HttpResponseMessage response) => code switch
    {
        429 => true,
        500 or 502 or 503 or 504 when request.Idempotent => true,
        503 => true,
        >= 500 when response.Headers.RetryAfter is not null && code != 501 => true,
        _ => false,
    };

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var backoff = Backoff.Delay(attempt, _options.RetryInitialDelay, _options.RetryMaxDelay);
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _time.GetUtcNow(),
            _ => (TimeSpan?)null,
        };
        if (retryAfter is not { } wait)
        {
            return backoff;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _options.RetryMaxDelay ? _options.RetryMaxDelay : wait;
    }

    private static async Task<ApiStatus> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        string text;
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxErrorBody));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            text = "";
        }

        try
        {
            if (ApiStatus.TryParse(JsonNode.Parse(text)) is { } status)
            {
                return status.Code == 0 ? status with { Code = code } : status;
            }
        }
        catch (JsonException)
        {
            // Not a Status: a proxy or load balancer answered. Described below.
        }

        var snippet = text.Trim();
        if (snippet.Length > 300)
        {
            snippet = snippet[..300] + "...";
        }

        return new ApiStatus
        {
            Code = code,
            Reason = ReasonFor(code),
            Message = $"the server answered {code} {response.ReasonPhrase}{(snippet.Length > 0 ? ": " + snippet : "")}",
        };
    }

    private static string ReasonFor(int code) => code switch
    {
        400 => StatusReasons.BadRequest,
        401 => StatusReasons.Unauthorized,
        403 => StatusReasons.Forbidden,
        404 => StatusReasons.NotFound,
        405 => StatusReasons.MethodNotAllowed,
        409 => StatusReasons.Conflict,
        410 => StatusReasons.Gone,
        422 => StatusReasons.Invalid,
        429 => StatusReasons.TooManyRequests,
        503 => StatusReasons.ServiceUnavailable,
        504 => StatusReasons.Timeout,
        >= 500 => StatusReasons.InternalError,
        _ => "",
    };

    private async Task<JsonNode?> SendForJsonAsync(Request request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, cancellationToken);
        await using var stream = await response.Message.Content.ReadAsStreamAsync(response.Token);
        if (response.Message.Content.Headers.ContentLength == 0)
        {
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(stream, documentOptions: Json.DocumentOptions, cancellationToken: response.Token);
        }
        catch (JsonException ex)
        {
            throw new KubeApiException(
                new ApiStatus { Code = (int)response.Message.StatusCode, Reason = "", Message = $"the answer is not JSON: {ex.Message}" },
                request.Method.Method, request.Path, ex);
        }
    }

    private async Task<JsonObject> SendForObjectAsync(Request request, CancellationToken cancellationToken)
    {
        var node = await SendForJsonAsync(request, cancellationToken);
        return node as JsonObject ?? throw new KubeApiException(
            new ApiStatus { Code = 200, Message = "the answer is not a JSON object" }, request.Method.Method, request.Path);
    }

    private sealed record Request(HttpMethod Method, string Path)
    {
        public byte[]? Body { get; init; }

        public string? ContentType { get; init; }

        /// <summary>Safe to send again after a connection failure or a 5xx.</summary>
        public bool Idempotent { get; init; } = true;

        /// <summary>A watch: no client timeout, the body is read as a stream.</summary>
        public bool Stream { get; init; }
    }

    /// <summary>A 2xx answer; keeps its connection pool generation and timeout alive until disposed.</summary>
    private sealed class Response(HttpResponseMessage message, ClusterTransport.Generation generation, CancellationTokenSource timeout) : IDisposable
    {
        public HttpResponseMessage Message => message;

        public CancellationToken Token => timeout.Token;

        public void Dispose()
        {
            message.Dispose();
            timeout.Dispose();
            generation.Release();
        }
    }
}
