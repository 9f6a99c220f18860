namespace Keelson.Templating.Tests;

/// <summary>The template set: parsing several texts, definitions across them, cloning, errors as exceptions.</summary>
public sealed class TemplateSetTests
{
    [Fact]
    public void Parse_adds_the_template_and_its_definitions()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("main", "{{define \"a\"}}A{{end}}{{block \"b\" .}}B{{end}}body");
        Assert.True(set.Has("main"));
        Assert.True(set.Has("a"));
        Assert.True(set.Has("b"));
        Assert.False(set.Has("c"));
        Assert.Equal(["a", "b", "main"], set.Names.Order(StringComparer.Ordinal));
        Assert.Equal("Bbody", set.Exec("main", null));
        Assert.Equal("A", set.Exec("a", null));
    }

    [Fact]
    public void A_later_definition_replaces_an_earlier_one_unless_it_is_empty()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("one", "{{define \"x\"}}first{{end}}{{template \"x\"}}");
        set.Parse("two", "{{define \"x\"}}second{{end}}");
        Assert.Equal("second", set.Exec("one", null));
        set.Parse("three", "{{define \"x\"}}  {{/* only space */}}\n{{end}}");
        Assert.Equal("second", set.Exec("one", null));
        set.Parse("one", "  ");
        Assert.Equal("second", set.Exec("one", null));
    }

    [Fact]
    public void Clones_share_parsed_templates_but_not_later_changes()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("x", "original");
        var clone = set.Clone();
        clone.Parse("x", "changed");
        clone.Parse("y", "new");
        Assert.Equal("original", set.Exec("x", null));
        Assert.False(set.Has("y"));
        Assert.Equal("changed", clone.Exec("x", null));
        set.Parse("z", "z");
        Assert.False(clone.Has("z"));
    }

    [Fact]
    public void Executing_an_unknown_template_names_the_root_template()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        Assert.Equal("template: no template \"nope\" associated with template \"nope\"", Assert.Throws<TemplateException>(() => set.Exec("nope", null)).Message);
        var helmLike = new TemplateSet(FunctionMap.Builtins, new TemplateOptions { RootName = "gotpl" });
        Assert.Equal("template: no template \"nope\" associated with template \"gotpl\"", Assert.Throws<TemplateException>(() => helmLike.Exec("nope", null)).Message);
    }

    [Fact]
    public void Errors_carry_template_line_and_byte_column()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("file.yaml", "a: 1\n{{define \"inner\"}}\n  é{{.x.y}}{{end}}\nb: {{template \"inner\" .}}");
        var e = Assert.Throws<TemplateException>(() => set.Exec("file.yaml", GoValues.FromJson("""{"x":"s"}""")));
        Assert.Equal("template: file.yaml:3:8: executing \"inner\" at <.x.y>: can't evaluate field y in type interface {}", e.Message);
        Assert.Equal("inner", e.TemplateName);
        Assert.Equal(3, e.Line);
        Assert.Equal(8, e.Column);

        var p = Assert.Throws<TemplateException>(() => set.Parse("bad.yaml", "ok\n{{ if }}"));
        Assert.Equal("template: bad.yaml:2: missing value for if", p.Message);
        Assert.Equal("bad.yaml", p.TemplateName);
        Assert.Equal(2, p.Line);
    }

    [Fact]
    public void A_failed_parse_leaves_the_set_unchanged()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("x", "kept");
        Assert.Throws<TemplateException>(() => set.Parse("x", "{{define \"y\"}}y{{end}}{{ if }}"));
        Assert.Equal("kept", set.Exec("x", null));
        Assert.False(set.Has("y"));
    }

    [Fact]
    public void Output_written_before_an_error_stays_in_the_writer()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("t", "before {{.a.b}} after");
        var writer = new StringWriter();
        Assert.Throws<TemplateException>(() => set.Exec("t", GoValues.FromJson("""{"a":1}"""), writer));
        Assert.Equal("before ", writer.ToString());
    }

    [Fact]
    public void Functions_are_resolved_when_parsing()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        Assert.Equal("template: t:1: function \"shout\" not defined", Assert.Throws<TemplateException>(() => set.Parse("t", "{{shout 1}}")).Message);
        var withShout = new TemplateSet(FunctionMap.Builtins.With(GoFunction.Create("shout", (string s) => s + "!")));
        withShout.Parse("t", "{{shout \"hi\"}}");
        Assert.Equal("hi!", withShout.Exec("t", null));
    }
}
