using System.Globalization;

namespace Keelson.Testing.Git;

/// <summary>
/// nginx + fcgiwrap + git-http-backend (smart HTTP, protocol v2) serving every repository under <see cref="Root"/>
/// on random loopback ports: <c>/name</c> anonymously, <c>/private/name</c> only with HTTP basic auth
/// (<see cref="Username"/>/<see cref="Password"/>), each over http and over https with a self-signed certificate
/// (<see cref="CaCertificate"/>).
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    public const string InstallHint = "apt-get install nginx fcgiwrap openssl";

    private readonly TempDirectory _dir = new("keelson-http");
    private readonly TempDirectory _repos = new("keelson-http-repos");
    private ServerProcess? _fcgi;
    private ServerProcess? _nginx;

    private GitHttpServer(string username, string password)
    {
        Username = username;
        Password = password;
    }

    public string Root => _repos.Path;

    public string Username { get; }

    public string Password { get; }

    public int HttpPort { get; private set; }

    public int HttpsPort { get; private set; }

    /// <summary>PEM of the self-signed certificate the https port presents (for 127.0.0.1).</summary>
    public string CaCertificate { get; private set; } = "";

    public bool IsRunning => _nginx is { HasExited: false };

    public static async Task<GitHttpServer> StartAsync(string username = "alice", string password = "s3cret-Pa55", CancellationToken cancellationToken = default)
    {
        var server = new GitHttpServer(username, password);
        try
        {
            await server.CreateCertificateAsync(cancellationToken);
            await server.RestartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Task<GitRepo> CreateRepoAsync(string name, CancellationToken cancellationToken = default) =>
        GitRepo.CreateAsync(Root, name, cancellationToken: cancellationToken);

    public string Url(GitRepo repo, bool authenticated = false, bool https = false) =>
        $"{(https ? "https" : "http")}://127.0.0.1:{(https ? HttpsPort : HttpPort)}/{(authenticated ? "private/" : "")}{repo.Name}";

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        var nginx = Tools.Require("nginx", InstallHint);
        var fcgiwrap = Tools.Require("fcgiwrap", InstallHint);
        var backend = GitCli.Helper("git-http-backend", "git");

        var socket = _dir.Combine("fcgi.sock");
        File.Delete(socket);
        _fcgi = ServerProcess.Start(fcgiwrap, ["-c", "4", "-s", "unix:" + socket], _dir.Path);
        await _fcgi.WaitForFileAsync(socket, cancellationToken: cancellationToken);

        File.WriteAllText(_dir.Combine("htpasswd"), $"{Username}:{{PLAIN}}{Password}\n");
        (_nginx, var ports) = await ServerProcess.StartListeningAsync(
            "nginx",
            [HttpPort, HttpsPort],
            ports =>
            {
                File.WriteAllText(_dir.Combine("nginx.conf"), Config(ports[0], ports[1], socket, backend));
                return ServerProcess.Start(nginx, ["-c", _dir.Combine("nginx.conf"), "-p", _dir.Path, "-e", _dir.Combine("error.log")], _dir.Path);
            },
            () => "\nerror.log:\n" + ReadLog(),
            cancellationToken);
        HttpPort = ports[0];
        HttpsPort = ports[1];
    }

    /// <summary>Stops serving: clients then get "connection refused".</summary>
    public async Task StopAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
            _nginx = null;
        }

        if (_fcgi is not null)
        {
            await _fcgi.DisposeAsync();
            _fcgi = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
        _repos.Dispose();
    }

    private string ReadLog()
    {
        var path = _dir.Combine("error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }

    private async Task CreateCertificateAsync(CancellationToken cancellationToken)
    {
        var openssl = Tools.Require("openssl", InstallHint);
        await using var process = ServerProcess.Start(
            openssl,
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", _dir.Combine("key.pem"), "-out", _dir.Combine("cert.pem")],
            _dir.Path);
        await Eventually.WaitAsync(() => process.HasExited, "openssl to create a certificate", cancellationToken: cancellationToken);
        if (!File.Exists(_dir.Combine("cert.pem")))
        {
            throw new InvalidOperationException("openssl did not create a certificate: " + process.Output);
        }

        CaCertificate = File.ReadAllText(_dir.Combine("cert.pem"));
    }

    private string Config(int http, int https, string socket, string backend)
    {
        var dir = _dir.Path;
        // As root, workers must run as root too to reach the fcgiwrap socket and the root-owned repositories.
        var user = Environment.UserName == "root" ? "user root root;" : "";
        var git = $$"""
                fastcgi_pass unix:{{socket}};
                fastcgi_param QUERY_STRING $query_string;
                fastcgi_param REQUEST_METHOD $request_method;
                fastcgi_param CONTENT_TYPE $content_type;
                fastcgi_param CONTENT_LENGTH $content_length;
                fastcgi_param REQUEST_URI $request_uri;
                fastcgi_param SERVER_PROTOCOL $server_protocol;
                fastcgi_param GATEWAY_INTERFACE CGI/1.1;
                fastcgi_param REMOTE_ADDR $remote_addr;
                fastcgi_param SCRIPT_FILENAME {{backend}};
                fastcgi_param GIT_PROJECT_ROOT {{Root}};
                fastcgi_param GIT_HTTP_EXPORT_ALL "";
                fastcgi_param REMOTE_USER $remote_user;
                fastcgi_param GIT_CONFIG_NOSYSTEM 1;
                fastcgi_param GIT_CONFIG_GLOBAL /dev/null;
            """;
        var locations = $$"""
                location ~ ^/private(/.*)$ {
                  auth_basic "git";
                  auth_basic_user_file {{dir}}/htpasswd;
            {{git}}
                  fastcgi_param PATH_INFO $1;
                }
                location / {
            {{git}}
                  fastcgi_param PATH_INFO $uri;
                }
            """;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{dir}}/body;
              fastcgi_temp_path {{dir}}/fastcgi;
              proxy_temp_path {{dir}}/proxy;
              uwsgi_temp_path {{dir}}/uwsgi;
              scgi_temp_path {{dir}}/scgi;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:{{http}};
            {{locations}}
              }
              server {
                listen 127.0.0.1:{{https}} ssl;
                ssl_certificate {{dir}}/cert.pem;
                ssl_certificate_key {{dir}}/key.pem;
            {{locations}}
              }
            }
            """);
    }
}
