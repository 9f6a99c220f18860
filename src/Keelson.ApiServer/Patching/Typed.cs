using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>Added, modified and removed paths between two versions of an object.</summary>
internal sealed class Comparison
{
    public FieldSet Added { get; } = new();

    public FieldSet Modified { get; } = new();

    public FieldSet Removed { get; } = new();

    public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;
}

/// <summary>
/// The schema-aware operations of structured-merge-diff over JSON nodes: the set of fields a value sets, comparison,
/// merge and removal. Inputs are never modified; outputs share no nodes with inputs. At the top level the
/// <c>metadata.managedFields</c> of an object is invisible to all of them, as the field manager strips it first.
/// </summary>
internal static class Typed
{
    private enum Level
    {
        Root,
        Metadata,
        Inner,
    }

    private static Level Below(Level level, string key) =>
        level == Level.Root && key == "metadata" ? Level.Metadata : Level.Inner;

    private static bool Hidden(Level level, string key) => level == Level.Metadata && key == "managedFields";

    private enum Shape
    {
        Absent,
        Null,
        Scalar,
        Map,
        List,
    }

    private static Shape ShapeOf(bool present, JsonNode? node) =>
        !present ? Shape.Absent : node switch
        {
            null => Shape.Null,
            JsonObject => Shape.Map,
            JsonArray => Shape.List,
            _ => Shape.Scalar,
        };

    private static Shape ShapeOf(SchemaNode type) => type.Kind switch
    {
        NodeKind.Map => Shape.Map,
        NodeKind.List => Shape.List,
        _ => Shape.Scalar,
    };

    /// <summary>The type a position has for these values (untyped positions take the shape of a non-null value).</summary>
    private static SchemaNode ResolveFor(SchemaNode type, JsonNode? lhs, JsonNode? rhs) =>
        type.Kind is NodeKind.Deduced or NodeKind.Loose ? type.Resolve(lhs is JsonObject or JsonArray ? lhs : rhs ?? lhs) : type;

    private static bool Fits(Shape value, Shape expected) => value is Shape.Absent or Shape.Null || value == expected;

    // ---------------------------------------------------------------- list items

    /// <summary>The path element of a list item, or null with an error message when the item cannot be keyed.</summary>
    public static PathElement? ItemPathElement(SchemaNode list, JsonNode? item, int index, out string? error)
    {
        error = null;
        if (list.Kind != NodeKind.List || list.ListType == ListKind.Atomic)
        {
            return PathElement.At(index);
        }

        if (list.ListType == ListKind.Map && list.Keys.Count > 0)
        {
            if (item is not JsonObject obj)
            {
                error = item is null
                    ? "associative list with keys may not have a null element"
                    : "associative list with keys may not have non-map elements";
                return null;
            }

            var key = new List<KeyValuePair<string, PeValue>>(list.Keys.Count);
            foreach (var name in list.Keys)
            {
                if (obj.TryGetPropertyValue(name, out var value))
                {
                    key.Add(new(name, PeValue.From(value)));
                }
                else if (list.KeyDefaults.TryGetValue(name, out var fallback))
                {
                    key.Add(new(name, fallback));
                }
                else
                {
                    error = $"associative list with keys has an element that omits key field {GoFormat.Quote(name)} (and doesn't have default value)";
                    return null;
                }
            }

            return PathElement.Item(key);
        }

        switch (item)
        {
            case JsonObject:
                error = "associative list without keys has an element that's a map type";
                return null;
            case JsonArray:
                error = "not supported: associative list with lists as elements";
                return null;
            case null:
                error = "associative list without keys has an element that's an explicit null";
                return null;
            default:
                return PathElement.SetItem(PeValue.From(item));
        }
    }

    // ---------------------------------------------------------------- field sets

    /// <summary>The fields a value sets (structured-merge-diff's ToFieldSet).</summary>
    public static FieldSet ToFieldSet(JsonObject value, SchemaNode root) => ToFieldSet(value, root, null);

    /// <summary>
    /// The fields a value sets, collecting into <paramref name="errors"/> what the apiserver reports when it cannot
    /// type an applied configuration: fields a custom resource schema does not declare, list items without their
    /// keys, duplicate keys.
    /// </summary>
    public static FieldSet ToFieldSet(JsonObject value, SchemaNode root, List<string>? errors)
    {
        var set = new FieldSet();
        CollectMap(value, root, set, Level.Root, errors is null ? null : new Checks(errors));
        return set;
    }

