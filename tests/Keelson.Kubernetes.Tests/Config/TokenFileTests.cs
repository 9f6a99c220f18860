using System.Collections.Concurrent;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;
using Microsoft.AspNetCore.Http;

namespace Keelson.Kubernetes.Tests.Config;

/// <summary>Token files (kubeconfig tokenFile, projected service account tokens) as the kubelet rotates them.</summary>
public sealed class TokenFileTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Create();

    [Fact]
    public async Task Token_file_is_read_again_once_the_copy_in_memory_is_a_minute_old()
    {
        var clock = new FakeTimeProvider();
        using var dir = new TempDir();
        var tokenPath = dir.File("token", "first\n");
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, seen, "first", "second"));
        using var client = Client(server, KubeCredentials.TokenFile(tokenPath), clock);

        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        File.WriteAllText(tokenPath, "second\n");
        clock.Advance(TimeSpan.FromSeconds(59));
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(2));
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal(["Bearer first", "Bearer first", "Bearer second"], seen);
    }

    [Fact]
    public async Task A_401_reads_the_rotated_file_at_once_and_retries()
    {
        using var dir = new TempDir();
        var tokenPath = dir.File("token", "first");
        var valid = "first";
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, seen, valid));
        using var client = Client(server, KubeCredentials.TokenFile(tokenPath), new FakeTimeProvider());
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        File.WriteAllText(tokenPath, "second");
        valid = "second";
        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("settings", cm.GetName());
        Assert.Equal(["Bearer first", "Bearer first", "Bearer second"], seen);
    }

    [Fact]
    public async Task A_401_with_an_unchanged_file_is_reported_as_unauthorized()
    {
        using var dir = new TempDir();
        var tokenPath = dir.File("token", "revoked-s3cr3t");
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, seen, "other"));
        using var client = Client(server, KubeCredentials.TokenFile(tokenPath), new FakeTimeProvider());

        var ex = await Assert.ThrowsAsync<KubeApiException>(() =>
            client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));

        Assert.True(ex.IsUnauthorized);
        Assert.Single(seen); // the file was read again, but the same token is not worth a second try
        Assert.DoesNotContain("s3cr3t", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_file_names_the_file()
    {
        var credentials = KubeCredentials.TokenFile("/nonexistent/keelson/token");

        var ex = await Assert.ThrowsAsync<KubeCredentialException>(async () =>
            await credentials.GetAsync(TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.Contains("/nonexistent/keelson/token", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_vanishing_during_rotation_keeps_the_last_token()
    {
        var clock = new FakeTimeProvider();
        using var dir = new TempDir();
        var tokenPath = dir.File("token", "kept");
        var credentials = KubeCredentials.TokenFile(tokenPath);
        var first = await credentials.GetAsync(clock, TestContext.Current.CancellationToken);

        File.Delete(tokenPath);
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = await credentials.GetAsync(clock, TestContext.Current.CancellationToken);

        Assert.Equal("Bearer kept", second.Authorization);
        Assert.Same(first, second);
    }

    private static KubeClient Client(TestHttpsServer server, KubeCredentials credentials, TimeProvider clock) => new(
        new KubeClientConfig { Server = server.Url, Credentials = credentials, CertificateAuthorities = [Certificates.Ca] },
        new KubeClientOptions { TimeProvider = clock, Qps = 0, MaxRetries = 0 });

    private static Task Accept(HttpContext ctx, ConcurrentQueue<string> seen, params string[] tokens)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        seen.Enqueue(auth);
        return tokens.Any(t => auth == "Bearer " + t) ? TestHttpsServer.WriteConfigMapAsync(ctx) : TestHttpsServer.WriteUnauthorizedAsync(ctx);
    }
}
