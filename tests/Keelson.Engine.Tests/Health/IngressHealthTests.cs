namespace Keelson.Engine.Tests.Health;

public sealed class IngressHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("ingress");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_ingress(string fixture) => HealthFixtures.Check("ingress", fixture);
}
