namespace Keelson.Engine.Tests.Health;

public sealed class CrdHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("crd");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_crd(string fixture) => HealthFixtures.Check("crd", fixture);
}