    private sealed class Checks(List<string> errors)
    {
        public List<PathElement> Path { get; } = [];

        public void Error(string message) => errors.Add($"{PathElement.Format(Path)}: {message}");
    }

    private static void CollectMap(JsonObject value, SchemaNode type, FieldSet set, Level level, Checks? checks)
    {
        foreach (var (key, child) in value)
        {
            if (Hidden(level, key))
            {
                continue;
            }

            var childType = type.FieldType(key, out var declared);
            var pe = type.ElementFor(key);
            if (checks is not null)
            {
                checks.Path.Add(pe);
                if (type.IsUnknownField(key))
                {
                    checks.Error("field not declared in schema");
                    checks.Path.RemoveAt(checks.Path.Count - 1);
                    continue;
                }
            }

            Collect(child, childType, set, pe, Below(level, key), checks);

            // Keys of a map are members; so is a struct field that is null or an empty object, which would otherwise
            // leave no trace of having been set.
            if (!declared || child is null || child is JsonObject { Count: 0 })
            {
                set.AddMember(pe);
            }

            checks?.Path.RemoveAt(checks.Path.Count - 1);
        }
    }

    private static void Collect(JsonNode? value, SchemaNode type, FieldSet parent, PathElement pe, Level level, Checks? checks)
    {
        var t = ResolveFor(type, value, null);
        var shape = ShapeOf(true, value);
        var expected = ShapeOf(t);
        if (!Fits(shape, expected) || expected == Shape.Scalar)
        {
            parent.AddMember(pe);
            return;
        }

        if (expected == Shape.Map)
        {
            if (t.Atomic)
            {
                parent.AddMember(pe);
                if (checks is not null && value is JsonObject atomicMap)
                {
                    // Still typed: undeclared fields inside an atomic struct are errors too.
                    CollectMap(atomicMap, t, new FieldSet(), level, checks);
                }

                return;
            }

            if (value is JsonObject obj)
            {
                var child = new FieldSet();
                CollectMap(obj, t, child, level, checks);
                parent.AttachChild(pe, child);
            }

            return;
        }

        if (t.ListType == ListKind.Atomic)
        {
            parent.AddMember(pe);
            return;
        }

        if (value is JsonArray arr)
        {
            var child = new FieldSet();
            // Validation reports repeated keys; a stored list may hold them, and like upstream its repeated items are
            // owned as wholes, their fields untracked.
            var repeated = checks is null ? RepeatedKeys(t, arr) : null;
            for (var i = 0; i < arr.Count; i++)
            {
                var ipe = ItemPathElement(t, arr[i], i, out var error);
                if (ipe is null)
                {
                    checks?.Error($"element {i}: {error}");
                    continue;
                }

                if (repeated is not null && repeated.Contains(ipe))
                {
                    child.AddMember(ipe);
                    continue;
                }

                if (checks is not null)
                {
                    if (child.HasMember(ipe))
                    {
                        checks.Error($"duplicate entries for key {ipe}");
                    }

                    checks.Path.Add(ipe);
                }

                Collect(arr[i], t.ItemType, child, ipe, Level.Inner, checks);
                child.AddMember(ipe);
                checks?.Path.RemoveAt(checks.Path.Count - 1);
            }

            parent.AttachChild(pe, child);
        }
    }

    private static HashSet<PathElement>? RepeatedKeys(SchemaNode list, JsonArray arr)
    {
        if (arr.Count < 2)
        {
            return null;
        }

        var seen = new HashSet<PathElement>();
        HashSet<PathElement>? repeated = null;
        for (var i = 0; i < arr.Count; i++)
        {
            if (ItemPathElement(list, arr[i], i, out _) is { } pe && !seen.Add(pe))
            {
                (repeated ??= []).Add(pe);
            }
        }

        return repeated;
    }

    // ---------------------------------------------------------------- comparison

