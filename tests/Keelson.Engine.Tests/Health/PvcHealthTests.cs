namespace Keelson.Engine.Tests.Health;

public sealed class PvcHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("pvc");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_pvc(string fixture) => HealthFixtures.Check("pvc", fixture);
}
