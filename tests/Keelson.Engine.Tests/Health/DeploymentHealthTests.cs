namespace Keelson.Engine.Tests.Health;

public sealed class DeploymentHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("deployment");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_deployment(string fixture) => HealthFixtures.Check("deployment", fixture);
}
