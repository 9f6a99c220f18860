namespace Keelson.Engine.Tests.Health;

public sealed class DaemonSetHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("daemonset");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_daemon_set(string fixture) => HealthFixtures.Check("daemonset", fixture);
}
