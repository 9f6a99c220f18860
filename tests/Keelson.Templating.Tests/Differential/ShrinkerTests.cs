using Keelson.Templating.Tests.Differential.Generated;

namespace Keelson.Templating.Tests.Differential;

/// <summary>The report of a random difference is only useful if the shrunk case is small and still differs.</summary>
public sealed class ShrinkerTests
{
    [Fact]
    public async Task Shrinks_to_a_small_case_that_still_fails()
    {
        // A stand-in defect: any template calling printf "fails".
        static bool Fails(GeneratedCase c) => c.Tree.Render().Contains("printf", StringComparison.Ordinal);
        var failing = Enumerable.Range(0, 500).Select(i => TemplateGenerator.Generate(LiveGoTests.DefaultSeed, i))
            .First(c => Fails(c) && c.Tree.Render().Length > 200);

        var shrunk = await Shrinker.ShrinkAsync(
            failing,
            candidates => Task.FromResult(candidates.ToList().FindIndex(Fails)),
            TimeSpan.FromSeconds(30));

        var text = shrunk.Tree.Render();
        Assert.True(Fails(shrunk), text);
        Assert.True(text.Length < 80, $"shrunk only to {text.Length} chars: {text}");
        Assert.Empty(shrunk.Data);
    }

    [Fact]
    public async Task Keeps_the_case_when_nothing_smaller_fails()
    {
        var failing = TemplateGenerator.Generate(LiveGoTests.DefaultSeed, 3);

        var shrunk = await Shrinker.ShrinkAsync(failing, _ => Task.FromResult(-1), TimeSpan.FromSeconds(30));

        Assert.Same(failing, shrunk);
    }
}
