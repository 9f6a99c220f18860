namespace Keelson.Engine.Tests.Health;

public sealed class ApiServiceHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("apiservice");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_api_service(string fixture) => HealthFixtures.Check("apiservice", fixture);
}