    /// <summary>
    /// Compares two objects. <paramref name="zero"/> is the kind's Go zero value: where either object lacks a member
    /// it has, the comparison sees the zero value instead, as the apiserver's typed objects always carry it (it decides
    /// whether a newly set struct counts as added, which shows as "." in managedFields).
    /// </summary>
    public static Comparison Compare(JsonObject? lhs, JsonObject? rhs, SchemaNode root, JsonObject? zero = null)
    {
        var comparison = new Comparison();
        var path = new List<PathElement>();
        CompareMapItems(lhs, rhs, root, path, comparison, Level.Root, zero);
        return comparison;
    }

    private static void CompareAt(bool lp, JsonNode? l, bool rp, JsonNode? r, SchemaNode type, List<PathElement> path, Comparison c, Level level, JsonObject? zero)
    {
        if (!lp && !rp)
        {
            return;
        }

        if (lp && rp && ReferenceEquals(l, r) && l is not null)
        {
            return;
        }

        var t = ResolveFor(type, lp ? l : null, rp ? r : null);
        var expected = ShapeOf(t);
        var ls = ShapeOf(lp, l);
        var rs = ShapeOf(rp, r);
        if (!Fits(ls, expected) || !Fits(rs, expected))
        {
            CompareMismatch(lp, l, rp, r, path, c);
            return;
        }

        switch (expected)
        {
            case Shape.Scalar:
                Leaf(lp, l, rp, r, path, c);
                return;
            case Shape.Map:
                var lm = l as JsonObject;
                var rm = r as JsonObject;
                if (t.Atomic || ((lm is null || lm.Count == 0) && (rm is null || rm.Count == 0)))
                {
                    Leaf(lp, l, rp, r, path, c);
                    return;
                }

                CompareMapItems(lm, rm, t, path, c, level, zero);
                break;
            default:
                var la = l as JsonArray;
                var ra = r as JsonArray;
                if (t.ListType == ListKind.Atomic || ((la is null || la.Count == 0) && (ra is null || ra.Count == 0)))
                {
                    Leaf(lp, l, rp, r, path, c);
                    return;
                }

                CompareListItems(la, ra, t, path, c);
                break;
        }

        if (!lp)
        {
            c.Added.Insert(path);
        }
        else if (!rp)
        {
            c.Removed.Insert(path);
        }
    }

    private static void CompareMismatch(bool lp, JsonNode? l, bool rp, JsonNode? r, List<PathElement> path, Comparison c)
    {
        // A value that changed shape: what was inside the old one is gone, what is inside the new one is new.
        if (l is JsonObject or JsonArray)
        {
            CompareChildrenOneSided(l, path, c.Removed);
        }

        if (r is JsonObject or JsonArray)
        {
            CompareChildrenOneSided(r, path, c.Added);
        }

        if (l is not (JsonObject or JsonArray) || r is not (JsonObject or JsonArray))
        {
            Leaf(lp, l, rp, r, path, c);
        }
    }

    private static void CompareChildrenOneSided(JsonNode node, List<PathElement> path, FieldSet into)
    {
        if (node is not JsonObject obj)
        {
            // Untyped lists are atomic: nothing below them is tracked.
            return;
        }

        var set = new FieldSet();
        CollectMap(obj, SchemaNode.Deduced.Resolve(node), set, Level.Inner, null);
        foreach (var p in set.Paths())
        {
            into.Insert([.. path, .. p]);
        }
    }

    private static void Leaf(bool lp, JsonNode? l, bool rp, JsonNode? r, List<PathElement> path, Comparison c)
    {
        if (!lp)
        {
            c.Added.Insert(path);
        }
        else if (!rp)
        {
            c.Removed.Insert(path);
        }
        else if (!JsonValues.Equal(l, r))
        {
            c.Modified.Insert(path);
        }
    }

    private static void CompareMapItems(JsonObject? lhs, JsonObject? rhs, SchemaNode type, List<PathElement> path, Comparison c, Level level, JsonObject? zero)
    {
        if (lhs is not null)
        {
            foreach (var (key, lv) in lhs)
            {
                if (Hidden(level, key))
                {
                    continue;
                }

                JsonNode? rv = null;
                var rp = rhs is not null && rhs.TryGetPropertyValue(key, out rv);
                CompareMapItem(key, true, lv, rp, rv, type, path, c, level, zero);
            }
        }

        if (rhs is not null)
        {
            foreach (var (key, rv) in rhs)
            {
                if (Hidden(level, key) || (lhs is not null && lhs.ContainsKey(key)))
                {
                    continue;
                }

                CompareMapItem(key, false, null, true, rv, type, path, c, level, zero);
            }
        }

        if (zero is not null)
        {
            foreach (var (key, _) in zero)
            {
                if ((lhs is null || !lhs.ContainsKey(key)) && (rhs is null || !rhs.ContainsKey(key)))
                {
                    CompareMapItem(key, false, null, false, null, type, path, c, level, zero);
                }
            }
        }
    }

