namespace Keelson.Engine.Tests.Health;

public sealed class ServiceHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("service");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_service(string fixture) => HealthFixtures.Check("service", fixture);
}
