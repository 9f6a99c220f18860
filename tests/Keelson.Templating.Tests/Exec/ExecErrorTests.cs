namespace Keelson.Templating.Tests.Exec;

/// <summary>
/// Execution errors name the template, line, byte column and node as Go does. Expected values are Go's own output (text/template run with the same template and data; see Run).
/// </summary>
public sealed class ExecErrorTests
{
    /// <summary>Errors raised while executing, with partial output before them.</summary>
    [Theory]
    [InlineData("{{.a.b.c}}", "|ERR: template: t:1:4: executing \"t\" at <.a.b.c>: can't evaluate field b in type interface {}")]
    [InlineData("{{template \"nope\"}}", "|ERR: template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined")]
    [InlineData("{{nil}}", "|ERR: template: t:1:2: executing \"t\" at <nil>: nil is not a command")]
    [InlineData("{{3 .a}}", "|ERR: template: t:1:2: executing \"t\" at <3>: can't give argument to non-function 3")]
    [InlineData("{{1 2}}", "|ERR: template: t:1:2: executing \"t\" at <1>: can't give argument to non-function 1")]
    [InlineData("{{\"x\" 1}}", "|ERR: template: t:1:2: executing \"t\" at <\"x\">: can't give argument to non-function \"x\"")]
    [InlineData("{{true 1}}", "|ERR: template: t:1:2: executing \"t\" at <true>: can't give argument to non-function true")]
    [InlineData("{{nil 1}}", "|ERR: template: t:1:2: executing \"t\" at <nil>: can't give argument to non-function nil")]
    [InlineData("{{(1) 2}}", "|ERR: template: t:1:2: executing \"t\" at <(1) 2>: can't give argument to non-function 1")]
    [InlineData("{{(.a) 2}}", "|ERR: template: t:1:2: executing \"t\" at <(.a) 2>: can't give argument to non-function .a")]
    [InlineData("{{. | print}}", "map[a:1 b:x big:1e+21 e: empty:[] emptym:map[] f:false fl:2.5 list:[1 two 3.5 <nil> true] m:map[e:map[] k:v n:<nil> z:1e+06] n:<nil> neg:-2.5 nested:map[a:map[b:map[c:[1 2 map[d:deep]]]]] nums:[1 2 3] q:a\tb\"c'<>&=\u2028\u0001é\U0001f600 s:héllo strs:[b a c] t:true z:0]")]
    [InlineData("a\n{{.b.x}}", "a\n|ERR: template: t:2:4: executing \"t\" at <.b.x>: can't evaluate field x in type interface {}")]
    [InlineData("a\nb\n  {{.n.x}}", "a\nb\n  |ERR: template: t:3:6: executing \"t\" at <.n.x>: nil pointer evaluating interface {}.x")]
    [InlineData("é {{.b.x}}", "é |ERR: template: t:1:7: executing \"t\" at <.b.x>: can't evaluate field x in type interface {}")]
    [InlineData("\U0001f600{{.a.x}}", "\U0001f600|ERR: template: t:1:8: executing \"t\" at <.a.x>: can't evaluate field x in type interface {}")]
    [InlineData("{{\"é\"}}{{.a.x}}", "é|ERR: template: t:1:12: executing \"t\" at <.a.x>: can't evaluate field x in type interface {}")]
    [InlineData("{{define \"d\"}}\n\n{{.x}}{{end}}{{template \"d\" .b}}", "\n\n|ERR: template: t:3:2: executing \"d\" at <.x>: can't evaluate field x in type string")]
    [InlineData("{{if .a}}\n{{ .b.y }}{{end}}", "\n|ERR: template: t:2:5: executing \"t\" at <.b.y>: can't evaluate field y in type interface {}")]
    [InlineData("l1\n\n{{if .a}}\n  {{.b.y}}\n{{end}}", "l1\n\n\n  |ERR: template: t:4:6: executing \"t\" at <.b.y>: can't evaluate field y in type interface {}")]
    [InlineData("{{if .a}}\n{{else}}\n{{.m.k.x}}{{end}}", "\n")]
    [InlineData("{{define \"x\"}}{{.y.z}}{{end}}{{template \"x\" .}}", "<no value>")]
    [InlineData("{{define \"x\"}}\n\n  {{.y.z}}{{end}}{{template \"x\" .m}}", "\n\n  <no value>")]
    [InlineData("{{range .a}}x{{end}}", "|ERR: template: t:1:8: executing \"t\" at <.a>: range can't iterate over 1")]
    [InlineData("{{range .m.k}}{{end}}", "|ERR: template: t:1:10: executing \"t\" at <.m.k>: range can't iterate over v")]
    [InlineData("{{if .list.x}}{{end}}", "|ERR: template: t:1:10: executing \"t\" at <.list.x>: can't evaluate field x in type interface {}")]
    [InlineData("{{with .a.x}}{{end}}", "|ERR: template: t:1:9: executing \"t\" at <.a.x>: can't evaluate field x in type interface {}")]
    [InlineData("x{{.a.x}}y", "x|ERR: template: t:1:5: executing \"t\" at <.a.x>: can't evaluate field x in type interface {}")]
    public void Execution_errors(string template, string expected) => Assert.Equal(expected, Run.Golden(template, null));
}
