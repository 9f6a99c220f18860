using System.Numerics;

namespace Keelson.Templating.Tests.Values;

/// <summary>GoJson follows encoding/json: expected values were produced by Go's json.Marshal/MarshalIndent.</summary>
public sealed class GoJsonTests
{
    private const string Doc = """{"a":1,"b":[1,2,{"c":"<>&"}],"e":{},"f":[],"g":null,"h":true,"i":1e21,"j":1e-7,"k":123456789.125,"l":-0.0,"m":"\u2028\u2029\u0001\n\r\t\"\\/é😀"}""";

    [Fact]
    public void Marshal_sorts_keys_escapes_html_and_formats_floats_like_go()
    {
        var v = GoValues.FromJson(Doc);
        Assert.Equal("""{"a":1,"b":[1,2,{"c":"\u003c\u003e\u0026"}],"e":{},"f":[],"g":null,"h":true,"i":1e+21,"j":1e-7,"k":123456789.125,"l":-0,"m":"\u2028\u2029\u0001\n\r\t\"\\/é😀"}""", GoJson.Marshal(v));
    }

    [Fact]
    public void Raw_marshal_keeps_html_characters()
    {
        var v = GoValues.FromJson(Doc);
        Assert.Equal("""{"a":1,"b":[1,2,{"c":"<>&"}],"e":{},"f":[],"g":null,"h":true,"i":1e+21,"j":1e-7,"k":123456789.125,"l":-0,"m":"\u2028\u2029\u0001\n\r\t\"\\/é😀"}""", GoJson.Marshal(v, escapeHtml: false));
    }

    [Fact]
    public void MarshalIndent_puts_each_element_on_a_line_with_prefix_and_indent()
    {
        var v = GoValues.FromJson("""{"a":1,"b":[1,{"c":"<"}],"e":{},"f":[]}""");
        Assert.Equal("{\n>  \"a\": 1,\n>  \"b\": [\n>    1,\n>    {\n>      \"c\": \"\\u003c\"\n>    }\n>  ],\n>  \"e\": {},\n>  \"f\": []\n>}", GoJson.MarshalIndent(v, ">", "  "));
        Assert.Equal("[]", GoJson.MarshalIndent(new List<object?>(), "", "  "));
        Assert.Equal("\"x\"", GoJson.MarshalIndent("x", "", "  "));
    }

    [Theory]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(9.999999e-7, "9.999999e-7")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(-1e21, "-1e+21")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100")]
    public void Floats_use_the_encoder_thresholds(double value, string expected) => Assert.Equal(expected, GoJson.Marshal(value));

    [Fact]
    public void Backspace_and_form_feed_use_short_escapes_as_since_go_1_22() =>
        Assert.Equal("\"\\b\\f\\u001f\"", GoJson.Marshal("\b\f\u001f"));

    [Fact]
    public void Typed_values_bytes_and_typed_nils()
    {
        Assert.Equal("\"aGk=\"", GoJson.Marshal("hi"u8.ToArray()));
        Assert.Equal("[\"a\",\"b\"]", GoJson.Marshal(new List<string> { "a", "b" }));
        Assert.Equal("{\"a\":\"1\",\"b\":\"2\"}", GoJson.Marshal(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }));
        Assert.Equal("[1,2,3]", GoJson.Marshal(new List<object?> { (nint)1, 2L, (byte)3 }));
        Assert.Equal("null", GoJson.Marshal(GoType.SliceOfString.Nil));
        Assert.Equal("null", GoJson.Marshal(null));
        Assert.Equal("1.5", GoJson.Marshal(1.5f));
    }

    [Fact]
    public void Unsupported_values_fail_with_go_messages()
    {
        Assert.Equal("json: unsupported value: NaN", Assert.Throws<GoJsonException>(() => GoJson.Marshal(double.NaN)).Message);
        Assert.Equal("json: unsupported value: +Inf", Assert.Throws<GoJsonException>(() => GoJson.Marshal(double.PositiveInfinity)).Message);
        Assert.Equal("json: unsupported type: complex128", Assert.Throws<GoJsonException>(() => GoJson.Marshal(new Complex(1, 1))).Message);
        Assert.Equal("json: unsupported type: func(string) string",
            Assert.Throws<GoJsonException>(() => GoJson.Marshal(GoFunction.Create("f", (string s) => s))).Message);
    }

    [Fact]
    public void A_map_that_contains_itself_is_reported_as_a_cycle()
    {
        var m = new Dictionary<string, object?>();
        m["self"] = m;
        Assert.StartsWith("json: unsupported value: encountered a cycle via", Assert.Throws<GoJsonException>(() => GoJson.Marshal(m)).Message, StringComparison.Ordinal);
    }
}
