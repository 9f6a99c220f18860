namespace Keelson.Engine.Tests.Health;

public sealed class JobHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("job");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_job(string fixture) => HealthFixtures.Check("job", fixture);
}
