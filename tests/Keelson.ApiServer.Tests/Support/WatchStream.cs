using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Keelson.ApiServer.Tests.Support;

/// <summary>An open watch: events are read line by line in the background and handed out in order.</summary>
public sealed class WatchStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _reader;
    private readonly HttpResponseMessage _response;

    private WatchStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public System.Net.HttpStatusCode Status => _response.StatusCode;

    /// <summary>Set when the server closed the stream (normally or by a dropped connection).</summary>
    public bool Ended { get; private set; }

    public Exception? Error { get; private set; }

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        return new WatchStream(response);
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    _events.Writer.TryWrite(JsonNode.Parse(line)!.AsObject());
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Error = ex;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Ended = true;
            _events.Writer.TryComplete();
        }
    }

    /// <summary>The next event, or a timeout failure naming what was expected.</summary>
    public async Task<JsonObject> NextAsync(string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no watch event arrived while waiting for {what}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the watch ended while waiting for {what} (error: {Error?.Message ?? "none"})");
        }
    }

    /// <summary>Reads events until one matches; returns it and everything skipped.</summary>
    public async Task<(JsonObject Match, List<JsonObject> Skipped)> UntilAsync(Func<JsonObject, bool> match, string what, int maxEvents = 10_000)
    {
        var skipped = new List<JsonObject>();
        for (var i = 0; i < maxEvents; i++)
        {
            var e = await NextAsync(what);
            if (match(e))
            {
                return (e, skipped);
            }

            skipped.Add(e);
        }

        throw new InvalidOperationException($"{maxEvents} events without {what}");
    }

    /// <summary>Waits until the server ends the stream; returns events received before the end.</summary>
    public async Task<List<JsonObject>> DrainUntilEndAsync(string what)
    {
        var rest = new List<JsonObject>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(cts.Token))
            {
                rest.Add(e);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the watch did not end while waiting for {what}");
        }

        return rest;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _stop.Dispose();
    }
}
