using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.Engine.Health;
using Keelson.Engine.Render;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Health;

/// <summary>
/// Fixtures in testdata/health/&lt;kind&gt;/&lt;case&gt;.yaml: a first document with the expectation
/// (<c>expect: {status, message}</c> and optionally <c>now</c>, the clock's time) and a second with the live object as
/// the API server returns it.
/// </summary>
internal static class HealthFixtures
{
    // The fake clock's default start; fixtures' timestamps are written around it.
    private static readonly DateTimeOffset DefaultNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Cases(string kind)
    {
        var dir = Dir(kind);
        var names = Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.True(names.Count >= 2, $"expected fixtures in {dir}");
        return new TheoryData<string>(names!);
    }

    public static void Check(string kind, string name)
    {
        var path = Path.Combine(Dir(kind), name + ".yaml");
        var docs = ManifestYaml.ParseDocuments(File.ReadAllText(path));
        Assert.True(docs.Count == 2, $"{path}: expected two documents (expectation, live object), found {docs.Count}");
        var spec = Assert.IsType<JsonObject>(docs[0]);
        var live = Assert.IsType<JsonObject>(docs[1]);

        var expect = Assert.IsType<JsonObject>(spec["expect"]);
        var status = Enum.Parse<HealthStatus>(expect["status"]!.GetValue<string>());
        var message = expect["message"]?.GetValue<string>();
        var now = spec["now"] is { } n ? DateTimeOffset.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture) : DefaultNow;

        var result = new HealthAssessor(new FakeTimeProvider(now)).Assess(live);

        Assert.Equal(new HealthResult(status, message), result);
    }

    private static string Dir(string kind) => Path.Combine(AppContext.BaseDirectory, "testdata", "health", kind);
}
