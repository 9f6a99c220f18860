using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// A set of field paths stored as a trie, like structured-merge-diff's fieldpath.Set: at each level the members
/// (paths ending here) and the children (paths continuing), both sorted. Children are never empty.
/// </summary>
internal sealed class FieldSet
{
    private readonly List<PathElement> _members;
    private readonly List<Entry> _children;

    public FieldSet()
    {
        _members = [];
        _children = [];
    }

    private FieldSet(List<PathElement> members, List<Entry> children)
    {
        _members = members;
        _children = children;
    }

    private readonly record struct Entry(PathElement Pe, FieldSet Set);

    public bool IsEmpty => _members.Count == 0 && _children.Count == 0;

    public IReadOnlyList<PathElement> Members => _members;

    public IEnumerable<(PathElement Pe, FieldSet Set)> Children => _children.Select(c => (c.Pe, c.Set));

    public void AddMember(PathElement pe)
    {
        // Sets are mostly built in sorted order (FieldsV1 is sorted): appending needs no search.
        if (_members.Count == 0 || _members[^1].CompareTo(pe) < 0)
        {
            _members.Add(pe);
            return;
        }

        var i = Find(_members, pe);
        if (i < 0)
        {
            _members.Insert(~i, pe);
        }
    }

    /// <summary>The child set for <paramref name="pe"/>, created when missing. Callers must not leave it empty.</summary>
    public FieldSet Child(PathElement pe)
    {
        if (_children.Count == 0 || _children[^1].Pe.CompareTo(pe) < 0)
        {
            var added = new FieldSet();
            _children.Add(new Entry(pe, added));
            return added;
        }

        var i = FindChild(pe);
        if (i >= 0)
        {
            return _children[i].Set;
        }

        var set = new FieldSet();
        _children.Insert(~i, new Entry(pe, set));
        return set;
    }

    /// <summary>Attaches a finished child set (dropped when empty), merging with an existing one.</summary>
    public void AttachChild(PathElement pe, FieldSet set)
    {
        if (set.IsEmpty)
        {
            return;
        }

        if (_children.Count == 0 || _children[^1].Pe.CompareTo(pe) < 0)
        {
            _children.Add(new Entry(pe, set));
            return;
        }

        var i = FindChild(pe);
        if (i >= 0)
        {
            _children[i] = new Entry(pe, _children[i].Set.Union(set));
        }
        else
        {
            _children.Insert(~i, new Entry(pe, set));
        }
    }

    public void Insert(IReadOnlyList<PathElement> path)
    {
        if (path.Count == 0)
        {
            return;
        }

        var set = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            set = set.Child(path[i]);
        }

