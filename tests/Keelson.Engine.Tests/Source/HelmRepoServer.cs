using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// A Helm HTTP repository served by Kestrel on 127.0.0.1 (HTTP, or HTTPS with a given certificate): static files,
/// optional basic auth, optional validators on index.yaml (ETag, Last-Modified) honoured by conditional requests,
/// a log of requests, and a gate that holds archive downloads until released.
/// </summary>
internal sealed class HelmRepoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _charts = new(StringComparer.Ordinal);
    private TaskCompletionSource _gate = Open();

    private HelmRepoServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths asked for, with whether an Authorization header and a conditional header came with them.</summary>
    public ConcurrentQueue<(string Path, bool Authorized, bool Conditional)> Requests { get; } = new();

    public (string User, string Password)? RequiredAuth { get; set; }

    /// <summary>Send an ETag (a hash of the content) with index.yaml and answer a matching If-None-Match with 304.</summary>
    public bool SendETag { get; set; }

    /// <summary>Send this Last-Modified with index.yaml and answer an If-Modified-Since not older with 304.</summary>
    public DateTimeOffset? LastModified { get; set; }

    public int Downloads => Requests.Count(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal));

    /// <summary>Requests for index.yaml: all of them, and those answered 304 Not Modified.</summary>
    public int IndexReads => Requests.Count(r => r.Path.EndsWith("/index.yaml", StringComparison.Ordinal));

    public int NotModified => _notModified;

    private int _notModified;

    public static async Task<HelmRepoServer> StartAsync(X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            if (certificate is not null)
            {
                l.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var server = new HelmRepoServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = new Uri(address.TrimEnd('/') + "/charts/");
        return server;
    }

    /// <summary>From now on archive downloads wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>
    /// Packs testdata/helmrepo/<paramref name="chart"/> at each version (as <c>helm package</c> does: one top
    /// directory named after the chart; REPO_URL in its files becomes this repository's URL) and lists them in
    /// index.yaml in place of that chart's earlier versions, with their sha256 digests unless <paramref name="digest"/>
    /// gives another.
    /// </summary>
    public Dictionary<string, byte[]> Publish(string chart, IEnumerable<string> versions, Func<string, string?>? digest = null, bool absoluteUrls = false)
    {
        var entries = new StringBuilder("  ").Append(chart).Append(":\n");
        var archives = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            var data = Package(chart, version, Url);
            archives[version] = data;
            var file = $"{chart}-{version}.tgz";
            Files["/charts/archives/" + file] = data;
            var url = absoluteUrls ? new Uri(Url, "archives/" + file).AbsoluteUri : "archives/" + file;
            entries.Append($"  - name: {chart}\n    version: {version}\n    apiVersion: v2\n    urls:\n    - {url}\n")
                .Append($"    digest: {digest?.Invoke(version) ?? Convert.ToHexStringLower(SHA256.HashData(data))}\n");
        }

        _charts[chart] = entries.ToString();
        var index = new StringBuilder("apiVersion: v1\nentries:\n");
        foreach (var (_, text) in _charts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            index.Append(text);
        }

        index.Append("generated: \"2026-11-22T00:00:00Z\"\n");
        Files["/charts/index.yaml"] = Encoding.UTF8.GetBytes(index.ToString());
        return archives;
    }

    public static byte[] Package(string chart, string version, Uri? repoUrl = null)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "testdata", "helmrepo", chart);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(dir, file).Replace('\\', '/');
                var text = File.ReadAllText(file).Replace("VERSION", version, StringComparison.Ordinal);
                if (repoUrl is not null)
                {
                    text = text.Replace("REPO_URL", repoUrl.AbsoluteUri, StringComparison.Ordinal);
                }

                var entry = new PaxTarEntry(TarEntryType.RegularFile, chart + "/" + relative)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
                };
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private bool NotModifiedSince(HttpContext context, byte[] data)
    {
        var response = context.Response.GetTypedHeaders();
        var request = context.Request.GetTypedHeaders();
        if (SendETag)
        {
            var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(data))[..16] + "\"");
            response.ETag = etag;
            return request.IfNoneMatch.Any(t => t.Compare(etag, useStrongComparison: true));
        }

        if (LastModified is { } modified)
        {
            response.LastModified = modified;
            return request.IfModifiedSince is { } since && since >= modified;
        }

        return false;
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var header = context.Request.Headers.Authorization.ToString();
        var conditional = context.Request.Headers.IfNoneMatch.Count > 0 || context.Request.Headers.IfModifiedSince.Count > 0;
        Requests.Enqueue((path, header.Length > 0, conditional));
        if (RequiredAuth is var (user, password)
            && header != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"charts\"";
            return;
        }

        if (!Files.TryGetValue(path, out var data))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (path.EndsWith(".tgz", StringComparison.Ordinal))
        {
            await _gate.Task.WaitAsync(context.RequestAborted);
        }
        else if (NotModifiedSince(context, data))
        {
            Interlocked.Increment(ref _notModified);
            context.Response.StatusCode = 304;
            return;
        }

        context.Response.ContentLength = data.Length;
        await context.Response.Body.WriteAsync(data, context.RequestAborted);
    }
}

/// <summary>A throw-away certificate authority and a server certificate it signed for 127.0.0.1.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates(string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name} test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(Ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        // Through PKCS#12 so the key is usable by the TLS stack on every platform.
        Server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public string CaPem => Ca.ExportCertificatePem();

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
    }
}
