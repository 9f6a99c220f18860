using System.Collections.Concurrent;

namespace Keelson.Templating.Tests.Exec;

/// <summary>Recursion limits, cancellation and concurrent use of one template set.</summary>
public sealed class LimitsTests
{
    private const string Recursive = "{{define \"rec\"}}{{template \"rec\" .}}{{end}}{{template \"rec\" 1}}";

    [Fact]
    public void A_configured_depth_limit_stops_recursion_with_gos_message()
    {
        var set = new TemplateSet(FunctionMap.Builtins, new TemplateOptions { MaxDepth = 50 });
        set.Parse("r", Recursive);
        Assert.Equal("template: r:1:27: executing \"rec\" at <{{template \"rec\" .}}>: exceeded maximum template depth (50)",
            Assert.Throws<TemplateException>(() => set.Exec("r", null)).Message);
    }

    [Fact]
    public void Unbounded_recursion_fails_like_go_instead_of_overflowing_the_stack()
    {
        // Go reaches its limit of 100000; the stack here is smaller, and running out of it reports the same error.
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("r", Recursive);
        Assert.Equal("template: r:1:27: executing \"rec\" at <{{template \"rec\" .}}>: exceeded maximum template depth (100000)",
            Assert.Throws<TemplateException>(() => set.Exec("r", null)).Message);
    }

    [Fact]
    public void Unbounded_recursion_through_a_nested_execution_fails_instead_of_crashing()
    {
        // Every level wraps the error of the level below ("error calling include: template: ..."), as in Go. A small
        // stack makes the limit come quickly; the process must survive it.
        var include = new GoFunction("include", new GoSignature([GoType.String, GoType.Interface], GoType.String, ReturnsError: true),
            (ctx, a) => ctx.ExecuteTemplate((string)a[0]!, a[1]));
        var set = new TemplateSet(FunctionMap.Builtins.With(include));
        set.Parse("t", "{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}");
        Exception? caught = null;
        var thread = new Thread(() => caught = Record.Exception(() => set.Exec("t", null)), maxStackSize: 1024 * 1024);
        thread.Start();
        thread.Join();
        var e = Assert.IsType<TemplateException>(caught);
        Assert.StartsWith("template: t:1:40: executing \"t\" at <include \"r\" .>: error calling include: template: t:1:16: executing \"r\" at <include \"r\" .>: error calling include: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("exceeded maximum template depth (100000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_parentheses_fail_to_parse_instead_of_overflowing_the_stack()
    {
        var text = "{{" + new string('(', 20000) + "1" + new string(')', 20000) + "}}";
        var e = Assert.Throws<TemplateException>(() => new TemplateSet(FunctionMap.Builtins).Parse("p", text));
        Assert.Equal("template: p:1: max expression depth exceeded", e.Message);
    }

    [Fact]
    public void A_cancelled_token_stops_execution_before_it_starts()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("t", "x");
        Assert.Throws<OperationCanceledException>(() => set.Execute("t", null, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Cancellation_is_observed_during_a_long_range()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var tick = GoFunction.Create("tick", () =>
        {
            if (++calls == 1000)
            {
                cts.Cancel();
            }

            return "";
        });
        var set = new TemplateSet(FunctionMap.Builtins.With(tick));
        set.Parse("t", "{{range 1000000000}}{{tick}}{{end}}");
        Assert.Throws<OperationCanceledException>(() => set.Execute("t", null, cts.Token));
        Assert.InRange(calls, 1000, 1001);
    }

    [Fact]
    public void Cancellation_is_observed_inside_nested_executions()
    {
        using var cts = new CancellationTokenSource();
        var include = new GoFunction("include", new GoSignature([GoType.String, GoType.Interface], GoType.String),
            (ctx, a) =>
            {
                Assert.Equal(cts.Token, ctx.CancellationToken);
                cts.Cancel();
                return ctx.ExecuteTemplate((string)a[0]!, a[1]);
            });
        var set = new TemplateSet(FunctionMap.Builtins.With(include));
        set.Parse("t", "{{define \"x\"}}x{{end}}{{include \"x\" .}}");
        Assert.Throws<OperationCanceledException>(() => set.Execute("t", null, cts.Token));
    }

    [Fact]
    public async Task One_set_executes_concurrently_from_many_threads()
    {
        var set = new TemplateSet(FunctionMap.Builtins);
        set.Parse("t", "{{define \"item\"}}{{.}};{{end}}{{range $i, $v := .list}}{{$i}}={{template \"item\" $v}}{{end}}{{$x := .n}}{{printf \"%05.1f\" $x}}");
        var failures = new ConcurrentBag<string>();
        var tasks = Enumerable.Range(0, 16).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var n = worker * 1000 + i;
                var data = new Dictionary<string, object?> { ["list"] = new List<object?> { "a", (nint)n }, ["n"] = (double)n };
                var expected = $"0=a;1={n};" + GoFmt.Sprintf("%05.1f", (double)n);
                var actual = set.Exec("t", data);
                if (actual != expected)
                {
                    failures.Add(actual + " != " + expected);
                }
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(tasks);
        Assert.Empty(failures);
    }
}
