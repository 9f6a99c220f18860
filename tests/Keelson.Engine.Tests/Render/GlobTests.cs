using Keelson.Engine.Render;

namespace Keelson.Engine.Tests.Render;

// Vectors follow Argo CD's documented examples and gobwas/glob's syntax (no separators: '*' crosses '/').
public sealed class GlobTests
{
    [Theory]
    [InlineData("*.yaml", "a.yaml", true)]
    [InlineData("*.yaml", "sub/a.yaml", true)]
    [InlineData("*.yaml", "a.yml", false)]
    [InlineData("*.{yaml,yml,json}", "x/y/z.json", true)]
    [InlineData("*.{yaml,yml,json}", "z.jsonnet", false)]
    [InlineData("{config.yaml,env-use2/*}", "config.yaml", true)]
    [InlineData("{config.yaml,env-use2/*}", "env-use2/deploy.yaml", true)]
    [InlineData("{config.yaml,env-use2/*}", "env-use1/deploy.yaml", false)]
    [InlineData("some-directory/*", "some-directory/a.yaml", true)]
    [InlineData("some-directory/*", "other/some-directory/a.yaml", false)]
    [InlineData("**/secret-*.yaml", "a/b/secret-db.yaml", true)]
    [InlineData("?.yaml", "ab.yaml", false)]
    [InlineData("[abc].yaml", "b.yaml", true)]
    [InlineData("[!abc].yaml", "b.yaml", false)]
    [InlineData("[a-c]x.yaml", "cx.yaml", true)]
    [InlineData("{a,{b,c}x}.yaml", "cx.yaml", true)]
    [InlineData(@"literal\*.yaml", "literal*.yaml", true)]
    [InlineData(@"literal\*.yaml", "literalX.yaml", false)]
    [InlineData("a.yaml", "A.yaml", false)]
    [InlineData("(a|b).yaml", "(a|b).yaml", true)]
    [InlineData("", "anything/at/all", true)]
    public void Matches_like_argo_cd(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Glob.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("*.{yaml")]
    [InlineData("[abc")]
    [InlineData("trailing\\")]
    public void Malformed_patterns_are_rejected(string pattern) =>
        Assert.Throws<FormatException>(() => Glob.Parse(pattern));
}
