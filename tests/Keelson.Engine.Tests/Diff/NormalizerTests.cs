using System.Text.Json.Nodes;
using Keelson.Engine.Diff;

namespace Keelson.Engine.Tests.Diff;

public sealed class NormalizerTests
{
    [Fact]
    public void Server_owned_metadata_and_status_are_not_compared()
    {
        var desired = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1"}},"data":{"k":"v"}}""");
        var live = Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1"},"uid":"u1","resourceVersion":"42",
             "generation":3,"creationTimestamp":"2026-01-01T00:00:00Z","managedFields":[{"manager":"keelson"}],
             "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "data":{"k":"v"},"status":{"phase":"whatever"}}
            """);

        Assert.Equal(Normalizer.Hash(desired), Normalizer.Hash(live));
    }

    [Fact]
    public void Labels_annotations_and_data_are_compared()
    {
        var a = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"x":"1"}},"data":{"k":"v"}}""");
        var otherAnnotation = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"x":"2"}},"data":{"k":"v"}}""");
        var otherData = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"x":"1"}},"data":{"k":"w"}}""");

        Assert.NotEqual(Normalizer.Hash(a), Normalizer.Hash(otherAnnotation));
        Assert.NotEqual(Normalizer.Hash(a), Normalizer.Hash(otherData));
    }

    [Fact]
    public void Secret_string_data_compares_equal_to_the_same_base64_data()
    {
        // "hunter2" in base64 is "aHVudGVyMg==".
        var desired = Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"password":"hunter2"},"data":{"user":"YQ=="}}""");
        var live = Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"aHVudGVyMg==","user":"YQ=="}}""");
        var changed = Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"b3RoZXI=","user":"YQ=="}}""");

        Assert.Equal(Normalizer.Hash(desired), Normalizer.Hash(live));
        Assert.NotEqual(Normalizer.Hash(desired), Normalizer.Hash(changed));
    }

    [Fact]
    public void Ports_without_protocol_are_tcp_and_quantities_compare_by_value()
    {
        var desired = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"metadata":{"creationTimestamp":null},
             "spec":{"containers":[{"name":"c","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}}}
            """);
        var live = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"metadata":{},
             "spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":{"cpu":"1000m","memory":"1024Mi"}}}]}}}}
            """);

        Assert.Equal(Normalizer.Hash(desired), Normalizer.Hash(live));
    }

    [Fact]
    public void The_crd_conversion_ca_bundle_is_ignored()
    {
        var desired = Parse("""{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"x"},"spec":{"conversion":{"strategy":"Webhook","webhook":{"clientConfig":{"url":"https://x"}}}}}""");
        var live = Parse("""{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"x"},"spec":{"conversion":{"strategy":"Webhook","webhook":{"clientConfig":{"url":"https://x","caBundle":"Q0E="}}}}}""");

        Assert.Equal(Normalizer.Hash(desired), Normalizer.Hash(live));
    }

    [Theory]
    [InlineData("1000m", "1")]
    [InlineData("0.5", "500m")]
    [InlineData("1Ki", "1024")]
    [InlineData("1e3", "1k")]
    public void Equal_quantities_have_one_spelling(string a, string b) => Assert.Equal(Quantity.Canonical(a), Quantity.Canonical(b));

    [Fact]
    public void Comparable_does_not_change_its_input()
    {
        var secret = Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","uid":"u"},"stringData":{"a":"b"}}""");
        var before = secret.ToJsonString();

        _ = Normalizer.Comparable(secret);

        Assert.Equal(before, secret.ToJsonString());
    }

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
