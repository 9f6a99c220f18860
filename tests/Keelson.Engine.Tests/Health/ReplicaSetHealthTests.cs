namespace Keelson.Engine.Tests.Health;

public sealed class ReplicaSetHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("replicaset");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_replica_set(string fixture) => HealthFixtures.Check("replicaset", fixture);
}
