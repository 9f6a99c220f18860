using System.Numerics;
using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Values;

public sealed class GoValuesTests
{
    [Fact]
    public void FromJson_gives_what_go_unmarshals_into_interface()
    {
        var v = GoValues.FromJson(JsonNode.Parse("""{"o":{"x":1},"a":[1,"s",true,null],"n":3,"f":2.5,"s":"t","b":false,"z":null}"""));
        var m = Assert.IsType<Dictionary<string, object?>>(v);
        Assert.IsType<Dictionary<string, object?>>(m["o"]);
        Assert.Equal(new List<object?> { 1.0, "s", true, null }, Assert.IsType<List<object?>>(m["a"]));
        Assert.Equal(3.0, m["n"]);
        Assert.Equal(2.5, m["f"]);
        Assert.Equal("t", m["s"]);
        Assert.Equal(false, m["b"]);
        Assert.Null(m["z"]);
        Assert.Null(GoValues.FromJson(null));
        Assert.Equal("map[a:[1 s true <nil>] b:false f:2.5 n:3 o:map[x:1] s:t z:<nil>]", GoFmt.Sprint(v));
    }

    [Fact]
    public void FromJson_of_a_string_parses_it_as_json_text()
    {
        // JsonNode converts implicitly from string; the text overload must win so JSON text is not taken as a string value.
        Assert.IsType<Dictionary<string, object?>>(GoValues.FromJson("""{"a":1}"""));
        Assert.Equal("x", GoValues.FromJson("\"x\""));
        Assert.Null(GoValues.FromJson("null"));
        Assert.Null(GoValues.FromJson((string?)null));
    }

    [Fact]
    public void FromJson_text_keeps_the_last_of_duplicate_keys_like_go()
    {
        var m = Assert.IsType<Dictionary<string, object?>>(GoValues.FromJson("""{"a":1,"a":2}"""));
        Assert.Equal(2.0, m["a"]);
        Assert.Throws<FormatException>(() => GoValues.FromJson("[1e400]"));
    }

    [Theory]
    [InlineData("string", "string", GoKind.String)]
    [InlineData(1.5, "float64", GoKind.Float64)]
    [InlineData(true, "bool", GoKind.Bool)]
    [InlineData(3L, "int64", GoKind.Int64)]
    [InlineData(3, "int32", GoKind.Int32)]
    [InlineData((byte)3, "uint8", GoKind.Uint8)]
    [InlineData(1.5f, "float32", GoKind.Float32)]
    public void Clr_types_map_to_go_types(object value, string name, GoKind kind)
    {
        Assert.Equal(name, GoValues.TypeName(value));
        Assert.Equal(kind, GoValues.KindOf(value));
    }

    [Fact]
    public void Collection_and_special_types()
    {
        Assert.Equal("int", GoValues.TypeName((nint)1));
        Assert.Equal("uint", GoValues.TypeName((nuint)1));
        Assert.Equal("complex128", GoValues.TypeName(Complex.One));
        Assert.Equal("[]interface {}", GoValues.TypeName(new List<object?>()));
        Assert.Equal("[]interface {}", GoValues.TypeName(Array.Empty<object?>()));
        Assert.Equal("[]string", GoValues.TypeName(new[] { "a" }));
        Assert.Equal("[]int", GoValues.TypeName(new List<nint>()));
        Assert.Equal("[]uint8", GoValues.TypeName(Array.Empty<byte>()));
        Assert.Equal("map[string]interface {}", GoValues.TypeName(new Dictionary<string, object?>()));
        Assert.Equal("map[string]string", GoValues.TypeName(new Dictionary<string, string>()));
        Assert.Equal("[]string", GoValues.TypeName(GoType.SliceOfString.Nil));
        Assert.Equal("*errors.errorString", GoValues.TypeName(new GoError("x")));
        Assert.Equal("<nil>", GoValues.TypeName(null));
        Assert.Equal(GoKind.Invalid, GoValues.KindOf(null));
        Assert.Equal("slice", GoKind.Slice.GoName());
        Assert.Equal("ptr", GoKind.Ptr.GoName());
        Assert.Throws<InvalidOperationException>(() => GoValues.TypeOf(new Uri("http://x")));
    }

    [Fact]
    public void Truth_is_go_truth()
    {
        Assert.False(GoValues.IsTrue(null));
        Assert.False(GoValues.IsTrue(""));
        Assert.False(GoValues.IsTrue(0.0));
        Assert.False(GoValues.IsTrue((nint)0));
        Assert.False(GoValues.IsTrue(new List<object?>()));
        Assert.False(GoValues.IsTrue(new Dictionary<string, object?>()));
        Assert.False(GoValues.IsTrue(GoType.MapOfStringInterface.Nil));
        Assert.True(GoValues.IsTrue(double.NaN));
        Assert.True(GoValues.IsTrue(" "));
        Assert.True(GoValues.IsTrue(new List<object?> { null }));
    }

    [Fact]
    public void DeepEqual_compares_types_then_contents()
    {
        var a = GoValues.FromJson("""{"x":[1,{"y":"z"}]}""");
        var b = GoValues.FromJson("""{"x":[1,{"y":"z"}]}""");
        Assert.True(GoValues.DeepEqual(a, b));
        Assert.False(GoValues.DeepEqual(a, GoValues.FromJson("""{"x":[1,{"y":"q"}]}""")));
        Assert.False(GoValues.DeepEqual(1.0, (nint)1));
        Assert.False(GoValues.DeepEqual(new List<string> { "a" }, new List<object?> { "a" }));
        Assert.True(GoValues.DeepEqual(new List<string> { "a" }, new[] { "a" }));
        Assert.True(GoValues.DeepEqual(null, null));
        Assert.False(GoValues.DeepEqual(null, GoType.SliceOfString.Nil));
    }

    [Fact]
    public void Len_counts_utf8_bytes_of_strings()
    {
        Assert.Equal(6, GoValues.Len("héllo"));
        Assert.Equal(4, GoValues.Len("😀"));
        Assert.Equal(2, GoValues.Len(new List<object?> { 1, 2 }));
        Assert.Equal(-1, GoValues.Len(1.0));
    }
}
