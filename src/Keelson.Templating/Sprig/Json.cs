namespace Keelson.Templating;

/// <summary>
/// Sprig's JSON functions over Go's encoding/json (<see cref="GoJson"/>): toJson and toPrettyJson give "" when
/// the value cannot be encoded, toRawJson (no HTML escaping) fails the render, fromJson gives nil for bad JSON;
/// the must* forms fail with encoding/json's error.
/// </summary>
internal static class SprigJson
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType S = GoType.String;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("toJson", S, [X], static (_, a) => Swallow(static v => GoJson.Marshal(v), a[0])));
        f.Add(Fn.Of("toPrettyJson", S, [X], static (_, a) => Swallow(static v => GoJson.MarshalIndent(v, "", "  "), a[0])));
        f.Add(Fn.Of("toRawJson", S, [X], static (_, a) => GoJson.Marshal(a[0], escapeHtml: false)));
        f.Add(Fn.OfWithError("mustToJson", S, [X], static (_, a) => GoJson.Marshal(a[0])));
        f.Add(Fn.OfWithError("mustToPrettyJson", S, [X], static (_, a) => GoJson.MarshalIndent(a[0], "", "  ")));
        f.Add(Fn.OfWithError("mustToRawJson", S, [X], static (_, a) => GoJson.Marshal(a[0], escapeHtml: false)));
        f.Add(Fn.Of("fromJson", X, [S], static (ctx, a) => GoJsonDecoder.TryDecode(Fn.Str(a[0]), out var v, out _) ? v : null));
        f.Add(Fn.OfWithError("mustFromJson", X, [S], static (_, a) =>
            GoJsonDecoder.TryDecode(Fn.Str(a[0]), out var v, out var error) ? v : throw new SprigException(error!)));
    }

    private static string Swallow(Func<object?, string> encode, object? v)
    {
        try
        {
            return encode(v);
        }
        catch (GoJsonException)
        {
            return "";
        }
    }
}
