using Keelson.Operator.Cli;

namespace Keelson.Operator.Tests.Cli;

public sealed class CliSizesTests
{
    [Theory]
    [InlineData("2Gi", 2L * 1024 * 1024 * 1024)]
    [InlineData("500M", 500_000_000L)]
    [InlineData("1536Mi", 1536L * 1024 * 1024)]
    [InlineData("1e9", 1_000_000_000L)]
    [InlineData("4096", 4096L)]
    public void Sizes_are_read_as_a_pods_resources_are(string text, long bytes)
    {
        Assert.True(CliSizes.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2GB")]
    [InlineData("0.5")]
    [InlineData("100Ei")]
    public void Not_sizes(string text) => Assert.False(CliSizes.TryParse(text, out _));
}
