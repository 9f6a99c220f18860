namespace Keelson.Engine.Tests.Health;

public sealed class HpaHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("hpa");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_hpa(string fixture) => HealthFixtures.Check("hpa", fixture);
}
