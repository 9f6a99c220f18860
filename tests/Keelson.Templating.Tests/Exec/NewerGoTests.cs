namespace Keelson.Templating.Tests.Exec;

/// <summary>
/// Features newer than the Go 1.19 on this machine, following their documented semantics: {{else with}}
/// (Go 1.23) and range over an integer (Go 1.24).
/// </summary>
public sealed class NewerGoTests
{
    [Theory]
    [InlineData("{{range 3}}{{.}}{{end}}", "012")]
    [InlineData("{{range $i := 3}}{{$i}},{{end}}", "0,1,2,")]
    [InlineData("{{range 0}}x{{else}}none{{end}}", "none")]
    [InlineData("{{range -2}}x{{else}}negative{{end}}", "negative")]
    [InlineData("{{range 5}}{{if eq . 3}}{{break}}{{end}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}", "02")]
    [InlineData("{{range $i := 2}}{{printf \"%T\" $i}} {{end}}", "int int ")]
    [InlineData("{{$n := 0}}{{range $i := 4}}{{$n = $i}}{{end}}{{$n}}", "3")]
    [InlineData("{{range (len \"abc\")}}{{.}}{{end}}", "012")]
    public void Range_over_an_integer(string template, string expected) => Assert.Equal(expected, Run.Golden(template, null));

    [Theory]
    [InlineData("{{range $i, $e := 3}}{{end}}", "|ERR: template: t:1:18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable")]
    [InlineData("{{range .fl}}{{end}}", "|ERR: template: t:1:8: executing \"t\" at <.fl>: range can't iterate over 2.5")]
    [InlineData("{{range .a}}{{.}}{{end}}", "|ERR: template: t:1:8: executing \"t\" at <.a>: range can't iterate over 1")]
    public void Range_over_non_integers_and_two_variables_fails(string template, string expected) => Assert.Equal(expected, Run.Golden(template, null));

    [Theory]
    [InlineData("{{with 0}}a{{else with 2}}{{.}}{{end}}", "2")]
    [InlineData("{{with 0}}a{{else with 0}}b{{else}}c{{end}}", "c")]
    [InlineData("{{with 1}}a{{else with 2}}b{{end}}", "a")]
    [InlineData("{{with .missing}}a{{else with .m.k}}[{{.}}]{{else with .b}}{{.}}{{end}}", "[v]")]
    [InlineData("{{with $x := 0}}{{else with $y := 5}}{{$y}}{{end}}", "5")]
    [InlineData("{{with 0}}{{else with 0}}{{else with 0}}{{else}}last{{end}}", "last")]
    public void Else_with(string template, string expected) => Assert.Equal(expected, Run.Golden(template, null));

    [Theory]
    [InlineData("{{if 0}}{{else with 3}}{{.}}{{end}}", "ERR: template: t:1: unexpected <with> in input")]
    [InlineData("{{with 0}}{{else if 1}}x{{end}}", "ERR: template: t:1: unexpected <if> in input")]
    [InlineData("{{range .list}}{{else with 1}}{{end}}", "ERR: template: t:1: unexpected <with> in input")]
    public void Else_with_only_continues_a_with(string template, string expected) => Assert.Equal(expected, Run.Golden(template, null));
}
