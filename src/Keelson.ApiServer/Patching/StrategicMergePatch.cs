using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// Strategic merge patch as kube-apiserver applies it to built-in kinds (k8s.io/apimachinery strategicpatch with
/// MergeParallelList and IgnoreUnmatchedNulls): lists with a merge key are merged item by item, lists of primitives
/// with the merge strategy are unioned, other lists replaced; the directives <c>$patch: replace|delete</c>,
/// <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/&lt;field&gt;</c> and <c>$setElementOrder/&lt;field&gt;</c>; null
/// deletes a key. Custom resources do not support it: the apiserver answers 415.
/// </summary>
public static class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList";
    private const string SetElementOrder = "$setElementOrder";

    private const string BadPrimitiveList = "invalid patch format of primitive list";
    private const string BadRetainKeys = "invalid patch format of retainKeys";
    private const string BadSetElementOrder = "invalid patch format of setElementOrder list";
    private const string NoListOfLists = "lists of lists are not supported";

    /// <summary>Returns the patched object; the inputs are not modified.</summary>
    /// <exception cref="PatchException">415 for types without strategic merge information, 400/422/500 for bad patches as the apiserver answers.</exception>
    public static JsonObject Apply(JsonObject original, JsonObject patch, TypeSchema schema)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.SupportsStrategicMergePatch)
        {
            throw PatchException.UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types include: " +
                "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        try
        {
            return MergeMap((JsonObject)original.DeepClone(), (JsonObject)patch.DeepClone(), schema.Root);
        }
        catch (SmpException ex)
        {
            throw ex.Message switch
            {
                BadPrimitiveList or BadRetainKeys or BadSetElementOrder => PatchException.BadRequest(ex.Message),
                NoListOfLists => PatchException.Unprocessable(ex.Message),
                _ => PatchException.Internal(ex.Message),
            };
        }
    }

    private sealed class SmpException(string message) : Exception(message);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, SchemaNode schema)
    {
        if (patch.TryGetPropertyValue(Directive, out var directive))
        {
            return DirectiveInMap(directive, patch);
        }

        ApplyRetainKeys(original, patch);
        MergeSetElementOrders(original, patch, schema);

        foreach (var (patchKey, patchValue) in patch.ToList())
        {
            var key = patchKey;
            var isDeleteList = false;
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                key = ExtractKey(key, DeleteFromPrimitiveList);
                isDeleteList = true;
            }

            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var originalValue))
            {
                if (!isDeleteList)
                {
                    Place(original, key, patchValue.DeepClone(), discardNulls: true);
                }

                continue;
            }

            if (JsonValues.GoTypeName(originalValue) != JsonValues.GoTypeName(patchValue))
            {
                if (!isDeleteList)
                {
                    Place(original, key, patchValue.DeepClone(), discardNulls: true);
                }

                continue;
            }

            var fieldType = schema.FieldType(key, out _);
            var (_, strategy) = SplitStrategy(fieldType.PatchStrategy);
            switch (patchValue)
            {
                case JsonObject patchMap:
                    var mergedMap = strategy == "replace" ? (JsonObject)patchMap.DeepClone() : MergeMap((JsonObject)originalValue!, patchMap, fieldType);
                    Set(original, key, mergedMap);
                    break;
                case JsonArray patchList:
                    var mergedList = strategy == "merge" || isDeleteList
                        ? MergeSlice((JsonArray)originalValue!, patchList, fieldType.ItemType, fieldType.PatchMergeKey ?? "", isDeleteList)
                        : (JsonArray)patchList.DeepClone();
                    Set(original, key, mergedList);
                    break;
                default:
                    Place(original, key, patchValue.DeepClone(), discardNulls: false);
                    break;
            }
        }

        return original;
    }

    private static JsonObject DirectiveInMap(JsonNode? directive, JsonObject patch)
    {
        switch (Text(directive))
        {
            case "replace":
                var replacement = (JsonObject)patch.DeepClone();
                replacement.Remove(Directive);
                return replacement;
            case "delete":
                return [];
            default:
                throw new SmpException($"unknown patch type: {GoFormat.Value(directive)} in map: {GoFormat.Value(patch)}");
        }
    }

    /// <summary>Sets a value taken from the patch, without the maps marked with a directive (and its nulls when new).</summary>
    private static void Place(JsonObject original, string key, JsonNode? value, bool discardNulls)
    {
        if (discardNulls)
        {
            JsonMergePatch.PruneNulls(value);
        }

        if (RemoveDirectives(value))
        {
            Set(original, key, value);
        }
        else
        {
            original.Remove(key);
        }
    }

    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeys, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeys);
        if (retain is not JsonArray retainList)
        {
            throw new SmpException(BadRetainKeys);
        }

        var keep = retainList.Select(Text).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is null || key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal) ||
                key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }

            if (!keep.Contains(key))
            {
                throw new SmpException(BadRetainKeys);
            }
        }

        foreach (var key in original.Select(p => p.Key).ToList())
        {
            if (!keep.Contains(key))
            {
                original.Remove(key);
            }
        }
    }

    /// <summary>Processes <c>$setElementOrder</c> directives together with the lists they order.</summary>
    private static void MergeSetElementOrders(JsonObject original, JsonObject patch, SchemaNode schema)
    {
        foreach (var (directiveKey, orderValue) in patch.ToList())
        {
            if (!directiveKey.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }

            patch.Remove(directiveKey);
            if (orderValue is not JsonArray order)
            {
                throw new SmpException($"expected a []interface {{}}, but received a {JsonValues.GoTypeName(orderValue)}");
            }

            var key = ExtractKey(directiveKey, SetElementOrder);
            var foundOriginal = original.TryGetPropertyValue(key, out var originalValue);
            var foundPatch = patch.TryGetPropertyValue(key, out var patchValue);
            JsonArray? originalList = null;
            JsonArray? patchList = null;
            if (foundOriginal)
            {
                originalList = originalValue as JsonArray ?? throw new SmpException(
                    $"expected a []interface {{}}, but received a {JsonValues.GoTypeName(originalValue)}");
            }

            if (foundPatch)
            {
                patchList = patchValue as JsonArray ?? throw new SmpException(
                    $"expected a []interface {{}}, but received a {JsonValues.GoTypeName(patchValue)}");
            }

            var listType = schema.FieldType(key, out _);
            var (_, strategy) = SplitStrategy(listType.PatchStrategy);
            var mergeKey = listType.PatchMergeKey ?? "";
            ValidateSetElementOrder(patchList, order, mergeKey);

            // Kinds are read before the lists are merged, which may move their items.
            var originalItems = originalList?.ToList() ?? [];
            var patchItems = patchList?.ToList() ?? [];
            var kind = ElementKind(originalItems, patchItems);

            JsonArray merged;
            if (foundOriginal && !foundPatch)
            {
                merged = (JsonArray)Take(originalList)!;
            }
            else if (!foundOriginal && foundPatch)
            {
                var list = patchList!.DeepClone();
                RemoveDirectives(list);
                merged = (JsonArray)list;
            }
            else if (foundOriginal && foundPatch)
            {
                merged = strategy == "merge"
                    ? MergeSlice(originalList!, patchList!, listType.ItemType, mergeKey, isDeleteList: false)
                    : (JsonArray)patchList!.DeepClone();
            }
            else
            {
                continue;
            }

            var mergedItems = Detach(merged);
            var (inOrder, serverOnly) = Partition(mergedItems, order.ToList(), mergeKey);
            var both = NormalizeOrder(inOrder, serverOnly, order.ToList(), originalItems, mergeKey, kind);
            Set(original, key, new JsonArray([.. both]));
            patch.Remove(key);
        }
    }

    private static void ValidateSetElementOrder(JsonArray? patchList, JsonArray order, string mergeKey)
    {
        if (patchList is null || patchList.Count == 0 || order.Count == 0)
        {
            return;
        }

        var nonDelete = mergeKey.Length > 0 ? ExtractToDelete(patchList.ToList()).NonDelete : patchList.ToList();
        int p = 0, s = 0;
        while (p < nonDelete.Count && s < order.Count)
        {
            if (nonDelete[p] is JsonObject item && item.ContainsKey(Directive))
            {
                p++;
                continue;
            }

            if (MergeKeyEqual(nonDelete[p], order[s], mergeKey))
            {
                p++;
            }

            s++;
        }

        if (p < nonDelete.Count && s >= order.Count)
        {
            throw new SmpException(
                $"the order in patch list:\n{GoFormat.Value(patchList)}\n doesn't match {SetElementOrder} list:\n{GoFormat.Value(order)}");
        }
    }

    private static bool MergeKeyEqual(JsonNode? left, JsonNode? right, string mergeKey)
    {
        if (mergeKey.Length == 0)
        {
            return JsonValues.GoScalarEqual(left, right);
        }

        if (left is not JsonObject l)
        {
            throw new SmpException($"expected a map[string]interface {{}}, but received a {JsonValues.GoTypeName(left)}");
        }

        if (right is not JsonObject r)
        {
            throw new SmpException($"expected a map[string]interface {{}}, but received a {JsonValues.GoTypeName(right)}");
        }

        if (!l.TryGetPropertyValue(mergeKey, out var lv))
        {
            throw NoMergeKey(l, mergeKey);
        }

        if (!r.TryGetPropertyValue(mergeKey, out var rv))
        {
            throw NoMergeKey(r, mergeKey);
        }

        return JsonValues.GoScalarEqual(lv, rv);
    }

    // ------------------------------------------------------------------ lists

    private static JsonArray MergeSlice(JsonArray originalList, JsonArray patchList, SchemaNode itemType, string mergeKey, bool isDeleteList)
    {
        if (originalList.Count == 0 && patchList.Count == 0)
        {
            return (JsonArray)Take(originalList)!;
        }

        var original = Detach(originalList);
        var patch = patchList.Select(item => item?.DeepClone()).ToList();
        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        if (kind != ValueKind.Map)
        {
            if (isDeleteList)
            {
                return new JsonArray([.. original.Where(o => !patch.Any(p => JsonValues.GoScalarEqual(o, p)))]);
            }

            merged = DeduplicateScalars([.. original, .. patch]);
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw new SmpException("cannot merge lists without merge key for struct");
            }

            (original, patch) = WithSpecialElements(original, patch, mergeKey);
            merged = WithoutSpecialElements(original, patch, mergeKey, itemType);
        }

        var (inPatch, serverOnly) = Partition(merged, patch, mergeKey);
        return new JsonArray([.. NormalizeOrder(inPatch, serverOnly, patch, original, mergeKey, kind)]);
    }

    /// <summary>Applies the <c>$patch: delete</c> and <c>$patch: replace</c> items of a patch list.</summary>
    private static (List<JsonNode?> Original, List<JsonNode?> Patch) WithSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var plain = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(Directive, out var directive))
            {
                plain.Add(item);
                continue;
            }

            switch (Text(directive))
            {
                case "delete":
                    if (!map.TryGetPropertyValue(mergeKey, out var value))
                    {
                        throw NoMergeKey(map, mergeKey);
                    }

                    original = original.Where(o =>
                    {
                        if (o is not JsonObject om)
                        {
                            throw new SmpException($"value for key {original.IndexOf(o)} is not a map");
                        }

                        return !(om.TryGetPropertyValue(mergeKey, out var ov) && JsonValues.GoScalarEqual(ov, value));
                    }).ToList();
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw new SmpException("merging lists cannot yet be specified in the patch");
                default:
                    throw new SmpException($"unknown patch type: {GoFormat.Value(directive)} in map: {GoFormat.Value(map)}");
            }
        }

        return replace ? (plain, []) : (original, plain);
    }

    private static List<JsonNode?> WithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, SchemaNode itemType)
    {
        var result = new List<JsonNode?>(original);
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(mergeKey, out var value))
            {
                throw NoMergeKey(map, mergeKey);
            }

            var index = FindByKey(result, mergeKey, value);
            if (index >= 0)
            {
                result[index] = MergeMap((JsonObject)result[index]!, map, itemType);
            }
            else
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static int FindByKey(List<JsonNode?> list, string mergeKey, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item)
            {
                throw new SmpException($"value for key {i} is not a map");
            }

            if (item.TryGetPropertyValue(mergeKey, out var v) && JsonValues.GoScalarEqual(v, value))
            {
                return i;
            }
        }

        return -1;
    }

    private static (List<JsonNode?> InPatch, List<JsonNode?> ServerOnly) Partition(List<JsonNode?> merged, List<JsonNode?> by, string mergeKey)
    {
        var inPatch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var item in merged)
        {
            bool found;
            if (mergeKey.Length == 0)
            {
                found = by.Any(b => JsonValues.GoScalarEqual(b, item));
            }
            else
            {
                if (item is not JsonObject map)
                {
                    throw new SmpException($"expected a map[string]interface {{}}, but received a {JsonValues.GoTypeName(item)}");
                }

                if (!map.TryGetPropertyValue(mergeKey, out var value))
                {
                    throw NoMergeKey(map, mergeKey);
                }

                found = by.Any(b => b is JsonObject bm && bm.TryGetPropertyValue(mergeKey, out var bv) && JsonValues.GoScalarEqual(bv, value));
            }

            (found ? inPatch : serverOnly).Add(item);
        }

        return (inPatch, serverOnly);
    }

    /// <summary>
    /// Patch items in the patch's order, server-only items in the live order, interleaved where the live order relates
    /// them; a patch item the live list does not know goes before the server-only items still waiting.
    /// </summary>
    private static List<JsonNode?> NormalizeOrder(List<JsonNode?> patchItems, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder,
        List<JsonNode?> serverOrder, string mergeKey, ValueKind kind)
    {
        var sortedPatch = SortBy(patchItems, patchOrder, mergeKey, kind);
        var sortedServer = SortBy(serverOnly, serverOrder, mergeKey, kind);
        var result = new List<JsonNode?>(sortedPatch.Count + sortedServer.Count);
        int i = 0, j = 0;
        while (i < sortedServer.Count || j < sortedPatch.Count)
        {
            if (i >= sortedServer.Count)
            {
                result.Add(sortedPatch[j++]);
            }
            else if (j >= sortedPatch.Count)
            {
                result.Add(sortedServer[i++]);
            }
            else
            {
                var li = IndexIn(serverOrder, sortedServer[i], mergeKey, kind);
                var ri = IndexIn(serverOrder, sortedPatch[j], mergeKey, kind);
                if (li >= 0 && ri >= 0 && li < ri)
                {
                    result.Add(sortedServer[i++]);
                }
                else
                {
                    result.Add(sortedPatch[j++]);
                }
            }
        }

        return result;
    }

    private static List<JsonNode?> SortBy(List<JsonNode?> items, List<JsonNode?> order, string mergeKey, ValueKind kind)
    {
        var toDelete = new List<JsonNode?>();
        var toSort = items;
        if (kind == ValueKind.Map)
        {
            foreach (var item in items.Concat(order))
            {
                if (item is not JsonObject map)
                {
                    throw new SmpException($"expected a map[string]interface {{}}, but received a {JsonValues.GoTypeName(item)}");
                }

                if (!map.ContainsKey(mergeKey))
                {
                    throw NoMergeKey(map, mergeKey);
                }
            }

            (toSort, toDelete) = ExtractToDelete(items);
        }

        // Items the order does not know keep their relative place at the front (the comparator treats them as smaller).
        var known = toSort.Where(i => IndexIn(order, i, mergeKey, kind) >= 0).OrderBy(i => IndexIn(order, i, mergeKey, kind)).ToList();
        var unknown = toSort.Where(i => IndexIn(order, i, mergeKey, kind) < 0).ToList();
        return [.. unknown, .. known, .. toDelete];
    }

    private static (List<JsonNode?> NonDelete, List<JsonNode?> Delete) ExtractToDelete(List<JsonNode?> items)
    {
        var nonDelete = new List<JsonNode?>();
        var delete = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw new SmpException($"expected a map[string]interface {{}}, but received a {JsonValues.GoTypeName(item)}");
            }

            (map.TryGetPropertyValue(Directive, out var d) && Text(d) == "delete" ? delete : nonDelete).Add(item);
        }

        return (nonDelete, delete);
    }

    private static int IndexIn(List<JsonNode?> list, JsonNode? item, string mergeKey, ValueKind kind)
    {
        var key = kind == ValueKind.Map ? (item as JsonObject)?[mergeKey] : item;
        for (var i = 0; i < list.Count; i++)
        {
            var candidate = kind == ValueKind.Map ? (list[i] as JsonObject)?[mergeKey] : list[i];
            if (JsonValues.GoScalarEqual(key, candidate))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Go's in-place deduplication, which moves the last element into each duplicate's slot.</summary>
    private static List<JsonNode?> DeduplicateScalars(List<JsonNode?> s)
    {
        var length = s.Count - 1;
        for (var i = 0; i < length; i++)
        {
            for (var j = i + 1; j <= length; j++)
            {
                if (JsonValues.GoScalarEqual(s[i], s[j]))
                {
                    s[j] = s[length];
                    s.RemoveAt(length);
                    length--;
                    j--;
                }
            }
        }

        return s;
    }

    private static ValueKind ElementKind(List<JsonNode?> first, List<JsonNode?> second)
    {
        string? type = null;
        ValueKind kind = ValueKind.Null;
        foreach (var item in first.Concat(second))
        {
            var name = JsonValues.GoTypeName(item);
            if (type is null)
            {
                type = name;
                kind = JsonValues.KindOf(item);
                if (kind == ValueKind.List)
                {
                    throw new SmpException(NoListOfLists);
                }
            }
            else if (type != name)
            {
                throw new SmpException($"list element types are not identical: {GoFormat.Value(new JsonArray(first.Select(i => i?.DeepClone()).ToArray()))} {GoFormat.Value(new JsonArray(second.Select(i => i?.DeepClone()).ToArray()))}");
            }
        }

        if (type is null)
        {
            throw new SmpException("no elements in any of the given slices");
        }

        return kind == ValueKind.Float ? ValueKind.Int : kind;
    }

    // ------------------------------------------------------------------ helpers

    private static (bool RetainKeys, string Strategy) SplitStrategy(string? strategy)
    {
        var parts = (strategy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => (false, ""),
            1 => parts[0] == "retainKeys" ? (true, "") : (false, parts[0]),
            _ => parts[0] == "retainKeys" ? (true, parts[1]) : (true, parts[0]),
        };
    }

    private static string ExtractKey(string key, string prefix)
    {
        var parts = key.Split('/', 2);
        if (parts.Length <= 1 || parts[0] != prefix)
        {
            throw new SmpException(prefix == DeleteFromPrimitiveList ? BadPrimitiveList : BadSetElementOrder);
        }

        return parts[1];
    }

    private static SmpException NoMergeKey(JsonObject map, string mergeKey) =>
        new($"map: {GoFormat.Value(map)} does not contain declared merge key: {mergeKey}");

    /// <summary>Drops maps carrying <c>$patch</c> from a value; false when the value itself is such a map.</summary>
    private static bool RemoveDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey(Directive))
                {
                    return false;
                }

                foreach (var (key, value) in obj.ToList())
                {
                    if (!RemoveDirectives(value))
                    {
                        obj.Remove(key);
                    }
                }

                return true;
            case JsonArray arr:
                for (var i = arr.Count - 1; i >= 0; i--)
                {
                    if (!RemoveDirectives(arr[i]))
                    {
                        arr.RemoveAt(i);
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>Detaches a node from its parent so it can be placed elsewhere.</summary>
    private static JsonNode? Take(JsonNode? node)
    {
        switch (node?.Parent)
        {
            case JsonObject parent:
                parent.Remove(node.GetPropertyName());
                break;
            case JsonArray parent:
                parent.RemoveAt(node.GetElementIndex());
                break;
        }

        return node;
    }

    private static List<JsonNode?> Detach(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        return items;
    }

    private static void Set(JsonObject obj, string key, JsonNode? value)
    {
        if (obj.TryGetPropertyValue(key, out var current) && ReferenceEquals(current, value) && value is not null)
        {
            return;
        }

        if (value?.Parent is not null)
        {
            Take(value);
        }

        obj[key] = value;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
