namespace Keelson.Templating.Tests;

public sealed class GoPatternTests
{
    [Theory]
    [InlineData("b", "abc", true)]
    [InlineData("^[a-z]+$", "abc", true)]
    [InlineData("^a$", "a\n", false)]
    [InlineData(@"^\d$", "\u0663", false)]
    [InlineData(@"^\d$", "3", true)]
    public void MatchesAsGoDoes(string expr, string input, bool expected)
    {
        Assert.True(GoPattern.TryCompile(expr, out var pattern, out _));
        Assert.Equal(expected, pattern.IsMatch(input));
    }

    [Fact]
    public void RefusesLookaroundWithGoMessage()
    {
        Assert.False(GoPattern.TryCompile("a(?=b)", out _, out var error));
        Assert.StartsWith("error parsing regexp: invalid or unsupported Perl syntax", error, StringComparison.Ordinal);
    }
}