    private static void CompareMapItem(string key, bool lp, JsonNode? lv, bool rp, JsonNode? rv, SchemaNode type, List<PathElement> path,
        Comparison c, Level level, JsonObject? zero)
    {
        JsonNode? zv = null;
        var hasZero = zero is not null && zero.TryGetPropertyValue(key, out zv);
        if (hasZero && !lp)
        {
            (lp, lv) = (true, zv);
        }

        if (hasZero && !rp)
        {
            (rp, rv) = (true, zv);
        }

        path.Add(type.ElementFor(key));
        CompareAt(lp, lv, rp, rv, type.FieldType(key, out _), path, c, Below(level, key), zv as JsonObject);
        path.RemoveAt(path.Count - 1);
    }

    private sealed class ItemIndex
    {
        public List<PathElement> Order { get; } = [];

        public Dictionary<PathElement, List<JsonNode?>> Items { get; } = [];

        public static ItemIndex Of(JsonArray? list, SchemaNode type)
        {
            var index = new ItemIndex();
            if (list is null)
            {
                return index;
            }

            for (var i = 0; i < list.Count; i++)
            {
                var pe = ItemPathElement(type, list[i], i, out _);
                if (pe is null)
                {
                    continue;
                }

                if (index.Items.TryGetValue(pe, out var existing))
                {
                    existing.Add(list[i]);
                }
                else
                {
                    index.Items[pe] = [list[i]];
                    index.Order.Add(pe);
                }
            }

            return index;
        }
    }

