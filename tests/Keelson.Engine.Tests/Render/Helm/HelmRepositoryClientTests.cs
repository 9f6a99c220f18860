using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Keelson.Engine.Render.Helm;
using Keelson.Testing.Git;
using Keelson.Testing.Http;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>Charts fetched from a real Helm HTTP repository served on 127.0.0.1 (index.yaml and .tgz files).</summary>
public sealed class HelmRepositoryClientTests : IAsyncDisposable
{
    private readonly TempDirectory _cache = new("helmcache");
    private readonly FileServer _server = new();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
    }

    private static byte[] DepChart(string version) => TestChart.Archive("dep", new Dictionary<string, string>
    {
        ["Chart.yaml"] = $"apiVersion: v2\nname: dep\nversion: {version}\n",
        ["values.yaml"] = "greeting: hello\n",
        ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep-{{ .Chart.Version }}\ndata:\n  greeting: {{ .Values.greeting }}\n",
    });

    private void Publish(params (string Version, byte[] Data, string? Digest)[] charts)
    {
        var index = new StringBuilder("apiVersion: v1\nentries:\n  dep:\n");
        foreach (var (version, data, digest) in charts)
        {
            _server.Files[$"/charts/dep-{version}.tgz"] = data;
            index.Append($"  - name: dep\n    version: {version}\n    urls: [charts/dep-{version}.tgz]\n    digest: {digest ?? Convert.ToHexStringLower(SHA256.HashData(data))}\n");
        }

        _server.Files["/index.yaml"] = Encoding.UTF8.GetBytes(index.ToString());
    }

    private HelmRepository Repo(string? user = null, string? password = null) => new() { Url = _server.Url, Username = user, Password = password };

    [Fact]
    public async Task The_highest_version_in_the_range_is_downloaded_checked_and_cached()
    {
        Publish(("1.2.0", DepChart("1.2.0"), null), ("1.3.1", DepChart("1.3.1"), null), ("2.0.0", DepChart("2.0.0"), null), ("1.4.0-rc.1", DepChart("1.4.0-rc.1"), null));
        var client = new HelmRepositoryClient(_cache.Path);

        var path = await client.FetchAsync(Repo(), "dep", "^1.2.0", TestContext.Current.CancellationToken);
        await using (var archive = File.OpenRead(path))
        {
            Assert.Equal("1.3.1", ChartLoader.LoadArchive(archive, "dep").Metadata.Version);
        }

        Assert.Contains("dep-1.3.1-", Path.GetFileName(path), StringComparison.Ordinal);

        var downloads = _server.Requests.Count(r => r.EndsWith(".tgz", StringComparison.Ordinal));
        Assert.Equal(path, await client.FetchAsync(Repo(), "dep", "1.3.x", TestContext.Current.CancellationToken));
        Assert.Equal(downloads, _server.Requests.Count(r => r.EndsWith(".tgz", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_digest_that_does_not_match_the_index_is_refused()
    {
        Publish(("1.0.0", DepChart("1.0.0"), new string('0', 64)));
        var e = await Assert.ThrowsAsync<HelmException>(() => new HelmRepositoryClient(_cache.Path).FetchAsync(Repo(), "dep", "1.0.0", TestContext.Current.CancellationToken));
        Assert.StartsWith($"chart dep 1.0.0 from {_server.Url}charts/dep-1.0.0.tgz: digest is sha256:", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task Basic_auth_is_sent_and_a_refusal_is_reported_without_the_password()
    {
        Publish(("1.0.0", DepChart("1.0.0"), null));
        _server.RequiredAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:s3cret"));
        var client = new HelmRepositoryClient(_cache.Path);

        Assert.True(File.Exists(await client.FetchAsync(Repo("reader", "s3cret"), "dep", "1.0.0", TestContext.Current.CancellationToken)));

        var e = await Assert.ThrowsAsync<HelmException>(() => client.FetchAsync(Repo("reader", "wrong-pw"), "dep", "1.0.0", TestContext.Current.CancellationToken));
        Assert.Equal($"GET {_server.Url}index.yaml: 401 Unauthorized", e.Message);
        Assert.DoesNotContain("wrong-pw", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", ">=1.0.0", "chart \"missing\" not found in {url} repository")]
    [InlineData("dep", ">=3.0.0", "chart \"dep\" version \">=3.0.0\" not found in {url} repository")]
    public async Task A_chart_or_version_the_index_lacks_is_an_error(string chart, string range, string message)
    {
        Publish(("1.0.0", DepChart("1.0.0"), null));
        var e = await Assert.ThrowsAsync<HelmException>(() => new HelmRepositoryClient(_cache.Path).FetchAsync(Repo(), chart, range, TestContext.Current.CancellationToken));
        Assert.Equal(message.Replace("{url}", _server.Url.AbsoluteUri, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task A_dependency_that_is_not_vendored_is_fetched_and_rendered()
    {
        Publish(("1.0.0", DepChart("1.0.0"), null), ("1.1.0", DepChart("1.1.0"), null));
        using var chart = new TestChart("app", new Dictionary<string, string>
        {
            ["Chart.yaml"] = $"apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: dep\n  version: \"~1.0\"\n  repository: {_server.Url}\n",
            ["values.yaml"] = "dep:\n  greeting: hi\n",
        });
        var client = new HelmRepositoryClient(_cache.Path);

        var fetched = await client.FetchMissingDependenciesAsync(chart.Path, url => new HelmRepository { Url = url }, TestContext.Current.CancellationToken);
        var release = await new HelmRenderer().RenderAsync(chart.Path, new HelmRenderOptions { FetchedDependencies = fetched }, TestContext.Current.CancellationToken);

        Assert.Equal("---\n# Source: app/charts/dep/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep-1.0.0\ndata:\n  greeting: hi\n", HelmTemplateOutput.Format(release));
    }

    [Fact]
    public async Task An_https_repository_is_trusted_through_its_own_ca_only()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var index = Encoding.UTF8.GetBytes("apiVersion: v1\nentries:\n  dep:\n  - version: 1.0.0\n    urls: [dep.tgz]\n");
        var chart = DepChart("1.0.0");
        await using var server = new TlsServer(cert, path => path == "/index.yaml" ? index : path == "/dep.tgz" ? chart : null);
        var client = new HelmRepositoryClient(_cache.Path);

        var trusted = new HelmRepository { Url = server.Url, CaPem = cert.ExportCertificatePem() };
        Assert.True(File.Exists(await client.FetchAsync(trusted, "dep", "1.0.0", TestContext.Current.CancellationToken)));

        var e = await Assert.ThrowsAsync<HelmException>(() => client.FetchAsync(new HelmRepository { Url = server.Url }, "dep", "1.0.0", TestContext.Current.CancellationToken));
        Assert.StartsWith($"GET {server.Url}index.yaml: The SSL connection could not be established", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A minimal HTTPS/1.1 file server on 127.0.0.1 (HttpListener has no TLS on Linux): one request per connection.</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly X509Certificate2 _cert;
        private readonly Func<string, byte[]?> _files;
        private readonly Task _loop;

        public TlsServer(X509Certificate2 cert, Func<string, byte[]?> files)
        {
            // SslStream on Linux needs the key in a form it can use, so the certificate is re-imported with it.
            _cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
            _files = files;
            _listener.Start();
            Url = new Uri($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _loop = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient tcp;
                try
                {
                    tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (tcp)
                {
                    try
                    {
                        await ServeAsync(tcp);
                    }
                    catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                    {
                        // A client that refuses the certificate hangs up during the handshake.
                    }
                }
            }
        }

        private async Task ServeAsync(TcpClient tcp)
        {
            await using var tls = new SslStream(tcp.GetStream());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _cert }, timeout.Token);
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && head.Length < 65536)
            {
                var n = await tls.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            var path = head.ToString().Split(' ')[1];
            var body = _files(path);
            var status = body is null ? "404 Not Found" : "200 OK";
            body ??= [];
            await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), timeout.Token);
            await tls.WriteAsync(body, timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _listener.Dispose();
            _stop.Dispose();
            _cert.Dispose();
        }
    }
}
