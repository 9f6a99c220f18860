namespace Keelson.Templating.Tests.Exec;

/// <summary>
/// Functions that call back into the template set, as Helm's include and tpl do, and user functions that
/// replace builtins.
/// </summary>
public sealed class FunctionContextTests
{
    private static readonly GoFunction Include = new("include", new GoSignature([GoType.String, GoType.Interface], GoType.String, ReturnsError: true),
        (ctx, a) => ctx.ExecuteTemplate((string)a[0]!, a[1]));

    private static readonly GoFunction Tpl = new("tpl", new GoSignature([GoType.String, GoType.Interface], GoType.String, ReturnsError: true),
        (ctx, a) =>
        {
            var clone = ctx.Templates.Clone();
            clone.Parse("tpl", (string)a[0]!);
            return ctx.ExecuteTemplate(clone, "tpl", a[1]);
        });

    private static readonly GoFunction Depth = new("depth", new GoSignature([], GoType.Int), (ctx, _) => (nint)ctx.Depth);

    private static readonly FunctionMap Functions = FunctionMap.Builtins.With(Include, Tpl, Depth);

    [Fact]
    public void Include_renders_a_named_template_into_a_string()
    {
        var set = new TemplateSet(Functions);
        set.Parse("t", "{{define \"y\"}}<{{.}}>{{end}}{{include \"y\" 3 | printf \"%q\"}}");
        Assert.Equal("\"<3>\"", set.Exec("t", null));
    }

    [Fact]
    public void Errors_inside_an_included_template_are_wrapped_as_go_wraps_them()
    {
        // Go: template: t:1:78: executing "t" at <include "x" .>: error calling include: template: t:1:19: ...
        var set = new TemplateSet(Functions);
        set.Parse("t", "{{define \"x\"}}[{{.a.b}}]{{end}}{{define \"y\"}}<{{.}}>{{end}}{{include \"y\" 3}}{{include \"x\" .}}");
        var e = Assert.Throws<TemplateException>(() => set.Exec("t", GoValues.FromJson("""{"a":1}""")));
        Assert.Equal("template: t:1:78: executing \"t\" at <include \"x\" .>: error calling include: template: t:1:19: executing \"x\" at <.a.b>: can't evaluate field b in type interface {}", e.Message);
        Assert.IsType<TemplateException>(e.InnerException);
    }

    [Fact]
    public void Including_a_missing_template_reports_the_root_template()
    {
        var set = new TemplateSet(Functions);
        set.Parse("u", "{{include \"nope\" 1}}");
        Assert.Equal("template: u:1:2: executing \"u\" at <include \"nope\" 1>: error calling include: template: no template \"nope\" associated with template \"u\"",
            Assert.Throws<TemplateException>(() => set.Exec("u", null)).Message);
    }

    [Fact]
    public void Tpl_parses_text_in_a_clone_that_sees_the_defined_templates()
    {
        var set = new TemplateSet(Functions);
        set.Parse("helpers", "{{define \"name\"}}app-{{.}}{{end}}");
        set.Parse("t", "{{tpl \"{{include \\\"name\\\" .}}!\" \"web\"}}");
        Assert.Equal("app-web!", set.Exec("t", null));
        Assert.False(set.Has("tpl"));
    }

    [Fact]
    public void A_nested_execution_in_another_set_uses_that_sets_options()
    {
        var strict = new TemplateSet(FunctionMap.Builtins, new TemplateOptions { MissingKey = MissingKeyMode.Error });
        strict.Parse("s", "{{.nope}}");
        var viaStrict = new GoFunction("strict", new GoSignature([GoType.Interface], GoType.String), (ctx, a) => ctx.ExecuteTemplate(strict, "s", a[0]));
        var set = new TemplateSet(FunctionMap.Builtins.With(viaStrict));
        set.Parse("t", "{{.nope}}|{{strict .}}");
        var e = Assert.Throws<TemplateException>(() => set.Exec("t", new Dictionary<string, object?>()));
        Assert.Equal("template: t:1:12: executing \"t\" at <strict .>: error calling strict: template: s:1:2: executing \"s\" at <.nope>: map has no entry for key \"nope\"", e.Message);
    }

    [Fact]
    public void Depth_counts_template_calls_and_nested_executions()
    {
        var set = new TemplateSet(Functions);
        set.Parse("t", "{{depth}}{{define \"a\"}}{{depth}}{{template \"b\"}}{{end}}{{define \"b\"}}{{depth}}{{include \"c\" .}}{{end}}{{define \"c\"}}{{depth}}{{end}}{{template \"a\"}}");
        Assert.Equal("0123", set.Exec("t", null));
    }

    [Fact]
    public void A_user_function_replaces_the_builtin_of_the_same_name()
    {
        // The builtin "and" short-circuits; a replacement is an ordinary function whose arguments are all evaluated.
        var builtin = new TemplateSet(FunctionMap.Builtins);
        builtin.Parse("t", "{{and 0 .a.x}}");
        Assert.Equal("0", builtin.Exec("t", GoValues.FromJson("""{"a":1}""")));

        var custom = new TemplateSet(FunctionMap.Builtins.With(GoFunction.Variadic("and", (object?[] xs) => "custom")));
        custom.Parse("t", "{{and 0 1}}|{{and 0 .a.x}}");
        var e = Assert.Throws<TemplateException>(() => custom.Exec("t", GoValues.FromJson("""{"a":1}""")));
        Assert.Equal("template: t:1:22: executing \"t\" at <.a.x>: can't evaluate field x in type interface {}", e.Message);
    }

    [Fact]
    public void Break_and_continue_are_function_names_when_such_functions_exist()
    {
        var set = new TemplateSet(FunctionMap.Builtins.With(GoFunction.Create("break", () => "B")));
        set.Parse("t", "{{break}}{{range 2}}{{break}}{{end}}");
        Assert.Equal("BBB", set.Exec("t", null));
    }

    [Fact]
    public void Call_invokes_a_function_value_with_go_argument_rules()
    {
        var data = new Dictionary<string, object?> { ["f"] = GoFunction.Create("greet", (string s) => "hi " + s) };
        Assert.Equal("hi bob", Run.Template("{{call .f \"bob\"}}", data));
        Assert.Equal("template: t:1:2: executing \"t\" at <call .f>: error calling call: wrong number of args: got 0 want 1",
            Assert.Throws<TemplateException>(() => Run.Template("{{call .f}}", data)).Message);
        Assert.Equal("template: t:1:2: executing \"t\" at <call .f 1>: error calling call: arg 0: value has type int; should be string",
            Assert.Throws<TemplateException>(() => Run.Template("{{call .f 1}}", data)).Message);
        Assert.Equal("func(string) string", Run.Template("{{printf \"%T\" .f}}", data));
    }

    [Fact]
    public void Function_names_must_be_identifiers_and_variadic_signatures_end_in_a_slice()
    {
        Assert.Throws<ArgumentException>(() => FunctionMap.Builtins.With(GoFunction.Create("bad-name", () => "")));
        Assert.Throws<ArgumentException>(() => new GoFunction("f", new GoSignature([GoType.String], GoType.String, IsVariadic: true), (_, _) => ""));
        Assert.Equal("func(string, ...interface {}) (string, error)",
            new GoFunction("f", new GoSignature([GoType.String, GoType.SliceOfInterface], GoType.String, IsVariadic: true, ReturnsError: true), (_, _) => "").GoType.Name);
    }
}
