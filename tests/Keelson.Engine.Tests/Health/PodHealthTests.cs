namespace Keelson.Engine.Tests.Health;

public sealed class PodHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("pod");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_pod(string fixture) => HealthFixtures.Check("pod", fixture);
}
