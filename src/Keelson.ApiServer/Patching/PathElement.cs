using System.Globalization;
using System.Text;

namespace Keelson.ApiServer.Patching;

internal enum PathElementKind
{
    Field,
    Key,
    Value,
    Index,
}

/// <summary>
/// One step of a field path: a field name, the key fields of an associative list item, the value of a set item,
/// or an index into an atomic list. Ordered as structured-merge-diff orders them (fields, keys, values, indices).
/// </summary>
internal sealed class PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private PathElement(PathElementKind kind) => Kind = kind;

    public PathElementKind Kind { get; }

    public string Name { get; private init; } = "";

    /// <summary>Key fields sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, PeValue>> Key { get; private init; } = [];

    public PeValue Value { get; private init; } = PeValue.Null;

    public int Index { get; private init; }

    public static PathElement Field(string name) => new(PathElementKind.Field) { Name = name };

    public static PathElement Item(IReadOnlyList<KeyValuePair<string, PeValue>> key)
    {
        if (key.Count <= 1)
        {
            return new PathElement(PathElementKind.Key) { Key = key };
        }

        var sorted = key.ToList();
        sorted.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new PathElement(PathElementKind.Key) { Key = sorted };
    }

    public static PathElement SetItem(PeValue value) => new(PathElementKind.Value) { Value = value };

    public static PathElement At(int index) => new(PathElementKind.Index) { Index = index };

    public int CompareTo(PathElement? other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Kind != other.Kind)
        {
            return Kind.CompareTo(other.Kind);
        }

        switch (Kind)
        {
            case PathElementKind.Field:
                return Math.Sign(string.CompareOrdinal(Name, other.Name));
            case PathElementKind.Key:
                for (var i = 0; i < Math.Min(Key.Count, other.Key.Count); i++)
                {
                    var c = Math.Sign(string.CompareOrdinal(Key[i].Key, other.Key[i].Key));
                    if (c != 0)
                    {
                        return c;
                    }

                    c = Key[i].Value.CompareTo(other.Key[i].Value);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return Key.Count.CompareTo(other.Key.Count);
            case PathElementKind.Value:
                return Value.CompareTo(other.Value);
            default:
                return Index.CompareTo(other.Index);
        }
    }

    public bool Equals(PathElement? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode()
    {
        switch (Kind)
        {
            case PathElementKind.Field:
                return string.GetHashCode(Name, StringComparison.Ordinal);
            case PathElementKind.Key:
                var hash = new HashCode();
                foreach (var (name, value) in Key)
                {
                    hash.Add(string.GetHashCode(name, StringComparison.Ordinal));
                    hash.Add(value);
                }

                return hash.ToHashCode();
            case PathElementKind.Value:
                return Value.GetHashCode() * 7;
            default:
                return Index * 13;
        }
    }

    private string? _serialized;

    /// <summary>The FieldsV1 key: <c>f:name</c>, <c>k:{"name":"x"}</c>, <c>v:"x"</c> or <c>i:0</c>.</summary>
    public string Serialize() => _serialized ??= SerializeUncached();

    private string SerializeUncached()
    {
        switch (Kind)
        {
            case PathElementKind.Field:
                return "f:" + Name;
            case PathElementKind.Key:
                var sb = new StringBuilder("k:{");
                for (var i = 0; i < Key.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    GoFormat.WriteJsonString(sb, Key[i].Key);
                    sb.Append(':');
                    Key[i].Value.WriteJson(sb);
                }

                return sb.Append('}').ToString();
            case PathElementKind.Value:
                var vb = new StringBuilder("v:");
                Value.WriteJson(vb);
                return vb.ToString();
            default:
                return "i:" + Index.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The human-readable form used in conflict messages: <c>.name</c>, <c>[name="x"]</c>, <c>[=x]</c>, <c>[0]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + Name,
        PathElementKind.Key => "[" + string.Join(",", Key.Select(k => k.Key + "=" + k.Value)) + "]",
        PathElementKind.Value => "[=" + Value + "]",
        _ => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
    };

    public static string Format(IEnumerable<PathElement> path) => string.Concat(path.Select(p => p.ToString()));
}