        set.AddMember(path[^1]);
    }

    public bool Has(IReadOnlyList<PathElement> path)
    {
        var set = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            var c = set.FindChild(path[i]);
            if (c < 0)
            {
                return false;
            }

            set = set._children[c].Set;
        }

        return path.Count > 0 && Find(set._members, path[^1]) >= 0;
    }

    public bool HasMember(PathElement pe) => Find(_members, pe) >= 0;

    /// <summary>The paths below <paramref name="pe"/>, relative to it (empty when there are none).</summary>
    public FieldSet WithPrefix(PathElement pe)
    {
        var i = FindChild(pe);
        return i >= 0 ? _children[i].Set : Empty;
    }

    /// <summary>A new empty set (sets are built by mutation, so an empty one is never shared).</summary>
    public static FieldSet Empty => new();

    // The set operations share unchanged subtrees and return an operand itself when the result equals it, so that
    // repeated writes that change little allocate little (and keep the cached FieldsV1 of unchanged sets).

    public FieldSet Union(FieldSet other)
    {
        if (other.IsEmpty || ReferenceEquals(this, other))
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        var members = MergeMembers(_members, other._members, (inLeft, inRight) => inLeft || inRight);
        var changed = members.Count != _members.Count;
        var children = new List<Entry>(Math.Max(_children.Count, other._children.Count));
        int i = 0, j = 0;
        while (i < _children.Count || j < other._children.Count)
        {
            var c = i >= _children.Count ? 1 : j >= other._children.Count ? -1 : _children[i].Pe.CompareTo(other._children[j].Pe);
            if (c < 0)
            {
                children.Add(_children[i++]);
            }
            else if (c > 0)
            {
                children.Add(other._children[j++]);
                changed = true;
            }
            else
            {
                var set = _children[i].Set.Union(other._children[j].Set);
                changed |= !ReferenceEquals(set, _children[i].Set);
                children.Add(new Entry(_children[i].Pe, set));
                i++;
                j++;
            }
        }

        return changed ? new FieldSet(members, children) : this;
    }

    public FieldSet Intersection(FieldSet other)
    {
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        if (IsEmpty || other.IsEmpty)
        {
            return Empty;
        }

        var members = MergeMembers(_members, other._members, (inLeft, inRight) => inLeft && inRight);
        var changed = members.Count != _members.Count;
        var children = new List<Entry>();
        int i = 0, j = 0;
        while (i < _children.Count && j < other._children.Count)
        {
            var c = _children[i].Pe.CompareTo(other._children[j].Pe);
            if (c < 0)
            {
                i++;
                changed = true;
            }
            else if (c > 0)
            {
                j++;
            }
            else
            {
                var set = _children[i].Set.Intersection(other._children[j].Set);
                if (!set.IsEmpty)
                {
                    children.Add(new Entry(_children[i].Pe, set));
                }

                changed |= !ReferenceEquals(set, _children[i].Set);
                i++;
                j++;
            }
        }

        changed |= i < _children.Count;
        return changed ? new FieldSet(members, children) : this;
    }

    public FieldSet Difference(FieldSet other)
    {
        if (IsEmpty || other.IsEmpty)
        {
            return this;
        }

        if (ReferenceEquals(this, other))
        {
            return Empty;
        }

        var members = MergeMembers(_members, other._members, (inLeft, inRight) => inLeft && !inRight);
        var changed = members.Count != _members.Count;
        var children = new List<Entry>(_children.Count);
        int i = 0, j = 0;
        while (i < _children.Count)
        {
            var c = j >= other._children.Count ? -1 : _children[i].Pe.CompareTo(other._children[j].Pe);
            if (c < 0)
            {
                children.Add(_children[i++]);
            }
            else if (c > 0)
            {
                j++;
            }
            else
            {
                var set = _children[i].Set.Difference(other._children[j].Set);
                if (!set.IsEmpty)
                {
                    children.Add(new Entry(_children[i].Pe, set));
                }

                changed |= !ReferenceEquals(set, _children[i].Set);
                i++;
                j++;
            }
        }

        return changed ? new FieldSet(members, children) : this;
    }

    /// <summary>Removes the members of <paramref name="strip"/> but not what lies below them (the field manager's strip-meta).</summary>
    public FieldSet WithoutMembers(FieldSet strip) => Difference(strip);

    /// <summary>
    /// The set plus, at every level, the declared struct fields that have owned descendants — structured-merge-diff's
    /// EnsureNamedFieldsAreMembers, which makes a struct field count as owned when something inside it is.
    /// </summary>
    public FieldSet EnsureNamedFieldsAreMembers(SchemaNode type)
    {
        if (_children.Count == 0)
        {
            return this;
        }

        var members = new List<PathElement>(_members);
        var children = new List<Entry>(_children.Count);
        foreach (var child in _children)
        {
            SchemaNode childType;
            if (child.Pe.Kind == PathElementKind.Field)
            {
                childType = type.FieldType(child.Pe.Name, out var declared);
                if (declared && type.IsMapLike)
                {
                    var at = Find(members, child.Pe);
                    if (at < 0)
                    {
                        members.Insert(~at, child.Pe);
                    }
                }
            }
            else
            {
                childType = type.ItemType;
            }

            children.Add(new Entry(child.Pe, child.Set.EnsureNamedFieldsAreMembers(childType)));
        }

        return new FieldSet(members, children);
    }

    /// <summary>Every path in the set, members of a level before the paths below it, as structured-merge-diff iterates.</summary>
    public IEnumerable<PathElement[]> Paths() => PathsWithPrefix([]);

    private IEnumerable<PathElement[]> PathsWithPrefix(PathElement[] prefix)
    {
        foreach (var member in _members)
        {
            yield return [.. prefix, member];
        }

        foreach (var child in _children)
        {
            foreach (var path in child.Set.PathsWithPrefix([.. prefix, child.Pe]))
            {
                yield return path;
            }
        }
    }

    public int Count => _members.Count + _children.Sum(c => c.Set.Count);

    /// <summary>The FieldsV1 form: "." marks a path that is both a member and has children.</summary>
    public JsonObject ToFieldsV1() => (JsonObject)JsonNode.Parse(ToFieldsV1Json())!;

    /// <summary>FieldsV1 as JSON text, keys in the set's order, escaped as Go's encoding/json escapes them.</summary>
    public string ToFieldsV1Json()
    {
        var sb = new StringBuilder();
        Emit(sb, includeSelf: false);
        return sb.ToString();
    }

    private void Emit(StringBuilder sb, bool includeSelf)
    {
        sb.Append('{');
        var first = true;
        void Key(PathElement pe)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            GoFormat.WriteJsonString(sb, pe.Serialize());
            sb.Append(':');
        }

        if (includeSelf)
        {
            sb.Append("\".\":{}");
            first = false;
        }

        int i = 0, j = 0;
        while (i < _members.Count || j < _children.Count)
        {
            var c = i >= _members.Count ? 1 : j >= _children.Count ? -1 : _members[i].CompareTo(_children[j].Pe);
            if (c < 0)
            {
                Key(_members[i]);
                sb.Append("{}");
                i++;
            }
            else
            {
                Key(_children[j].Pe);
                _children[j].Set.Emit(sb, includeSelf: c == 0);
                if (c == 0)
                {
                    i++;
                }

                j++;
            }
        }

        sb.Append('}');
    }

    /// <summary>Structural equality (same paths).</summary>
    public bool SameAs(FieldSet other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_members.Count != other._members.Count || _children.Count != other._children.Count)
        {
            return false;
        }

        for (var i = 0; i < _members.Count; i++)
        {
            if (_members[i].CompareTo(other._members[i]) != 0)
            {
                return false;
            }
        }

        for (var i = 0; i < _children.Count; i++)
        {
            if (_children[i].Pe.CompareTo(other._children[i].Pe) != 0 || !_children[i].Set.SameAs(other._children[i].Set))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses FieldsV1; throws <see cref="FormatException"/> naming the offending key.</summary>
    public static FieldSet FromFieldsV1(JsonNode? fields)
    {
        var set = new FieldSet();
        if (fields is null)
        {
            return set;
        }

        if (fields is not JsonObject obj)
        {
            throw new FormatException("fieldsV1 must be a JSON object");
        }

        Read(obj, set);
        return set;
    }

    private static bool Read(JsonObject obj, FieldSet set)
    {
        var isMember = false;
        foreach (var (key, value) in obj)
        {
            if (key == ".")
            {
                isMember = true;
                continue;
            }

            var pe = ParsePathElement(key);
            if (value is not JsonObject inner)
            {
                throw new FormatException($"fieldsV1 entry {key} must be a JSON object");
            }

            if (inner.Count == 0)
            {
                set.AddMember(pe);
                continue;
            }

            var child = new FieldSet();
            if (Read(inner, child))
            {
                set.AddMember(pe);
            }

            set.AttachChild(pe, child);
        }

        return isMember;
    }

    public static PathElement ParsePathElement(string key)
    {
        if (key.Length < 2)
        {
            throw new FormatException($"key must be 2 characters long: {key}");
        }

        if (key[1] != ':')
        {
            throw new FormatException($"missing colon: {key}");
        }

        var rest = key[2..];
        try
        {
            switch (key[0])
            {
                case 'f':
                    return PathElement.Field(rest);
                case 'v':
                    return PathElement.SetItem(PeValue.Parse(rest));
                case 'k':
                    var fields = PeValue.Parse(rest);
                    if (fields.Kind != ValueKind.Map)
                    {
                        throw new FormatException($"key fields must be a JSON object: {key}");
                    }

                    return PathElement.Item(fields.Map);
                case 'i':
                    return PathElement.At(int.Parse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                default:
                    throw new FormatException($"unknown path element type: {key}");
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"invalid JSON in fieldsV1 key {key}: {ex.Message}", ex);
        }
    }

    private int FindChild(PathElement pe)
    {
        int lo = 0, hi = _children.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _children[mid].Pe.CompareTo(pe);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private static int Find(List<PathElement> list, PathElement pe)
    {
        int lo = 0, hi = list.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = list[mid].CompareTo(pe);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private static List<PathElement> MergeMembers(List<PathElement> left, List<PathElement> right, Func<bool, bool, bool> keep)
    {
        var result = new List<PathElement>(Math.Max(left.Count, right.Count));
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            var c = i >= left.Count ? 1 : j >= right.Count ? -1 : left[i].CompareTo(right[j]);
            if (c < 0)
            {
                if (keep(true, false))
                {
                    result.Add(left[i]);
                }

                i++;
            }
            else if (c > 0)
            {
                if (keep(false, true))
                {
                    result.Add(right[j]);
                }

                j++;
            }
            else
            {
                if (keep(true, true))
                {
                    result.Add(left[i]);
                }

                i++;
                j++;
            }
        }

        return result;
    }
}
