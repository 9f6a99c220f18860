namespace Keelson.Engine.Tests.Health;

public sealed class StatefulSetHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("statefulset");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_stateful_set(string fixture) => HealthFixtures.Check("statefulset", fixture);
}
