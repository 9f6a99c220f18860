using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential.Generated;

/// <summary>What the generator believes a value is. Ascii is a string without multi-byte characters: functions that
/// cut strings at byte offsets only get those, so outputs stay valid UTF-8.</summary>
internal enum Ty
{
    Str,
    Ascii,
    Int,
    Float,
    Bool,
    List,
    Map,
    Any,
}

/// <summary>The believed shape of a data value: its type, a map's fields, a list's elements.</summary>
internal sealed record Shape(Ty Type, IReadOnlyDictionary<string, Shape>? Fields = null, Shape? Element = null)
{
    public static readonly Shape Unknown = new(Ty.Any);
}

/// <summary>
/// Random JSON data in the form Helm values take (numbers are float64 once decoded), with a known shape so the
/// template generator can refer to real fields. Keys are sometimes left out, so templates also meet missing values.
/// </summary>
internal static class DataGenerator
{
    public static readonly string[] Strings =
    [
        "", " ", "a", "hello", "Hello World", "  padded  ", "a,b,c", "x-y_z", "CamelCase", "snake_case_name", "UPPER",
        "with \"quotes\"", "it's", "<b>&amp;</b>", "100%", "tab\there", "line1\nline2\n", "1.2.3", "v1.2.3-rc.1", "42",
        "3.14", "true", "0x1F", "a.b.c", "/usr/local/bin/", "key=value&x=y", "--flag", "nginx:1.25", "ÉTÉ été", "✓ 日本",
        "ǅemal", "über-straße", "emoji 🎉", "a\u00a0b", "MixedCASE string", "  ", "=", "\\", "{{ not a template }}",
    ];

    public static readonly string[] AsciiStrings = [.. Strings.Where(s => s.All(c => c < 0x80))];

    public static readonly string[] Numbers =
    [
        "0", "1", "-1", "2", "3", "10", "42", "100", "8080", "1000000", "1e21", "1e20", "123456789", "0.5", "0.1",
        "2.75", "-3.25", "1e-7", "0.000001", "3.141592653589793", "9007199254740993", "-0.0", "65", "255", "1.5e300",
    ];

    // Declared before RootShape: static initializers run in textual order.
    private static Shape ItemShape { get; } = new(Ty.Map, new Dictionary<string, Shape>
    {
        ["name"] = new(Ty.Ascii),
        ["port"] = new(Ty.Float),
        ["on"] = new(Ty.Bool),
    });

    private static Dictionary<string, Shape> MapFields { get; } = new()
    {
        ["x"] = new(Ty.Str),
        ["y"] = new(Ty.Float),
        ["inner"] = new(Ty.Map, new Dictionary<string, Shape> { ["k"] = new(Ty.Ascii), ["v"] = new(Ty.Float) }),
        ["tags"] = new(Ty.List, Element: new(Ty.Ascii)),
    };

    public static Shape RootShape { get; } = new(Ty.Map, new Dictionary<string, Shape>
    {
        ["s"] = new(Ty.Str),
        ["a"] = new(Ty.Ascii),
        ["n"] = new(Ty.Float),
        ["i"] = new(Ty.Float),
        ["z"] = new(Ty.Float),
        ["b"] = new(Ty.Bool),
        ["nul"] = Shape.Unknown,
        ["e"] = new(Ty.Ascii),
        ["l"] = new(Ty.List, Element: new(Ty.Str)),
        ["ln"] = new(Ty.List, Element: new(Ty.Float)),
        ["lm"] = new(Ty.List, Element: ItemShape),
        ["le"] = new(Ty.List, Element: Shape.Unknown),
        ["m"] = new(Ty.Map, MapFields),
        ["me"] = new(Ty.Map, new Dictionary<string, Shape>()),
    });

    public static JsonObject Generate(System.Random random)
    {
        var data = new JsonObject();
        void Put(string key, Func<JsonNode?> value)
        {
            // One key in twenty-five is absent: templates must meet missing values too.
            if (random.Next(25) > 0)
            {
                data[key] = value();
            }
        }

        Put("s", () => Pick(random, Strings));
        Put("a", () => Pick(random, AsciiStrings));
        Put("n", () => Number(random));
        Put("i", () => JsonValue.Create(random.Next(-5, 20)));
        Put("z", () => JsonValue.Create(0));
        Put("b", () => random.Next(2) == 0);
        Put("nul", () => null);
        Put("e", () => "");
        Put("l", () => List(random, () => Pick(random, Strings)));
        Put("ln", () => List(random, () => Number(random)));
        Put("lm", () => List(random, () => Item(random)));
        Put("le", () => new JsonArray());
        Put("m", () => new JsonObject
        {
            ["x"] = Pick(random, Strings),
            ["y"] = Number(random),
            ["inner"] = new JsonObject { ["k"] = Pick(random, AsciiStrings), ["v"] = Number(random) },
            ["tags"] = List(random, () => Pick(random, AsciiStrings)),
        });
        Put("me", () => new JsonObject());
        return data;
    }

    public static JsonNode Number(System.Random random) => random.Next(4) == 0
        // Arbitrary doubles exercise Go's shortest float formatting.
        ? JsonValue.Create(Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-4, 9)), random.Next(0, 12)))
        : JsonNode.Parse(Pick(random, Numbers))!;

    public static T Pick<T>(System.Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static JsonArray List(System.Random random, Func<JsonNode?> item)
    {
        var list = new JsonArray();
        for (var count = random.Next(0, 5); count > 0; count--)
        {
            list.Add(item());
        }

        return list;
    }

    private static JsonObject Item(System.Random random)
    {
        var item = new JsonObject { ["name"] = Pick(random, AsciiStrings), ["port"] = Number(random) };
        if (random.Next(3) > 0)
        {
            item["on"] = random.Next(2) == 0;
        }

        return item;
    }
}
