using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Faults;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;
using Microsoft.AspNetCore.Http;

namespace Keelson.ApiServer.Api;

/// <summary>Watch timing: how often bookmarks go out and how long a watch without timeoutSeconds lasts.</summary>
internal sealed record WatchSettings(TimeSpan MinTimeout, CancellationToken Shutdown);

internal sealed partial class ResourceHandler
{
    private static readonly string[] TypeNames = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"];

    private async Task WatchAsync(HttpContext http, ResourceType type, ApiRequestInfo info)
    {
        var query = http.Request.Query;
        var output = MediaTypes.Negotiate(http.Request.Headers.Accept, isList: true);
        var (predicate, fields, _) = Filter(type, query);
        var ns = info.Namespace ?? fields.ExactNamespace;
        if (info.Name is { } single)
        {
            var inner = predicate;
            predicate = o => o.Name == single && (inner is null || inner(o));
        }

        var rvText = query["resourceVersion"].ToString();
        var match = query["resourceVersionMatch"].ToString();
        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        var initialEvents = query["sendInitialEvents"].ToString() is "true" or "1";
        if (query["sendInitialEvents"].Count > 0 && match != "NotOlderThan")
        {
            throw ApiException.Invalid("meta.k8s.io", "ListOptions", "",
                [Schema.FieldError.Forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")]);
        }

        if (initialEvents && !bookmarks)
        {
            throw ApiException.Invalid("meta.k8s.io", "ListOptions", "",
                [Schema.FieldError.Forbidden("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true")]);
        }

        WatchStart start;
        if (initialEvents)
        {
            start = new WatchStart.CurrentState(InitialEventsBookmark: true);
        }
        else if (rvText is "" or "0")
        {
            start = new WatchStart.CurrentState(InitialEventsBookmark: false);
        }
        else if (long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            await WaitForResourceVersionAsync(rv, http.RequestAborted);
            start = new WatchStart.After(rv);
        }
        else
        {
            throw ApiException.BadRequest($"invalid resource version: {rvText}");
        }

        var timeout = query["timeoutSeconds"].ToString() is { Length: > 0 } t && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : _watch.MinTimeout + TimeSpan.FromSeconds(Random.Shared.NextDouble() * _watch.MinTimeout.TotalSeconds);

        Watcher watcher;
        try
        {
            watcher = Store.Watch(type.GroupResource, new WatchFilter(type.Namespaced ? (ns?.Length > 0 ? ns : null) : null, predicate), start, bookmarks && output.Kind == OutputKind.Json, info);
        }
        catch (HistoryExpiredException ex)
        {
            // Upstream answers 200 and sends the 410 as an ERROR event on the stream.
            http.Response.StatusCode = 200;
            http.Response.ContentType = output.ContentType;
            var error = ApiException.Expired(ex.Message).ToStatus();
            await http.Response.Body.WriteAsync(Frame("ERROR", error), http.RequestAborted);
            return;
        }

        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = output.ContentType;
            http.Response.Headers.CacheControl = "no-cache, private";
            await http.Response.StartAsync(http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            using var timer = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _watch.Shutdown, timer.Token);
            var columns = output.Kind == OutputKind.Table ? TableWriter.ColumnsFor(type) : null;
            var include = query["includeObject"].ToString();
            var firstTable = true;
            var writer = http.Response.BodyWriter;
            try
            {
                while (await watcher.Reader.WaitToReadAsync(linked.Token))
                {
                    while (watcher.Reader.TryRead(out var item))
                    {
                        watcher.Consumed();
                        var frame = output.Kind switch
                        {
                            OutputKind.Table => TableFrame(type, item, columns!, include, output, ref firstTable),
                            OutputKind.PartialMetadataList => PartialFrame(type, item, output),
                            _ => JsonFrame(type, item),
                        };
                        if (frame is not null)
                        {
                            writer.Write(frame);
                        }
                    }

                    await writer.FlushAsync(linked.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout, client gone or server stopping: the watch simply ends.
            }

            if (watcher.EndReason == WatchEnd.Dropped)
            {
                http.Abort();
            }
        }
        finally
        {
            Store.Unwatch(watcher);
        }
    }

    /// <summary>
    /// A resourceVersion newer than the store is waited for briefly, then refused, as upstream does. This is a
    /// network-level wait measured in real time, not simulated cluster time.
    /// </summary>
    private async Task WaitForResourceVersionAsync(long rv, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (rv > Store.ResourceVersion)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(3))
            {
                throw new ApiException(504, "Timeout", $"Timeout: Too large resource version: {rv}, current: {Store.ResourceVersion}")
                {
                    RetryAfterSeconds = 1,
                    Causes = [new StatusCause("ResourceVersionTooLarge", "Too large resource version", null)],
                };
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static byte[] JsonFrame(ResourceType type, WatchItem item)
    {
        if (item.Type == WatchItemType.Bookmark)
        {
            return Frame("BOOKMARK", Bookmark(type, item));
        }

        var obj = item.Object!;
        var index = (int)item.Type;
        if (obj.ResourceVersion == item.ResourceVersion && ObjectService.IsPresentable(type, obj))
        {
            return obj.Frame(index, TypeNames[index]);
        }

        var view = ObjectService.PresentCopy(type, obj);
        view.Ensure("metadata")["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        return Frame(TypeNames[index], view);
    }

    private static JsonObject Bookmark(ResourceType type, WatchItem item)
    {
        var meta = new JsonObject
        {
            ["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture),
            ["creationTimestamp"] = null,
        };
        if (item.InitialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = meta };
    }

    private byte[]? TableFrame(ResourceType type, WatchItem item, IReadOnlyList<TableColumn> columns, string include, Output output, ref bool first)
    {
        if (item.Type == WatchItemType.Bookmark)
        {
            return null;
        }

        var obj = item.Object!;
        var view = ObjectService.PresentCopy(type, obj);
        view.Ensure("metadata")["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow();
        var withColumns = first;
        first = false;
        var table = Responses.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", "Table");
            w.WriteString("apiVersion", output.ApiVersion);
            w.WriteStartObject("metadata");
            w.WriteString("resourceVersion", item.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            if (withColumns)
            {
                TableWriter.WriteColumns(w, columns);
            }
            else
            {
                w.WriteStartArray("columnDefinitions");
                w.WriteEndArray();
            }

            w.WriteStartArray("rows");
            TableWriter.WriteRow(w, columns, view, default, now, include);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return Frame(TypeNames[(int)item.Type], table);
    }

    private static byte[]? PartialFrame(ResourceType type, WatchItem item, Output output)
    {
        if (item.Type == WatchItemType.Bookmark)
        {
            return Frame("BOOKMARK", Bookmark(type, item));
        }

        var view = ObjectService.PresentCopy(type, item.Object!);
        view.Ensure("metadata")["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var partial = Responses.Write(w => TableWriter.WritePartial(w, view, output.ApiVersion));
        return Frame(TypeNames[(int)item.Type], partial);
    }

    private static byte[] Frame(string type, JsonNode obj) => Frame(type, Responses.Serialize(obj));

    private static byte[] Frame(string type, byte[] objectJson)
    {
        var prefix = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var frame = new byte[prefix.Length + objectJson.Length + 2];
        prefix.CopyTo(frame, 0);
        objectJson.CopyTo(frame, prefix.Length);
        frame[^2] = (byte)'}';
        frame[^1] = (byte)'\n';
        return frame;
    }
}
