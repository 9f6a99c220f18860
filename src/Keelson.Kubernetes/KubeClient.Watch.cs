using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

public sealed partial class KubeClient
{
    private static readonly TimeSpan WatchSilenceGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Streams changes as they arrive. Ends when the server closes the watch (its timeoutSeconds, a restart); then
    /// watch again from the last event's resourceVersion. When that resourceVersion is too old the server sends 410
    /// and this throws <see cref="KubeApiException"/> with <see cref="KubeApiException.IsGone"/>: list again.
    /// A broken connection surfaces as <see cref="IOException"/> or <see cref="HttpRequestException"/>.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ApiResource resource, string? ns = null, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new WatchOptions();
        var query = new Query()
            .Add("watch", "true")
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowBookmarks ? "true" : null)
            .Add("timeoutSeconds", options.TimeoutSeconds?.ToString());
        var path = CollectionPath(resource, ns) + query;

        // A server that stays silent well past its own timeout is behind a dead connection: give up on it quietly.
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.TimeoutSeconds is { } seconds)
        {
            silence.CancelAfter(TimeSpan.FromSeconds(seconds) + WatchSilenceGrace);
        }

        Response response;
        try
        {
            response = await SendAsync(new Request(HttpMethod.Get, path) { Stream = true }, silence.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            yield break;
        }

        using (response)
        {
            var stream = await response.Message.Content.ReadAsStreamAsync(silence.Token);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
            try
            {
                var pending = new Queue<JsonObject>();
                while (true)
                {
                    var more = await ReadEventsAsync(reader, pending, cancellationToken, silence.Token);
                    while (pending.TryDequeue(out var raw))
                    {
                        yield return ToWatchEvent(raw, path);
                    }

                    if (!more)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
    }

    /// <summary>Reads what has arrived and queues the complete events; false when the stream has ended.</summary>
    private static async Task<bool> ReadEventsAsync(PipeReader reader, Queue<JsonObject> events, CancellationToken caller, CancellationToken silence)
    {
        ReadResult result;
        try
        {
            result = await reader.ReadAsync(silence);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return false;
        }

        var buffer = result.Buffer;
        while (TrySplitEvent(ref buffer, out var evt))
        {
            events.Enqueue(evt);
        }

        reader.AdvanceTo(buffer.Start, buffer.End);
        return !result.IsCompleted;
    }

    /// <summary>
    /// Takes one complete JSON object off the front of the buffer. Events are usually one per line, but any
    /// whitespace between objects (or none) is accepted.
    /// </summary>
    internal static bool TrySplitEvent(ref ReadOnlySequence<byte> buffer, out JsonObject evt)
    {
        evt = null!;
        var scanner = new Utf8JsonReader(buffer, isFinalBlock: false, new JsonReaderState(Json.ReaderOptions));
        if (!scanner.Read())
        {
            // Only whitespace (or nothing) so far.
            buffer = buffer.Slice(scanner.Position);
            return false;
        }

        if (scanner.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a watch event must be a JSON object, found {scanner.TokenType}");
        }

        var start = scanner.TokenStartIndex;
        if (!scanner.TrySkip())
        {
            return false;
        }

        var end = scanner.Position;
        var slice = buffer.Slice(buffer.GetPosition(start), end);
        evt = (slice.IsSingleSegment ? JsonNode.Parse(slice.FirstSpan, documentOptions: Json.DocumentOptions) : JsonNode.Parse(slice.ToArray(), documentOptions: Json.DocumentOptions)) as JsonObject
            ?? throw new JsonException("a watch event must be a JSON object");
        buffer = buffer.Slice(end);
        return true;
    }

    private static WatchEvent ToWatchEvent(JsonObject raw, string path)
    {
        var type = Json.String(raw, "type");
        var obj = raw["object"] as JsonObject;
        if (type == "ERROR")
        {
            var status = ApiStatus.TryParse(obj) ?? new ApiStatus { Code = 500, Message = "the watch sent an ERROR event without a Status" };
            throw new KubeApiException(status, "WATCH", path);
        }

        if (obj is null)
        {
            throw new KubeApiException(new ApiStatus { Code = 500, Message = $"a watch event of type {type} has no object" }, "WATCH", path);
        }

        raw.Remove("object"); // detach for the caller
        return type switch
        {
            "ADDED" => new WatchEvent(WatchEventType.Added, obj),
            "MODIFIED" => new WatchEvent(WatchEventType.Modified, obj),
            "DELETED" => new WatchEvent(WatchEventType.Deleted, obj),
            "BOOKMARK" => new WatchEvent(WatchEventType.Bookmark, obj),
            _ => throw new KubeApiException(new ApiStatus { Code = 500, Message = $"unknown watch event type '{type}'" }, "WATCH", path),
        };
    }
}