    private static void CompareListItems(JsonArray? lhs, JsonArray? rhs, SchemaNode type, List<PathElement> path, Comparison c)
    {
        // Equal lists have nothing to report; checking is cheaper than keying their items.
        if (lhs is not null && rhs is not null && JsonValues.Equal(lhs, rhs))
        {
            return;
        }

        var left = ItemIndex.Of(lhs, type);
        var right = ItemIndex.Of(rhs, type);
        var all = new List<PathElement>(left.Order);
        all.AddRange(right.Order.Where(pe => !left.Items.ContainsKey(pe)));
        var itemType = type.ItemType;
        foreach (var pe in all)
        {
            left.Items.TryGetValue(pe, out var lItems);
            right.Items.TryGetValue(pe, out var rItems);
            var lCount = lItems?.Count ?? 0;
            var rCount = rItems?.Count ?? 0;
            path.Add(pe);
            if (lCount <= 1 && rCount <= 1)
            {
                CompareAt(lCount == 1, lItems?[0], rCount == 1, rItems?[0], itemType, path, c, Level.Inner, null);
            }
            else if (lCount >= 2 && rCount >= 2)
            {
                // Duplicated items are compared as if the group were atomic.
                if (lCount != rCount || lItems!.Zip(rItems!).Any(p => !JsonValues.Equal(p.First, p.Second)))
                {
                    c.Modified.Insert(path);
                }
            }
            else if (lCount >= 2)
            {
                if (rCount == 1)
                {
                    CompareAt(false, null, true, rItems![0], itemType, path, c, Level.Inner, null);
                }

                c.Removed.Insert(path);
            }
            else
            {
                if (lCount == 1)
                {
                    CompareAt(true, lItems![0], false, null, itemType, path, c, Level.Inner, null);
                }

                c.Added.Insert(path);
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    // ---------------------------------------------------------------- merge

    /// <summary>The live object with the applied configuration merged in (structured-merge-diff's Merge).</summary>
    public static JsonObject Merge(JsonObject lhs, JsonObject rhs, SchemaNode root) =>
        MergeMapItems(lhs, rhs, root, Level.Root) ?? [];

    private static JsonNode? MergeAt(bool lp, JsonNode? l, bool rp, JsonNode? r, SchemaNode type, Level level, out bool present)
    {
        present = lp || rp;
        if (!rp)
        {
            return lp ? CloneVisible(l, level) : null;
        }

        if (!lp)
        {
            return JsonValues.Clone(r);
        }

        var t = ResolveFor(type, l, r);
        var expected = ShapeOf(t);
        if (!Fits(ShapeOf(true, l), expected) || !Fits(ShapeOf(true, r), expected) || expected == Shape.Scalar)
        {
            return JsonValues.Clone(r);
        }

        if (expected == Shape.Map)
        {
            var lm = l as JsonObject;
            var rm = r as JsonObject;
            if (t.Atomic || ((lm is null || lm.Count == 0) && (rm is null || rm.Count == 0)))
            {
                return JsonValues.Clone(r);
            }

            var merged = MergeMapItems(lm, rm, t, level);
            present = merged is not null;
            return merged;
        }

        var la = l as JsonArray;
        var ra = r as JsonArray;
        if (t.ListType == ListKind.Atomic || ((la is null || la.Count == 0) && (ra is null || ra.Count == 0)))
        {
            return JsonValues.Clone(r);
        }

        // Merging a list with an equal one gives it back; checking is much cheaper than keying the items.
        if (la is not null && ra is not null && JsonValues.Equal(la, ra))
        {
            return JsonValues.Clone(r);
        }

        var list = MergeListItems(la, ra, t);
        present = list is not null;
        return list;
    }

    private static JsonNode? CloneVisible(JsonNode? node, Level level)
    {
        if (level != Level.Metadata || node is not JsonObject obj || !obj.ContainsKey("managedFields"))
        {
            return JsonValues.Clone(node);
        }

        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (!Hidden(level, key))
            {
                copy[key] = JsonValues.Clone(value);
            }
        }

        return copy;
    }

    private static JsonObject? MergeMapItems(JsonObject? lhs, JsonObject? rhs, SchemaNode type, Level level)
    {
        var result = new JsonObject();
        if (lhs is not null)
        {
            foreach (var (key, lv) in lhs)
            {
                if (Hidden(level, key))
                {
                    continue;
                }

                JsonNode? rv = null;
                var rp = rhs is not null && rhs.TryGetPropertyValue(key, out rv);
                var merged = MergeAt(true, lv, rp, rv, type.FieldType(key, out _), Below(level, key), out var present);
                if (present)
                {
                    result[key] = merged;
                }
            }
        }

        if (rhs is not null)
        {
            foreach (var (key, rv) in rhs)
            {
                if (Hidden(level, key) || (lhs is not null && lhs.ContainsKey(key)))
                {
                    continue;
                }

                result[key] = JsonValues.Clone(rv);
            }
        }

        return result.Count > 0 ? result : null;
    }

    private static JsonArray? MergeListItems(JsonArray? lhs, JsonArray? rhs, SchemaNode type)
    {
        var itemType = type.ItemType;
        var lhsItems = new List<(PathElement Pe, JsonNode? Item)>();
        var observedLhs = new Dictionary<PathElement, JsonNode?>();
        if (lhs is not null)
        {
            for (var i = 0; i < lhs.Count; i++)
            {
                var pe = ItemPathElement(type, lhs[i], i, out _);
                if (pe is null)
                {
                    continue;
                }

                lhsItems.Add((pe, lhs[i]));
                // Like upstream, a key repeated in the live list is not merged with the applied item: it counts as null.
                if (!observedLhs.TryAdd(pe, lhs[i]))
                {
                    observedLhs[pe] = null;
                }
            }
        }

        var rhsOrder = new List<PathElement>();
        var observedRhs = new Dictionary<PathElement, JsonNode?>();
        if (rhs is not null)
        {
            for (var i = 0; i < rhs.Count; i++)
            {
                var pe = ItemPathElement(type, rhs[i], i, out _);
                if (pe is not null && observedRhs.TryAdd(pe, rhs[i]))
                {
                    rhsOrder.Add(pe);
                }
            }
        }

        // Items in both lists take the order of the applied list; items only in the live list keep their place.
        var shared = new Queue<PathElement>(rhsOrder.Where(observedLhs.ContainsKey));
        var nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        var merged = new HashSet<PathElement>();
        var output = new JsonArray();
        int li = 0, ri = 0;
        while (li < lhsItems.Count || ri < rhsOrder.Count)
        {
            if (li < lhsItems.Count && ri < rhsOrder.Count)
            {
                var pe = lhsItems[li].Pe;
                if (pe.Equals(rhsOrder[ri]))
                {
                    if (merged.Add(pe))
                    {
                        Emit(output, MergeAt(true, observedLhs[pe], true, observedRhs[pe], itemType, Level.Inner, out var p), p);
                    }

                    li++;
                    ri++;
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    continue;
                }

                if (observedRhs.ContainsKey(pe) && nextShared is not null && !nextShared.Equals(pe))
                {
                    li++;
                    continue;
                }
            }

            if (li < lhsItems.Count)
            {
                var (pe, item) = lhsItems[li];
                if (!observedRhs.ContainsKey(pe))
                {
                    Emit(output, JsonValues.Clone(item), true);
                    li++;
                    continue;
                }

                if (merged.Contains(pe))
                {
                    // Already merged (a repeated key): skip it and, as upstream does, go on to take the next applied item.
                    li++;
                    if (ri >= rhsOrder.Count)
                    {
                        continue;
                    }
                }
            }

            if (ri < rhsOrder.Count)
            {
                var pe = rhsOrder[ri];
                if (merged.Add(pe))
                {
                    var lp = observedLhs.TryGetValue(pe, out var lItem);
                    Emit(output, MergeAt(lp, lItem, true, observedRhs[pe], itemType, Level.Inner, out var p), p);
                }

                ri++;
                if (nextShared is not null && nextShared.Equals(pe))
                {
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                }

                continue;
            }

            // Unreachable: with every applied item taken, each live item is either emitted or already merged.
            li++;
        }

        return output.Count > 0 ? output : null;
    }

    private static void Emit(JsonArray output, JsonNode? item, bool present)
    {
        if (present)
        {
            output.Add(item);
        }
    }

    // ---------------------------------------------------------------- removal

    /// <summary>
    /// The object without the listed fields and items (structured-merge-diff's RemoveItems). Like upstream, a map or
    /// list emptied by the removal becomes null; the field manager drops such nulls from what it returns.
    /// </summary>
    public static JsonObject RemoveItems(JsonObject value, FieldSet toRemove, SchemaNode root) =>
        RemoveMapItems(value, toRemove, root, Level.Root) ?? [];

    private static JsonNode? RemoveAt(JsonNode? value, FieldSet toRemove, SchemaNode type, Level level)
    {
        var t = ResolveFor(type, value, null);
        switch (ShapeOf(t))
        {
            case Shape.Scalar:
                return JsonValues.Clone(value);
            case Shape.Map:
                if (value is not JsonObject obj || obj.Count == 0 || t.Atomic)
                {
                    return null;
                }

                return RemoveMapItems(obj, toRemove, t, level);
            default:
                if (value is not JsonArray arr || arr.Count == 0 || t.ListType == ListKind.Atomic)
                {
                    return null;
                }

                var items = new JsonArray();
                for (var i = 0; i < arr.Count; i++)
                {
                    var pe = ItemPathElement(t, arr[i], i, out _);
                    if (pe is not null && toRemove.HasMember(pe))
                    {
                        continue;
                    }

                    var sub = pe is null ? null : toRemove.WithPrefix(pe);
                    items.Add(sub is null || sub.IsEmpty ? JsonValues.Clone(arr[i]) : RemoveAt(arr[i], sub, t.ItemType, Level.Inner));
                }

                return items.Count > 0 ? items : null;
        }
    }

    private static JsonObject? RemoveMapItems(JsonObject obj, FieldSet toRemove, SchemaNode type, Level level)
    {
        var result = new JsonObject();
        foreach (var (key, child) in obj)
        {
            if (Hidden(level, key))
            {
                continue;
            }

            var pe = type.ElementFor(key);
            if (toRemove.HasMember(pe))
            {
                continue;
            }

            var sub = toRemove.WithPrefix(pe);
            result[key] = sub.IsEmpty ? CloneVisible(child, Below(level, key)) : RemoveAt(child, sub, type.FieldType(key, out _), Below(level, key));
        }

        return result.Count > 0 ? result : null;
    }
}
