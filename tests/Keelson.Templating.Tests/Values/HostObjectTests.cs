using System.Globalization;

namespace Keelson.Templating.Tests.Values;

/// <summary>
/// Host objects: declared Go types with fields and methods (structs, pointers to them, named map and slice types).
/// The C# types mirror a Go program declaring main.Plain, main.Ver, main.Values, main.VersionSet, main.KV and
/// main.Caps; every expected value is what that Go program printed.
/// </summary>
public sealed class HostObjectTests
{
    [Theory]
    [InlineData("{{plain}}", "{a 1 [x y] <nil> map[k:v] <nil>}")]
    [InlineData("{{printf \"%+v\" plain}}", "{Name:a Count:1 Tags:[x y] Any:<nil> M:map[k:v] P:<nil>}")]
    [InlineData("{{printf \"%#v\" plain}}", "main.Plain{Name:\"a\", Count:1, Tags:[]string{\"x\", \"y\"}, Any:interface {}(nil), M:map[string]string{\"k\":\"v\"}, P:(*main.Plain)(nil)}")]
    [InlineData("{{printf \"%v|%s|%d\" plain plain plain}}", "{a 1 [x y] <nil> map[k:v] <nil>}|{a %!s(int=1) [x y] <nil> map[k:v] %!s(*main.Plain=<nil>)}|{%!d(string=a) 1 [%!d(string=x) %!d(string=y)] <nil> map[%!d(string=k):%!d(string=v)] 0}")]
    [InlineData("{{(plain).Name}} {{(plainp).Name}} {{(plainp).P.Name}} {{(plainp).Any}} {{(plain).Any}} {{(plain).Tags}} {{(plain).M.k}}", "a b inner 2.5 <no value> [x y] v")]
    [InlineData("{{ver}} {{(ver).Major}} {{(ver).Inc 2}} {{printf \"%v %s %d %T\" ver ver ver ver}}", "v1.2 1 3.2 v1.2 v1.2 &{1 2 %!d(string=v1.2)} *main.Ver")]
    [InlineData("{{ver.Major}}", "1")]
    [InlineData("{{(vals).a}} {{(vals).Get \"b\"}} {{(vals).YAML}} {{keys (vals)}} {{vals}} {{printf \"%T %#v\" vals vals}}", "1 x a: 1 [a b] map[a:1 b:x] main.Values main.Values{\"a\":1, \"b\":\"x\"}")]
    [InlineData("{{(vals).missing}} {{(vals).Get \"missing\"}}", "<no value> <no value>")]
    [InlineData("{{(caps).APIVersions.Has \"apps/v1\"}} {{(caps).APIVersions.Has \"x\"}} {{(caps).KubeVersion}} {{(caps).KubeVersion.Major}} {{printf \"%T\" (caps).APIVersions}} {{len (caps).APIVersions}} {{range (caps).APIVersions}}{{.}},{{end}} {{index (caps).APIVersions 0}}", "true false v1.30.0 1 main.VersionSet 2 v1,apps/v1, v1")]
    [InlineData("{{caps}}", "{[v1 apps/v1] {v1.30.0 1}}")]
    [InlineData("{{printf \"%+v\" (caps).KubeVersion}}", "{Version:v1.30.0 Major:1}")]
    [InlineData("{{tojson plain}} {{tojson plainp}} {{tojson ver}} {{tojson caps}} {{tojson vals}}", "{\"name\":\"a\",\"count\":1,\"tags\":[\"x\",\"y\"],\"m\":{\"k\":\"v\"}} {\"name\":\"b\",\"tags\":null,\"any\":2.5,\"m\":null,\"p\":{\"name\":\"inner\",\"tags\":null,\"m\":null}} \"v1.2\" {\"APIVersions\":[\"v1\",\"apps/v1\"],\"KubeVersion\":{\"Version\":\"v1.30.0\",\"Major\":\"1\"}} {\"a\":1,\"b\":\"x\"}")]
    [InlineData("{{nilver}} {{printf \"%v\" nilver}} {{if nilver}}t{{else}}f{{end}}", "<nil> <nil> f")]
    [InlineData("{{if plain}}t{{end}} {{if ver}}t{{end}} {{eq (ver) (ver)}}", "t t false")]
    public void Host_values_print_and_evaluate_as_in_go(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{(plainp).P.P.Name}}", "template: t:1:3: executing \"t\" at <plainp>: nil pointer evaluating *main.Plain.Name")]
    [InlineData("{{(plain).P.Name}}", "template: t:1:3: executing \"t\" at <plain>: nil pointer evaluating *main.Plain.Name")]
    [InlineData("{{(plain).nope}}", "template: t:1:3: executing \"t\" at <plain>: can't evaluate field nope in type main.Plain")]
    [InlineData("{{(plainp).nope}}", "template: t:1:3: executing \"t\" at <plainp>: can't evaluate field nope in type *main.Plain")]
    [InlineData("{{(plain).Name 1}}", "template: t:1:3: executing \"t\" at <plain>: Name has arguments but cannot be invoked as function")]
    [InlineData("{{(plain).Name.x}}", "template: t:1:3: executing \"t\" at <plain>: can't evaluate field x in type string")]
    [InlineData("{{(plain).Any.x}}", "template: t:1:3: executing \"t\" at <plain>: nil pointer evaluating interface {}.x")]
    [InlineData("{{(ver).Inc}}", "template: t:1:3: executing \"t\" at <ver>: wrong number of args for Inc: want 1 got 0")]
    [InlineData("{{(ver).Inc \"x\"}}", "template: t:1:12: executing \"t\" at <\"x\">: expected integer; found \"x\"")]
    [InlineData("{{(ver).Inc 1 2}}", "template: t:1:3: executing \"t\" at <ver>: wrong number of args for Inc: want 1 got 2")]
    [InlineData("{{(ver).Major.x}}", "template: t:1:3: executing \"t\" at <ver>: can't evaluate field x in type int64")]
    [InlineData("{{(ver).major}}", "template: t:1:3: executing \"t\" at <ver>: major is an unexported field of struct type *main.Ver")]
    [InlineData("{{eq plain plain}}", "template: t:1:2: executing \"t\" at <eq plain plain>: error calling eq: non-comparable type {a %!s(int=1) [x y] <nil> map[k:v] %!s(*main.Plain=<nil>)}: main.Plain")]
    [InlineData("{{eq (caps).APIVersions (caps).APIVersions}}", "template: t:1:2: executing \"t\" at <eq (caps).APIVersions (caps).APIVersions>: error calling eq: non-comparable type [v1 apps/v1]: main.VersionSet")]
    [InlineData("{{nilver.Major}}", "template: t:1:8: executing \"t\" at <nilver.Major>: error calling Major: runtime error: invalid memory address or nil pointer dereference")]
    [InlineData("{{len plain}}", "template: t:1:2: executing \"t\" at <len plain>: error calling len: len of type main.Plain")]
    [InlineData("{{index plain 0}}", "template: t:1:2: executing \"t\" at <index plain 0>: error calling index: can't index item of type main.Plain")]
    public void Host_value_errors_match_go(string template, string expected)
    {
        var e = Assert.Throws<TemplateException>(() => Render(template));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void A_pointer_prints_what_it_points_to_in_a_template_but_with_an_ampersand_in_printf()
    {
        // Go prints a nested pointer field as an address, which varies; compare the rest.
        Assert.StartsWith("{b 0 [] 2.5 map[] 0x", Render("{{plainp}}"), StringComparison.Ordinal);
        Assert.StartsWith("&{b 0 [] 2.5 map[] 0x", Render("{{printf \"%v\" plainp}}"), StringComparison.Ordinal);
        Assert.StartsWith("{b 0 [] 2.5 map[] 0x", Render("{{html plainp}}"), StringComparison.Ordinal);
        Assert.StartsWith("&{b 0 [] 2.5 map[] 0x", Render("{{print plainp}}"), StringComparison.Ordinal);
        Assert.Equal("&{[v1 apps/v1] {v1.30.0 1}}", Render("{{printf \"%v\" caps}}"));
    }

    [Fact]
    public void A_named_map_type_is_assignable_to_a_map_parameter_and_its_methods_win_over_keys()
    {
        var values = new ValuesMap { ["YAML"] = "shadowed", ["x"] = 1.0 };
        Assert.Equal("a: 1 [YAML x] shadowed", Render("{{.YAML}} {{keys .}} {{index . \"YAML\"}}", values));
    }

    [Fact]
    public void Kind_and_type_of_host_values()
    {
        Assert.Equal(GoKind.Ptr, GoValues.KindOf(Ver.Create(1, 2, "v1.2")));
        Assert.Equal("*main.Ver", GoValues.TypeName(Ver.Create(1, 2, "v1.2")));
        Assert.Equal(GoKind.Map, GoValues.KindOf(new ValuesMap()));
        Assert.Equal(GoKind.Slice, GoValues.KindOf(new VersionSet()));
        Assert.Equal(GoKind.Struct, GoValues.KindOf(Plain.Sample()));
        Assert.True(GoType.PointerTo(Ver.StructType).IdenticalTo(Ver.PointerType));
    }

    private static string Render(string template, object? data = null)
    {
        var set = new TemplateSet(Functions);
        set.Parse("t", template);
        return set.Exec("t", data);
    }

    private static readonly FunctionMap Functions = FunctionMap.Builtins.With(
        GoFunction.Create<object>("plain", Plain.Sample),
        GoFunction.Create<object>("plainp", () => new Plain(pointer: true) { Name = "b", Any = 2.5, P = new Plain(pointer: true) { Name = "inner" } }),
        GoFunction.Create<object>("ver", () => Ver.Create(1, 2, "v1.2")),
        new GoFunction("nilver", new GoSignature([], Ver.PointerType), (_, _) => null),
        GoFunction.Create<object>("vals", () => new ValuesMap { ["a"] = 1.0, ["b"] = "x" }),
        GoFunction.Create<object>("caps", () => new Caps()),
        GoFunction.Create("keys", (Dictionary<string, object?> m) => m.Keys.Order(StringComparer.Ordinal).ToList()),
        GoFunction.Create("tojson", (object? v) => GoJson.Marshal(v)));

    /// <summary>type Plain struct { Name string `json:"name"`; Count int `json:"count,omitempty"`; ... }.</summary>
    private sealed class Plain(bool pointer) : IGoValue
    {
        private static readonly GoTypeBuilder Builder = new("main.Plain");
        private static readonly GoType ValueType = Builder
            .Field("Name", GoType.String, o => ((Plain)o).Name, "name")
            .Field("Count", GoType.Int, o => ((Plain)o).Count, "count", omitEmpty: true)
            .Field("Tags", GoType.SliceOfString, o => ((Plain)o).Tags, "tags")
            .Field("Any", GoType.Interface, o => ((Plain)o).Any, "any", omitEmpty: true)
            .Field("M", GoType.MapOfStringString, o => ((Plain)o).M, "m")
            .Field("P", Builder.PointerType, o => ((Plain)o).P, "p", omitEmpty: true)
            .Build();

        public string Name { get; init; } = "";

        public nint Count { get; init; }

        public List<string>? Tags { get; init; }

        public object? Any { get; init; }

        public Dictionary<string, string>? M { get; init; }

        public Plain? P { get; init; }

        public GoType GoType => pointer ? GoType.PointerTo(ValueType) : ValueType;

        public static Plain Sample() => new(pointer: false) { Name = "a", Count = 1, Tags = ["x", "y"], M = new() { ["k"] = "v" } };
    }

    /// <summary>*Ver with unexported fields and pointer methods Major, String, Inc and MarshalJSON.</summary>
    private sealed class Ver : IGoValue
    {
        private static readonly GoTypeBuilder Builder = new("main.Ver");

        public static readonly GoType StructType = Builder
            .Field("major", GoType.Int64, o => ((Ver)o)._major)
            .Field("minor", GoType.Int64, o => ((Ver)o)._minor)
            .Field("orig", GoType.String, o => ((Ver)o)._orig)
            .Method("Major", new GoSignature([], GoType.Int64), (r, _, _) => ((Ver)r)._major, pointerReceiver: true)
            .Method("String", new GoSignature([], GoType.String), (r, _, _) => ((Ver)r)._orig, pointerReceiver: true)
            .Method("Inc", new GoSignature([GoType.Int], Builder.PointerType), (r, _, a) => ((Ver)r).Inc((nint)a[0]!), pointerReceiver: true)
            .MarshalJson(o => GoJson.Marshal(((Ver)o)._orig))
            .Build();

        public static readonly GoType PointerType = GoType.PointerTo(StructType);

        private long _major;
        private long _minor;
        private string _orig = "";

        public GoType GoType => PointerType;

        public static Ver Create(long major, long minor, string orig) => new() { _major = major, _minor = minor, _orig = orig };

        private Ver Inc(nint n) => Create(_major + n, _minor, string.Create(CultureInfo.InvariantCulture, $"{_major + n}.{_minor}"));
    }

    /// <summary>type Values map[string]interface{} with methods YAML and Get.</summary>
    private sealed class ValuesMap : Dictionary<string, object?>, IGoValue
    {
        private static readonly GoType Type = new GoTypeBuilder("main.Values", GoType.MapOfStringInterface)
            .Method("YAML", new GoSignature([], GoType.String), (_, _, _) => "a: 1")
            .Method("Get", new GoSignature([GoType.String], GoType.Interface), (r, _, a) => ((ValuesMap)r).GetValueOrDefault((string)a[0]!))
            .Build();

        public ValuesMap()
            : base(StringComparer.Ordinal)
        {
        }

        public GoType GoType => Type;
    }

    /// <summary>type VersionSet []string with method Has.</summary>
    private sealed class VersionSet : List<string>, IGoValue
    {
        public static readonly GoType Type = new GoTypeBuilder("main.VersionSet", GoType.SliceOfString)
            .Method("Has", new GoSignature([GoType.String], GoType.Bool), (r, _, a) => ((VersionSet)r).Contains((string)a[0]!))
            .Build();

        public GoType GoType => Type;
    }

    /// <summary>type KV struct { Version, Major string } with a pointer-receiver String method.</summary>
    private sealed class KubeVersion : IGoValue
    {
        public static readonly GoType Type = new GoTypeBuilder("main.KV")
            .Field("Version", GoType.String, o => ((KubeVersion)o).Version)
            .Field("Major", GoType.String, o => ((KubeVersion)o).Major)
            .Method("String", new GoSignature([], GoType.String), (r, _, _) => ((KubeVersion)r).Version, pointerReceiver: true)
            .Build();

        public string Version { get; init; } = "v1.30.0";

        public string Major { get; init; } = "1";

        public GoType GoType => Type;
    }

    /// <summary>*Caps with APIVersions VersionSet and KubeVersion KV.</summary>
    private sealed class Caps : IGoValue
    {
        private static readonly GoType StructType = new GoTypeBuilder("main.Caps")
            .Field("APIVersions", VersionSet.Type, o => ((Caps)o).ApiVersions)
            .Field("KubeVersion", KubeVersion.Type, o => ((Caps)o).Kube)
            .Build();

        public VersionSet ApiVersions { get; } = ["v1", "apps/v1"];

        public KubeVersion Kube { get; } = new();

        public GoType GoType => GoType.PointerTo(StructType);
    }
}
