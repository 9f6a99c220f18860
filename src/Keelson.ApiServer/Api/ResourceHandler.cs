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

/// <summary>Serves resource requests: get, list, watch, create, update, patch, delete, deletecollection and subresources.</summary>
internal sealed partial class ResourceHandler
{
    private readonly ObjectService _objects;
    private readonly TimeProvider _time;
    private readonly WatchSettings _watch;

    public ResourceHandler(ObjectService objects, TimeProvider time, WatchSettings watch)
    {
        _objects = objects;
        _time = time;
        _watch = watch;
    }

    private ObjectStore Store => _objects.Store;

    public async Task HandleAsync(HttpContext http, ApiRequestInfo info)
    {
        var type = _objects.Registry.Find(info.Group, info.Version, info.Resource) ?? throw NotFoundRoute();
        if (!type.Namespaced && info.Namespace is not null)
        {
            throw NotFoundRoute();
        }

        if (type.Namespaced && info.Namespace is null && info.Verb is not ("list" or "watch" or "deletecollection"))
        {
            throw NotFoundRoute();
        }

        if (BuiltInKinds.IsReview(type))
        {
            await ReviewAsync(http, type, info);
            return;
        }

        var ns = info.Namespace ?? "";
        if (info.Subresource is { } sub)
        {
            var allowed = sub switch
            {
                "status" => type.HasStatus && info.Verb is "get" or "update" or "patch",
                "scale" => type.Scale is not null && info.Verb is "get" or "update" or "patch",
                "finalize" => type.Plural == "namespaces" && type.Group.Length == 0 && info.Verb == "update",
                _ => false,
            };
            if (!allowed)
            {
                throw sub is "status" or "scale" or "finalize" && (type.HasStatus || type.Scale is not null)
                    ? ApiException.MethodNotAllowed("the server does not allow this method on the requested resource")
                    : NotFoundRoute();
            }

            if (sub == "scale")
            {
                await ScaleAsync(http, type, ns, info);
                return;
            }
        }
        else if (!type.Allows(info.Verb) && info.Verb is not "get")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        switch (info.Verb)
        {
            case "get":
                await GetAsync(http, type, ns, info.Name!);
                break;
            case "list":
                await ListAsync(http, type, info.Namespace);
                break;
            case "watch":
                await WatchAsync(http, type, info);
                break;
            case "create":
                if (info.Name is not null)
                {
                    throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
                }

                await CreateAsync(http, type, ns);
                break;
            case "update":
                await UpdateAsync(http, type, ns, info.Name!, info.Subresource);
                break;
            case "patch":
                await PatchAsync(http, type, ns, info.Name!, info.Subresource);
                break;
            case "delete":
                await DeleteAsync(http, type, ns, info.Name!);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(http, type, info.Namespace);
                break;
            default:
                throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    public static ApiException NotFoundRoute() => new(404, "NotFound", "the server could not find the requested resource");

    // ------------------------------------------------------------ get

    private async Task GetAsync(HttpContext http, ResourceType type, string ns, string name)
    {
        var output = MediaTypes.Negotiate(http.Request.Headers.Accept, isList: false);
        var stored = _objects.Get(type, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
        await WriteObjectAsync(http, 200, type, stored, output);
    }

    private async Task WriteObjectAsync(HttpContext http, int status, ResourceType type, StoredObject stored, Output output)
    {
        switch (output.Kind)
        {
            case OutputKind.Table:
                var columns = TableWriter.ColumnsFor(type);
                var view = ObjectService.Present(type, stored);
                var include = http.Request.Query["includeObject"].ToString();
                var now = _time.GetUtcNow();
                var bytes = Responses.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("kind", "Table");
                    w.WriteString("apiVersion", output.ApiVersion);
                    w.WriteStartObject("metadata");
                    w.WriteString("resourceVersion", stored.ResourceVersion.ToString(CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                    TableWriter.WriteColumns(w, columns);
                    w.WriteStartArray("rows");
                    TableWriter.WriteRow(w, columns, view, ObjectService.IsPresentable(type, stored) ? stored.Json : default, now, include);
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                await Responses.WriteBytesAsync(http, status, bytes, output.ContentType);
                break;
            case OutputKind.PartialMetadata:
                var partial = Responses.Write(w => TableWriter.WritePartial(w, ObjectService.Present(type, stored), output.ApiVersion));
                await Responses.WriteBytesAsync(http, status, partial, output.ContentType);
                break;
            default:
                if (ObjectService.IsPresentable(type, stored))
                {
                    await Responses.WriteBytesAsync(http, status, stored.Json);
                }
                else
                {
                    await Responses.WriteJsonAsync(http, status, ObjectService.Present(type, stored));
                }

                break;
        }
    }

    // ------------------------------------------------------------ list

    private async Task ListAsync(HttpContext http, ResourceType type, string? ns)
    {
        var query = http.Request.Query;
        var output = MediaTypes.Negotiate(http.Request.Headers.Accept, isList: true);
        var (predicate, fields, hasSelector) = Filter(type, query);
        ns ??= fields.ExactNamespace;
        var limit = ParseLimit(query["limit"].ToString());
        var continueText = query["continue"].ToString();
        BucketState state;
        long rv;
        (string Namespace, string Name)? after = null;
        if (continueText.Length > 0)
        {
            var token = ContinueToken.Decode(continueText);
            rv = token.ResourceVersion;
            after = (token.Namespace, token.Name);
            state = Store.FindSnapshot(type.GroupResource, rv) ?? throw ExpiredContinue(type, token);
        }
        else
        {
            state = SnapshotFor(type, query["resourceVersion"].ToString(), query["resourceVersionMatch"].ToString(), out rv);
        }

        IEnumerable<StoredObject> source = fields.ExactName is { } exact
            ? (ns is null ? state.Enumerate(null).Where(o => o.Name == exact) : state.Get(ns, exact) is { } one ? [one] : [])
            : state.Enumerate(ns, after);
        if (after is { } a && fields.ExactName is not null)
        {
            source = source.Where(o => string.CompareOrdinal(o.Key, a.Namespace.Length == 0 ? a.Name : $"{a.Namespace}/{a.Name}") > 0);
        }

        var items = new List<StoredObject>();
        string? next = null;
        long? remaining = null;
        var counted = 0L;
        var more = false;
        foreach (var obj in source)
        {
            if (predicate is not null && !predicate(obj))
            {
                continue;
            }

            if (limit > 0 && items.Count == limit)
            {
                more = true;
                if (hasSelector)
                {
                    break;
                }

                counted++;
                continue;
            }

            items.Add(obj);
        }

        if (more)
        {
            var last = items[^1];
            next = new ContinueToken(rv, last.Namespace, last.Name).Encode();
            Store.KeepSnapshot(type.GroupResource, rv, state);
            remaining = hasSelector ? null : counted;
        }

        var rvText = rv.ToString(CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow();
        var include = query["includeObject"].ToString();
        var columns = output.Kind == OutputKind.Table ? TableWriter.ColumnsFor(type) : null;
        await StreamListAsync(http, output.ContentType, items,
            w =>
            {
                w.WriteStartObject();
                switch (output.Kind)
                {
                    case OutputKind.Table:
                        w.WriteString("kind", "Table");
                        w.WriteString("apiVersion", output.ApiVersion);
                        WriteListMeta(w, rvText, next, remaining);
                        TableWriter.WriteColumns(w, columns!);
                        w.WriteStartArray("rows");
                        break;
                    case OutputKind.PartialMetadataList:
                        w.WriteString("kind", "PartialObjectMetadataList");
                        w.WriteString("apiVersion", output.ApiVersion);
                        WriteListMeta(w, rvText, next, remaining);
                        w.WriteStartArray("items");
                        break;
                    default:
                        w.WriteString("kind", type.ListKind);
                        w.WriteString("apiVersion", type.ApiVersion);
                        WriteListMeta(w, rvText, next, remaining);
                        w.WriteStartArray("items");
                        break;
                }
            },
            (w, item) =>
            {
                var presentable = ObjectService.IsPresentable(type, item);
                switch (output.Kind)
                {
                    case OutputKind.Table:
                        TableWriter.WriteRow(w, columns!, ObjectService.Present(type, item), presentable ? item.Json : default, now, include);
                        break;
                    case OutputKind.PartialMetadataList:
                        TableWriter.WritePartial(w, ObjectService.Present(type, item), output.ApiVersion);
                        break;
                    default:
                        if (presentable)
                        {
                            w.WriteRawValue(item.Json, skipInputValidation: true);
                        }
                        else
                        {
                            ObjectService.Present(type, item).WriteTo(w);
                        }

                        break;
                }
            });
    }

    /// <summary>
    /// Streams a list straight into the response, flushing as it goes, so a 10,000-object list is never built as one
    /// large buffer and the client starts receiving at once.
    /// </summary>
    private static async Task StreamListAsync(HttpContext http, string contentType, List<StoredObject> items, Action<Utf8JsonWriter> head, Action<Utf8JsonWriter, StoredObject> item)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = contentType;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        var pipe = http.Response.BodyWriter;
        using var w = new Utf8JsonWriter(pipe, Responses.WriterOptions);
        head(w);
        foreach (var obj in items)
        {
            item(w, obj);
            if (w.BytesPending > 64 * 1024)
            {
                w.Flush();
                await pipe.FlushAsync(http.RequestAborted);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        await pipe.FlushAsync(http.RequestAborted);
    }

    private BucketState SnapshotFor(ResourceType type, string rvText, string match, out long rv)
    {
        if (match == "Exact" && long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var exact))
        {
            var current = Store.Snapshot(type.GroupResource, out rv);
            if (rv == exact || current.ResourceVersion <= exact && exact <= rv)
            {
                return current;
            }

            rv = exact;
            return Store.FindSnapshot(type.GroupResource, exact) ?? throw ApiException.Expired($"too old resource version: {exact} ({Store.ResourceVersion})");
        }

        if (match is not ("" or "Exact" or "NotOlderThan"))
        {
            throw ApiException.Invalid("meta.k8s.io", "ListOptions", "", [Schema.FieldError.NotSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan"])]);
        }

        return Store.Snapshot(type.GroupResource, out rv);
    }

    private static void WriteListMeta(Utf8JsonWriter w, string rv, string? next, long? remaining)
    {
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", rv);
        if (next is not null)
        {
            w.WriteString("continue", next);
        }

        if (remaining is { } count)
        {
            w.WriteNumber("remainingItemCount", count);
        }

        w.WriteEndObject();
    }

    private ApiException ExpiredContinue(ResourceType type, ContinueToken token)
    {
        Store.Snapshot(type.GroupResource, out var rv);
        return new ApiException(410, "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
        {
            Continue = new ContinueToken(rv, token.Namespace, token.Name).Encode(),
        };
    }

    private static int ParseLimit(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit)
            ? (int)Math.Clamp(limit, 0, int.MaxValue)
            : throw ApiException.BadRequest($"invalid limit: {text}");
    }

    /// <summary>The label and field selector of a request, checked against the fields the kind supports.</summary>
    private static (Func<StoredObject, bool>? Predicate, FieldSelector Fields, bool HasSelector) Filter(ResourceType type, IQueryCollection query)
    {
        var labels = LabelSelector.Parse(query["labelSelector"].ToString());
        var fields = FieldSelector.Parse(query["fieldSelector"].ToString());
        var labels2 = type.Behavior.FieldLabels;
        foreach (var (field, _, _) in fields.Terms)
        {
            if (field is "metadata.name" or "metadata.namespace" || labels2.ContainsKey(field))
            {
                continue;
            }

            throw ApiException.BadRequest(type.IsCustom
                ? $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                : $"field label not supported: {field}");
        }

        if (labels.IsEmpty && fields.IsEmpty)
        {
            return (null, fields, false);
        }

        bool Matches(StoredObject o) =>
            labels.Matches(o.Labels) && fields.Matches(f => f switch
            {
                "metadata.name" => o.Name,
                "metadata.namespace" => o.Namespace,
                _ => labels2[f](o.Object),
            });

        return (Matches, fields, true);
    }

    // ------------------------------------------------------------ writes

    private static WriteOptions WriteOptionsFrom(HttpContext http, bool apply, string? subresource)
    {
        var query = http.Request.Query;
        var dryRun = query["dryRun"];
        foreach (var value in dryRun)
        {
            if (value != "All")
            {
                throw ApiException.BadRequest($"Invalid dry run value: dryRun: Unsupported value: \"{value}\": supported values: \"All\"");
            }
        }

        var validationText = query["fieldValidation"].ToString();
        var validation = validationText switch
        {
            "" or "Warn" => FieldValidation.Warn,
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            _ => throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{validationText}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
        };
        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0 && !apply)
        {
            manager = ManagerFromUserAgent(http.Request.Headers.UserAgent.ToString());
        }

        if (manager.Length > 128)
        {
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", "", [Schema.FieldError.Invalid("fieldManager", manager, "must be at most 128 characters")]);
        }

        var forceText = query["force"].ToString();
        if (forceText.Length > 0 && !apply)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
        }

        return new WriteOptions
        {
            DryRun = dryRun.Count > 0,
            FieldManager = manager,
            Force = forceText is "true" or "1",
            Validation = validation,
            Subresource = subresource,
        };
    }

    /// <summary>Upstream's default manager for non-apply writes: the user agent up to its first slash.</summary>
    public static string ManagerFromUserAgent(string agent)
    {
        var prefix = agent.Split('/')[0];
        var sb = new StringBuilder();
        foreach (var c in prefix)
        {
            if (!char.IsControl(c) && sb.Length < 128)
            {
                sb.Append(c);
            }
        }

        return sb.Length == 0 ? "unknown" : sb.ToString();
    }

    private static void RequireBodyType(HttpContext http, params string[] accepted)
    {
        var type = http.Request.ContentType is { Length: > 0 } ct ? MediaTypes.Parse(ct).Type : MediaTypes.Json;
        if (!accepted.Contains(type))
        {
            throw ApiException.UnsupportedMediaType(type, accepted);
        }
    }

    private static async Task WriteResultAsync(HttpContext http, ResourceType type, WriteResult result, int status)
    {
        Responses.AddWarnings(http.Response, result.Warnings);
        if (result.Stored is { } stored && ObjectService.IsPresentable(type, stored))
        {
            await Responses.WriteBytesAsync(http, status, stored.Json);
        }
        else
        {
            await Responses.WriteJsonAsync(http, status, result.Object);
        }
    }

    private async Task CreateAsync(HttpContext http, ResourceType type, string ns)
    {
        RequireBodyType(http, MediaTypes.Json, MediaTypes.Yaml, MediaTypes.Protobuf);
        var options = WriteOptionsFrom(http, apply: false, null);
        var (body, warnings) = await ReadObjectAsync(http, type, options);
        var result = _objects.Create(type, ns, body, options);
        await WriteResultAsync(http, type, WithWarnings(result, warnings), 201);
    }

    private async Task UpdateAsync(HttpContext http, ResourceType type, string ns, string name, string? subresource)
    {
        RequireBodyType(http, MediaTypes.Json, MediaTypes.Yaml, MediaTypes.Protobuf);
        var options = WriteOptionsFrom(http, apply: false, subresource);
        var (body, warnings) = await ReadObjectAsync(http, type, options);
        var result = _objects.Update(type, ns, name, body, options);
        await WriteResultAsync(http, type, WithWarnings(result, warnings), 200);
    }

    /// <summary>Reads an object body; repeated keys are refused (Strict) or reported (Warn), the last value winning.</summary>
    private static async Task<(JsonObject Body, List<string> Warnings)> ReadObjectAsync(HttpContext http, ResourceType type, WriteOptions options)
    {
        var duplicates = new List<string>();
        var body = RequestBody.ParseObject(await RequestBody.ReadAsync(http.Request, http.RequestAborted), http.Request.ContentType, duplicates);
        return (body, DuplicateWarnings(type, options, duplicates));
    }

    private static List<string> DuplicateWarnings(ResourceType type, WriteOptions options, List<string> duplicates)
    {
        if (duplicates.Count == 0 || options.Validation == FieldValidation.Ignore)
        {
            return [];
        }

        var messages = duplicates.Select(d => $"duplicate field {Schema.FieldError.Quote(d)}").ToList();
        if (options.Validation == FieldValidation.Strict)
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", messages)}");
        }

        return messages;
    }

    private static WriteResult WithWarnings(WriteResult result, List<string> warnings) =>
        warnings.Count == 0 ? result : result with { Warnings = [.. warnings, .. result.Warnings] };

    private static readonly string[] PatchTypes = [MediaTypes.JsonPatch, MediaTypes.MergePatch, MediaTypes.StrategicPatch, MediaTypes.ApplyPatch];

    private async Task PatchAsync(HttpContext http, ResourceType type, string ns, string name, string? subresource)
    {
        var (kind, node, duplicates) = await ReadPatchAsync(http, type);
        var options = WriteOptionsFrom(http, apply: kind == PatchKind.Apply, subresource);
        var warnings = DuplicateWarnings(type, options, duplicates);
        var result = _objects.Patch(type, ns, name, kind, node, options);
        await WriteResultAsync(http, type, WithWarnings(result, warnings), result.Created ? 201 : 200);
    }

    private static async Task<(PatchKind Kind, JsonNode Node, List<string> Duplicates)> ReadPatchAsync(HttpContext http, ResourceType type)
    {
        var contentType = http.Request.ContentType is { Length: > 0 } ct ? MediaTypes.Parse(ct).Type : "";
        var accepted = type.IsCustom ? PatchTypes.Where(t => t != MediaTypes.StrategicPatch).ToArray() : PatchTypes;
        var kind = contentType switch
        {
            MediaTypes.JsonPatch => PatchKind.Json,
            MediaTypes.MergePatch => PatchKind.Merge,
            MediaTypes.StrategicPatch => PatchKind.Strategic,
            MediaTypes.ApplyPatch => PatchKind.Apply,
            _ => throw ApiException.UnsupportedMediaType(contentType, accepted),
        };
        var duplicates = new List<string>();
        var node = RequestBody.Parse(await RequestBody.ReadAsync(http.Request, http.RequestAborted), contentType, duplicates)
            ?? throw ApiException.BadRequest("the patch is empty");
        return (kind, node, duplicates);
    }

    private async Task DeleteAsync(HttpContext http, ResourceType type, string ns, string name)
    {
        var options = await DeleteOptionsFromAsync(http);
        var result = _objects.Delete(type, ns, name, options);
        if (result.Deleted)
        {
            await Responses.WriteJsonAsync(http, 200, Responses.Success(name, type.Group, type.Plural, result.Object.Obj("metadata").Str("uid") ?? ""));
        }
        else
        {
            // Upstream's delete handler answers 202 only for the legacy orphanDependents=false; a foreground delete (the
            // object kept with deletionTimestamp and the foregroundDeletion finalizer) is a 200 like any other
            // (k8s.io/apiserver/pkg/endpoints/handlers/delete.go).
            await Responses.WriteJsonAsync(http, options.OrphanDependents == false ? 202 : 200, result.Object);
        }
    }

    private static async Task<DeleteOptions> DeleteOptionsFromAsync(HttpContext http)
    {
        var query = http.Request.Query;
        JsonObject? body = null;
        var bytes = await RequestBody.ReadAsync(http.Request, http.RequestAborted);
        if (bytes.Length > 0 && bytes.Any(b => !char.IsWhiteSpace((char)b)))
        {
            body = RequestBody.ParseObject(bytes, http.Request.ContentType);
        }

        var dryRun = query["dryRun"].Count > 0 || body.Arr("dryRun")?.Any(v => v.AsString() == "All") == true;
        foreach (var value in query["dryRun"].Concat(body.Arr("dryRun")?.Select(v => v.AsString()) ?? []))
        {
            if (value != "All")
            {
                throw ApiException.BadRequest($"Invalid dry run value: dryRun: Unsupported value: \"{value}\": supported values: \"All\"");
            }
        }

        long? grace = body.Int("gracePeriodSeconds");
        if (query["gracePeriodSeconds"].ToString() is { Length: > 0 } graceText)
        {
            grace = long.TryParse(graceText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g) ? g : throw ApiException.BadRequest($"invalid gracePeriodSeconds: {graceText}");
        }

        var propagation = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : body.Str("propagationPolicy");
        bool? orphan = query["orphanDependents"].ToString() is { Length: > 0 } o ? o == "true" : body.Bool("orphanDependents");
        if (orphan is not null && propagation is not null)
        {
            throw ApiException.Invalid("meta.k8s.io", "DeleteOptions", "", [Schema.FieldError.Invalid("propagationPolicy", propagation, "orphanDependents and deletionPropagation cannot be both set")]);
        }

        return new DeleteOptions
        {
            DryRun = dryRun,
            GracePeriodSeconds = grace,
            PropagationPolicy = propagation,
            OrphanDependents = orphan,
            PreconditionUid = body?.Obj("preconditions").Str("uid"),
            PreconditionResourceVersion = body?.Obj("preconditions").Str("resourceVersion"),
        };
    }

    private async Task DeleteCollectionAsync(HttpContext http, ResourceType type, string? ns)
    {
        var (predicate, fields, _) = Filter(type, http.Request.Query);
        ns ??= fields.ExactNamespace;
        var options = await DeleteOptionsFromAsync(http);
        var state = Store.Snapshot(type.GroupResource, out _);
        var deleted = new JsonArray();
        foreach (var obj in state.Enumerate(ns).ToList())
        {
            if (predicate is not null && !predicate(obj))
            {
                continue;
            }

            try
            {
                var result = _objects.Delete(type, obj.Namespace, obj.Name, options);
                deleted.Add(result.Object.DeepClone());
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
            }
        }

        await Responses.WriteJsonAsync(http, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        });
    }

    // ------------------------------------------------------------ scale subresource

    private async Task ScaleAsync(HttpContext http, ResourceType type, string ns, ApiRequestInfo info)
    {
        var name = info.Name!;
        var stored = _objects.Get(type, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
        var scale = ScaleOf(type, ObjectService.Present(type, stored));
        if (info.Verb == "get")
        {
            await Responses.WriteJsonAsync(http, 200, scale);
            return;
        }

        JsonObject desired;
        long? pinned = null;
        WriteOptions options;
        if (info.Verb == "update")
        {
            options = WriteOptionsFrom(http, apply: false, "scale");
            desired = RequestBody.ParseObject(await RequestBody.ReadAsync(http.Request, http.RequestAborted), http.Request.ContentType);
            if (desired.Obj("metadata").Str("resourceVersion") is { Length: > 0 } rvText)
            {
                pinned = long.Parse(rvText, CultureInfo.InvariantCulture);
            }
        }
        else
        {
            var (kind, patch, _) = await ReadPatchAsync(http, type);
            options = WriteOptionsFrom(http, apply: kind == PatchKind.Apply, "scale");
            try
            {
                desired = kind switch
                {
                    PatchKind.Json => Patching.JsonPatch.Apply(scale, patch as JsonArray ?? throw ApiException.BadRequest("json patch must be a list")) as JsonObject,
                    _ => Patching.JsonMergePatch.Apply(scale, patch) as JsonObject,
                } ?? throw ApiException.BadRequest("the patch did not produce an object");
            }
            catch (Patching.PatchException ex)
            {
                throw ApiException.FromPatch(ex);
            }
        }

        var replicas = desired.Obj("spec").Int("replicas") ?? throw ApiException.Invalid("autoscaling", "Scale", name, [Schema.FieldError.Required("spec.replicas")]);
        if (replicas < 0)
        {
            throw ApiException.Invalid("autoscaling", "Scale", name, [Schema.FieldError.Invalid("spec.replicas", JsonValue.Create(replicas), "must be greater than or equal to 0")]);
        }

        var target = new JsonObject();
        SetPath(target, type.Scale!.SpecReplicasPath, JsonValue.Create(replicas));
        if (pinned is { } rv)
        {
            target.Ensure("metadata")["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        }

        var result = _objects.Patch(type, ns, name, PatchKind.Merge, target, options);
        await Responses.WriteJsonAsync(http, 200, ScaleOf(type, result.Object));
    }

    private static JsonObject ScaleOf(ResourceType type, JsonObject obj)
    {
        var meta = obj.Obj("metadata") ?? [];
        var spec = type.Scale!;
        var status = new JsonObject { ["replicas"] = obj.At(spec.StatusReplicasPath.TrimStart('.'))?.AsLong() ?? 0 };
        if (spec.LabelSelectorPath is { } selectorPath && obj.At(selectorPath.TrimStart('.')) is { } selector)
        {
            status["selector"] = selector is JsonObject s ? Cells.Selector(s) : selector.AsString();
        }
        else if (obj.Obj("spec")?.Obj("selector") is { } specSelector && !type.IsCustom)
        {
            status["selector"] = Cells.Selector(specSelector);
        }

        var scaleMeta = new JsonObject
        {
            ["name"] = meta["name"]?.DeepClone(),
        };
        if (meta["namespace"] is { } ns)
        {
            scaleMeta["namespace"] = ns.DeepClone();
        }

        scaleMeta["uid"] = meta["uid"]?.DeepClone();
        scaleMeta["resourceVersion"] = meta["resourceVersion"]?.DeepClone();
        scaleMeta["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone();
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = obj.At(spec.SpecReplicasPath.TrimStart('.'))?.AsLong() ?? 0 },
            ["status"] = status,
        };
    }

    private static void SetPath(JsonObject root, string dotted, JsonNode value)
    {
        var parts = dotted.Trim('.').Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node.Ensure(part);
        }

        node[parts[^1]] = value;
    }

    // ------------------------------------------------------------ reviews

    private static async Task ReviewAsync(HttpContext http, ResourceType type, ApiRequestInfo info)
    {
        if (info.Verb != "create")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        var body = RequestBody.ParseObject(await RequestBody.ReadAsync(http.Request, http.RequestAborted), http.Request.ContentType);
        var response = new JsonObject
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
        };
        if (body["spec"] is { } spec)
        {
            response["spec"] = spec.DeepClone();
        }

        response["status"] = type.Plural switch
        {
            "selfsubjectaccessreviews" => new JsonObject { ["allowed"] = true, ["reason"] = "the simulator authorizes every authenticated request" },
            "selfsubjectrulesreviews" => new JsonObject
            {
                ["resourceRules"] = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") }),
                ["nonResourceRules"] = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") }),
                ["incomplete"] = false,
            },
            _ => new JsonObject
            {
                ["userInfo"] = new JsonObject { ["username"] = "keelson-admin", ["groups"] = new JsonArray("system:masters", "system:authenticated") },
            },
        };
        await Responses.WriteJsonAsync(http, 201, response);
    }
}

/// <summary>A list continuation: the snapshot's resourceVersion and the last key returned.</summary>
internal sealed record ContinueToken(long ResourceVersion, string Namespace, string Name)
{
    public string Encode()
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = ResourceVersion, ["start"] = Namespace.Length == 0 ? Name : $"{Namespace}/{Name}" };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static ContinueToken Decode(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var json = JsonNode.Parse(Convert.FromBase64String(padded)) as JsonObject ?? throw new FormatException();
            var start = json.Str("start") ?? throw new FormatException();
            var rv = json.Int("rv") ?? throw new FormatException();
            var slash = start.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? new ContinueToken(rv, "", start) : new ContinueToken(rv, start[..slash], start[(slash + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw ApiException.BadRequest("continue key is not valid: the continue token could not be decoded");
        }
    }
}
