namespace Keelson.Engine.Tests.Health;

public sealed class GenericHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("generic");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_generic(string fixture) => HealthFixtures.Check("generic", fixture);
}
