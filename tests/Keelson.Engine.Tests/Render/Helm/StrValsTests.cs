using Keelson.Engine.Render.Helm;
using Keelson.Templating;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// --set parsing, with the examples of Helm's documentation and pkg/strvals tests: the result is compared as JSON
/// (ints stay int64, so they print without a decimal point either way) plus the Go type where it matters.
/// </summary>
public sealed class StrValsTests
{
    [Theory]
    [InlineData("name=value", """{"name":"value"}""")]
    [InlineData("long_int_string=1234567890", """{"long_int_string":1234567890}""")]
    [InlineData("boolean=true", """{"boolean":true}""")]
    [InlineData("is_null=null", """{"is_null":null}""")]
    [InlineData("zero=0", """{"zero":0}""")]
    [InlineData("leading_zeros=00009", """{"leading_zeros":"00009"}""")]
    [InlineData("name1=value1,name2=value2", """{"name1":"value1","name2":"value2"}""")]
    [InlineData("name1=value1,name2=value2,", """{"name1":"value1","name2":"value2"}""")]
    [InlineData("name1=,name2=value2", """{"name1":"","name2":"value2"}""")]
    [InlineData(@"name1=one\,two,name2=three\,four", """{"name1":"one,two","name2":"three,four"}""")]
    [InlineData(@"name1=one\=two,name2=three\=four", """{"name1":"one=two","name2":"three=four"}""")]
    [InlineData(@"name1=one two three,name2=3 2 1", """{"name1":"one two three","name2":"3 2 1"}""")]
    [InlineData("outer.inner=value", """{"outer":{"inner":"value"}}""")]
    [InlineData("outer.middle.inner=value", """{"outer":{"middle":{"inner":"value"}}}""")]
    [InlineData("outer.inner1=value,outer.inner2=value2", """{"outer":{"inner1":"value","inner2":"value2"}}""")]
    [InlineData("outer.inner1=value,outer.middle.inner=value", """{"outer":{"inner1":"value","middle":{"inner":"value"}}}""")]
    [InlineData(@"name1\.name2=value", """{"name1.name2":"value"}""")]
    [InlineData("name1={value1,value2}", """{"name1":["value1","value2"]}""")]
    [InlineData("name1={value1,value2},name2={value1,value2}", """{"name1":["value1","value2"],"name2":["value1","value2"]}""")]
    [InlineData("list[0]=foo", """{"list":["foo"]}""")]
    [InlineData("list[0].foo=bar", """{"list":[{"foo":"bar"}]}""")]
    [InlineData("list[0].foo=bar,list[0].hello=world", """{"list":[{"foo":"bar","hello":"world"}]}""")]
    [InlineData("list[0]=foo,list[1]=bar", """{"list":["foo","bar"]}""")]
    [InlineData("list[0]=foo,list[3]=bar", """{"list":["foo",null,null,"bar"]}""")]
    [InlineData("list[0]={1,2}", """{"list":[[1,2]]}""")]
    [InlineData("nested[0][0]=1", """{"nested":[[1]]}""")]
    [InlineData("nested[1][1]=1", """{"nested":[null,[null,1]]}""")]
    [InlineData("name1.name2[0].foo=bar,name1.name2[1].foo=bar", """{"name1":{"name2":[{"foo":"bar"},{"foo":"bar"}]}}""")]
    [InlineData("a.", "{}")]
    [InlineData("TRUE=FALSE,n=-12,p=+7,e=1e3,h=0x10", """{"TRUE":false,"e":"1e3","h":"0x10","n":-12,"p":7}""")]
    public void Set_parses_like_helm(string input, string expectedJson) =>
        Assert.Equal(expectedJson, GoJson.Marshal(StrVals.Parse(input)));

    [Fact]
    public void Integers_are_int64_and_the_rest_keep_their_go_types()
    {
        var v = StrVals.Parse("i=42,z=0,b=true,s=0042,f=1.5");
        Assert.IsType<long>(v["i"]);
        Assert.IsType<long>(v["z"]);
        Assert.IsType<bool>(v["b"]);
        Assert.Equal("0042", v["s"]);
        Assert.Equal("1.5", v["f"]);
    }

    [Fact]
    public void Set_string_keeps_every_value_a_string()
    {
        var d = new Dictionary<string, object?>();
        StrVals.ParseIntoString("long_int_string=1234567890,b=true,n=null,list={1,2}", d);
        Assert.Equal("""{"b":"true","list":["1","2"],"long_int_string":"1234567890","n":"null"}""", GoJson.Marshal(d));
    }

    [Fact]
    public void Set_file_reads_the_value_from_the_path()
    {
        var d = new Dictionary<string, object?>();
        StrVals.ParseIntoFile("cfg=a.txt,other=b.txt", d, path => "content of " + path);
        Assert.Equal("""{"cfg":"content of a.txt","other":"content of b.txt"}""", GoJson.Marshal(d));
    }

    [Fact]
    public void Set_json_takes_json_values()
    {
        var d = new Dictionary<string, object?>();
        StrVals.ParseJson("""outer.inner={"a":[1,"x",true]},n=,list[1]=3""", d);
        Assert.Equal("""{"list":[null,3],"n":null,"outer":{"inner":{"a":[1,"x",true]}}}""", GoJson.Marshal(d));
    }

    [Fact]
    public void Later_sets_merge_into_earlier_ones()
    {
        var d = new Dictionary<string, object?>();
        StrVals.ParseInto("a.b=1,list[0].x=1", d);
        StrVals.ParseInto("a.c=2,list[0].y=2,list[1]=z", d);
        Assert.Equal("""{"a":{"b":1,"c":2},"list":[{"x":1,"y":2},"z"]}""", GoJson.Marshal(d));
    }

    [Theory]
    [InlineData("name1,name2=", "key \"name1\" has no value (cannot end with ,)")]
    [InlineData("name1=value1,,,,name2=value2,", "key \"\" has no value (cannot end with ,)")]
    [InlineData("name1.name2", "key \"name2\" has no value")]
    [InlineData("name1.=name2", "key map \"name1\" has no value")]
    [InlineData("name", "key \"name\" has no value")]
    [InlineData("list[-30].hello=world", "negative -30 index not allowed")]
    [InlineData("list[65537]=x", "index of 65537 is greater than maximum supported index of 65536")]
    [InlineData("list[x]=1", "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("list[0]x=1", "unexpected data at end of array index: \"x\"")]
    [InlineData("a={1,2", "list must terminate with '}'")]
    [InlineData("a=1,a.b=2", "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}")]
    [InlineData("a=1,a[0]=2", "unable to parse key: interface conversion: interface {} is int64, not []interface {}")]
    public void Malformed_sets_fail_with_helms_message(string input, string message)
    {
        var e = Assert.Throws<HelmException>(() => StrVals.Parse(input));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Names_nested_deeper_than_thirty_levels_are_refused()
    {
        var e = Assert.Throws<HelmException>(() => StrVals.Parse(string.Join('.', Enumerable.Range(0, 32).Select(i => "k" + i)) + "=v"));
        Assert.Equal("value name nested level is greater than maximum supported nested level of 30", e.Message);
    }
}
