using Keelson.Templating.Dates;

namespace Keelson.Templating.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("1h15m30.918273645s", "1h15m30.918273645s")]
    [InlineData("1.5h", "1h30m0s")]
    [InlineData("250ms", "250ms")]
    [InlineData("-90s", "-1m30s")]
    [InlineData("0", "0s")]
    public void ParsesAndFormatsAsGoDoes(string text, string formatted)
    {
        Assert.True(GoDuration.TryParse(text, out long ns, out _));
        Assert.Equal(formatted, GoDuration.Format(ns));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData(" 5s")]
    public void RejectsWhatGoRejects(string text)
    {
        Assert.False(GoDuration.TryParse(text, out long _, out var error));
        Assert.Contains("time: ", error, StringComparison.Ordinal);
        Assert.False(GoDuration.TryParse(text, out TimeSpan _));
    }

    [Fact]
    public void ConvertsTimeSpans()
    {
        Assert.True(GoDuration.TryParse("1m30s", out TimeSpan value));
        Assert.Equal(TimeSpan.FromSeconds(90), value);
        Assert.Equal("1m30s", GoDuration.Format(value));
    }
}
