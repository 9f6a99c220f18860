using System.Text.Json.Nodes;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Tests.Applications;

public sealed class ApplicationSpecTests
{
    [Fact]
    public void Defaults_follow_argo_cd()
    {
        var spec = ApplicationSpec.Parse(App("""{"source":{"repoURL":"https://example.com/x.git"},"syncPolicy":{"automated":{},"retry":{}}}"""));

        Assert.Equal("HEAD", spec.Source.TargetRevision);
        Assert.Equal("", spec.Source.Path);
        Assert.False(spec.SyncPolicy.Automated!.Prune);
        Assert.False(spec.SyncPolicy.Automated.SelfHeal);
        Assert.Equal(5, spec.SyncPolicy.Retry!.Limit);
        Assert.Equal(TimeSpan.FromSeconds(5), spec.SyncPolicy.Retry.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(10), spec.SyncPolicy.Retry.DelayBefore(2));
        Assert.Equal(TimeSpan.FromMinutes(3), spec.SyncPolicy.Retry.DelayBefore(10));
    }

    [Fact]
    public void Sync_options_and_backoff_are_read()
    {
        var spec = ApplicationSpec.Parse(App("""
            {"source":{"repoURL":"r","path":"./"},"syncPolicy":{"syncOptions":["CreateNamespace=true","ServerSideApply=true","Replace=true"],
             "retry":{"limit":2,"backoff":{"duration":"1m30s","factor":3,"maxDuration":"1h"}}}}
            """));

        Assert.True(spec.SyncPolicy.CreateNamespace);
        Assert.True(spec.SyncPolicy.Replace);
        Assert.Equal("", spec.Source.Path);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.SyncPolicy.Retry!.Duration);
        Assert.Equal(TimeSpan.FromSeconds(270), spec.SyncPolicy.Retry.DelayBefore(2));
    }

    [Theory]
    [InlineData("""{"source":{}}""", "spec.source.repoURL")]
    [InlineData("""{"source":{"repoURL":"r"},"syncPolicy":{"syncOptions":["PruneLast=true"]}}""", "spec.syncPolicy.syncOptions[0]")]
    [InlineData("""{"source":{"repoURL":"r"},"syncPolicy":{"syncOptions":["ServerSideApply=false"]}}""", "spec.syncPolicy.syncOptions[0]")]
    [InlineData("""{"source":{"repoURL":"r"},"syncPolicy":{"retry":{"backoff":{"duration":"soon"}}}}""", "spec.syncPolicy.retry.backoff.duration")]
    [InlineData("""{"source":{"repoURL":"r"},"syncPolicy":{"retry":{"backoff":{"duration":"1m","maxDuration":"5s"}}}}""", "spec.syncPolicy.retry.backoff.maxDuration")]
    public void A_spec_keelson_cannot_act_on_names_the_field(string spec, string field)
    {
        var error = Assert.Throws<SpecException>(() => ApplicationSpec.Parse(App(spec)));

        Assert.Equal(field, error.Field);
        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    private static JsonObject App(string spec) => new() { ["spec"] = JsonNode.Parse(spec) };
}

public sealed class HelmSpecTests
{
    private static System.Text.Json.Nodes.JsonObject App(string source) =>
        System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"name":"web","namespace":"keelson"},"spec":{"source":""" + source + ""","destination":{"namespace":"shop"}}}""")!.AsObject();

    [Fact]
    public void Helm_fields_are_read_with_the_release_name_defaulting_to_the_app()
    {
        var spec = ApplicationSpec.Parse(App("""
            {"repoURL":"https://example.com/x.git","helm":{"valueFiles":["a.yaml"],"values":"x: 1","parameters":[{"name":"a.b","value":"2","forceString":true},{"name":"c","value":3}],"skipCrds":true,"kubeVersion":"1.30.0","apiVersions":["x/v1"],"version":"v4"}}
            """));
        var helm = spec.Source.Helm;
        Assert.Equal("web", helm.ReleaseName);
        Assert.Equal("shop", helm.Namespace);
        Assert.Equal(["a.yaml"], helm.ValueFiles);
        Assert.Equal([new Keelson.Engine.Render.Helm.HelmParameter("a.b", "2", true), new Keelson.Engine.Render.Helm.HelmParameter("c", "3")], helm.Parameters);
        Assert.True(helm.SkipCrds);
        Assert.Equal("v4", helm.Version);
    }

    [Theory]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"version":"v2"}}""", "spec.source.helm.version")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"valueFiles":"a.yaml"}}""", "spec.source.helm.valueFiles")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"parameters":[{"value":"x"}]}}""", "spec.source.helm.parameters[0].name")]
    [InlineData("""{"repoURL":"git@e.com:x.git","chart":"web"}""", "spec.source.repoURL")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"repositories":{"url":"https://c.com"}}}""", "spec.source.helm.repositories")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"repositories":[{"secretRef":{"name":"s"}}]}}""", "spec.source.helm.repositories[0].url")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"repositories":[{"url":"oci://c.com/x","secretRef":{"name":"s"}}]}}""", "spec.source.helm.repositories[0].url")]
    [InlineData("""{"repoURL":"https://e.com/x.git","helm":{"repositories":[{"url":"https://c.com"}]}}""", "spec.source.helm.repositories[0].secretRef.name")]
    public void A_malformed_helm_field_is_an_error_naming_it(string source, string field)
    {
        var error = Assert.Throws<SpecException>(() => ApplicationSpec.Parse(App(source)));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Dependency_repositories_are_read_and_a_url_with_a_password_is_refused_without_showing_it()
    {
        var spec = ApplicationSpec.Parse(App("""
            {"repoURL":"https://e.com/x.git","helm":{"repositories":[{"url":"https://charts.example.com/team","secretRef":{"name":"team-charts"}},{"url":" http://other.example.com ","secretRef":{"name":"other"}}]}}
            """));
        var error = Assert.Throws<SpecException>(() => ApplicationSpec.Parse(App("""
            {"repoURL":"https://e.com/x.git","helm":{"repositories":[{"url":"https://me:hunter22@charts.example.com","secretRef":{"name":"s"}}]}}
            """)));

        Assert.Equal([new DependencyRepositorySpec("https://charts.example.com/team", "team-charts"), new DependencyRepositorySpec("http://other.example.com", "other")], spec.Source.DependencyRepositories);
        Assert.Equal("web", spec.Source.Helm.ReleaseName);
        Assert.DoesNotContain("hunter22", error.Message, StringComparison.Ordinal);
    }
}
