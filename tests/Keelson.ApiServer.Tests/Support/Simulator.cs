using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Support;

/// <summary>A running simulator plus an HTTP client that talks to it; one per test class.</summary>
public sealed class Simulator : IAsyncLifetime
{
    private ApiServerHost? _host;
    private HttpClient? _client;

    public ApiServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public HttpClient Client => _client ?? throw new InvalidOperationException("not started");

    /// <summary>Options for subclasses or tests that need a different setup.</summary>
    public ApiServerOptions Options { get; init; } = new() { ReadyDelay = TimeSpan.FromMilliseconds(200) };

    public async ValueTask InitializeAsync()
    {
        _host = await ApiServerHost.StartAsync(Options, TestContext.Current.CancellationToken);
        _client = _host.CreateHttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public static async Task<Simulator> StartAsync(ApiServerOptions options)
    {
        var simulator = new Simulator { Options = options };
        await simulator.InitializeAsync();
        return simulator;
    }

    /// <summary>Creates a namespace with a unique name and returns the name.</summary>
    public async Task<string> NewNamespaceAsync(string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name },
        });
        response.EnsureStatus(HttpStatusCode.Created);

        // Like a real cluster, every namespace gets kube-root-ca.crt shortly after creation; wait so listings are stable.
        if (Host.CaCertificatePem is not null && Options.PublishNamespaceDefaults)
        {
            await Until.WaitAsync(
                async _ => (await Client.GetJsonAsync($"/api/v1/namespaces/{name}/configmaps/kube-root-ca.crt")).Status == HttpStatusCode.OK,
                $"kube-root-ca.crt in {name}");
        }

        return name;
    }
}

/// <summary>A response body parsed as JSON, with its status and headers.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers, string Text)
{
    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"not an object: {Text}");

    public ApiResponse EnsureStatus(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"expected {(int)expected} {expected} but got {(int)Status} {Status}: {Text}");
        return this;
    }

    public string? Reason => Object["reason"]?.GetValue<string>();

    public string? Message => Object["message"]?.GetValue<string>();

    public IReadOnlyList<string> Warnings => Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
}

public static class HttpClientExtensions
{
    public static async Task<ApiResponse> SendJsonAsync(this HttpClient client, HttpMethod method, string path, JsonNode? body = null,
        string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonNode? parsed = null;
        if (text.Length > 0 && (text[0] == '{' || text[0] == '['))
        {
            parsed = JsonNode.Parse(text);
        }

        return new ApiResponse(response.StatusCode, parsed, response.Headers, text);
    }

    public static async Task<ApiResponse> SendTextAsync(this HttpClient client, HttpMethod method, string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new ApiResponse(response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text) : null, response.Headers, text);
    }

    public static Task<ApiResponse> GetJsonAsync(this HttpClient client, string path, string? accept = null) =>
        client.SendJsonAsync(HttpMethod.Get, path, accept: accept);

    public static Task<ApiResponse> PostJsonAsync(this HttpClient client, string path, JsonNode body) =>
        client.SendJsonAsync(HttpMethod.Post, path, body);

    public static Task<ApiResponse> PutJsonAsync(this HttpClient client, string path, JsonNode body) =>
        client.SendJsonAsync(HttpMethod.Put, path, body);

    public static Task<ApiResponse> PatchJsonAsync(this HttpClient client, string path, JsonNode body, string contentType = "application/merge-patch+json") =>
        client.SendJsonAsync(HttpMethod.Patch, path, body, contentType);

    public static Task<ApiResponse> ApplyAsync(this HttpClient client, string path, JsonNode body, string manager, bool force = false)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return client.SendJsonAsync(HttpMethod.Patch, $"{path}{separator}fieldManager={manager}{(force ? "&force=true" : "")}", body, "application/apply-patch+yaml");
    }

    public static Task<ApiResponse> DeleteJsonAsync(this HttpClient client, string path, JsonNode? body = null) =>
        client.SendJsonAsync(HttpMethod.Delete, path, body);
}

/// <summary>Builders for the objects tests use most.</summary>
public static class Manifests
{
    public static JsonObject ConfigMap(string name, IDictionary<string, string>? data = null, IDictionary<string, string>? labels = null)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name },
        };
        if (labels is not null)
        {
            obj["metadata"]!["labels"] = new JsonObject(labels.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }

        if (data is not null)
        {
            obj["data"] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }

        return obj;
    }

    public static JsonObject Deployment(string name, string image = "nginx:1.25", int? replicas = null, IDictionary<string, string>? annotations = null)
    {
        var obj = JsonNode.Parse($$$"""
            {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "metadata": {"name": "{{{name}}}"},
              "spec": {
                "selector": {"matchLabels": {"app": "{{{name}}}"}},
                "template": {
                  "metadata": {"labels": {"app": "{{{name}}}"}},
                  "spec": {"containers": [{"name": "main", "image": "{{{image}}}", "ports": [{"containerPort": 80}]}]}
                }
              }
            }
            """)!.AsObject();
        if (replicas is { } r)
        {
            obj["spec"]!["replicas"] = r;
        }

        if (annotations is not null)
        {
            obj["metadata"]!["annotations"] = new JsonObject(annotations.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }

        return obj;
    }

    /// <summary>A dotted path's value as text for assertions: strings bare, anything else as JSON; array indexes are numbers.</summary>
    public static string? Field(this JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonArray array && int.TryParse(part, out var index) ? array[index] : node?[part];
        }

        return node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();
    }
}
