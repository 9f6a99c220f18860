namespace Keelson.Engine.Tests.Health;

public sealed class CronJobHealthTests
{
    public static TheoryData<string> Cases => HealthFixtures.Cases("cronjob");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assesses_cron_job(string fixture) => HealthFixtures.Check("cronjob", fixture);
}
