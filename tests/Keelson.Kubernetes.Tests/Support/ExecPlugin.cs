using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Tests.Support;

/// <summary>A copy of testdata/exec-plugin/plugin.sh in a temp folder, with helpers to steer and observe it.</summary>
internal sealed class ExecPlugin : IDisposable
{
    private readonly TempDir _dir = new();

    public ExecPlugin()
    {
        Command = Path.Combine(_dir.Path, "plugin.sh");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "testdata", "exec-plugin", "plugin.sh"), Command);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Command { get; }

    public string Folder => _dir.Path;

    public int Runs => File.Exists(Path.Combine(_dir.Path, "runs.log")) ? File.ReadAllLines(Path.Combine(_dir.Path, "runs.log")).Length : 0;

    public JsonObject ExecInfo => JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.Path, "exec-info.json")))!.AsObject();

    public string[] Args => File.ReadAllLines(Path.Combine(_dir.Path, "args.txt"));

    public string Env => File.ReadAllText(Path.Combine(_dir.Path, "env.txt"));

    public void ReturnToken(string token, DateTimeOffset? expires = null, string apiVersion = "client.authentication.k8s.io/v1")
    {
        var status = new JsonObject { ["token"] = token };
        if (expires is { } e)
        {
            status["expirationTimestamp"] = KubeTime.Format(e);
        }

        Write(apiVersion, status);
    }

    public void ReturnCertificate(string certificatePem, string keyPem) =>
        Write("client.authentication.k8s.io/v1", new JsonObject { ["clientCertificateData"] = certificatePem, ["clientKeyData"] = keyPem });

    public void ReturnRaw(string output) => File.WriteAllText(Path.Combine(_dir.Path, "output.json"), output);

    public void Fail(bool fail = true)
    {
        var path = Path.Combine(_dir.Path, "fail");
        if (fail)
        {
            File.WriteAllText(path, "");
        }
        else
        {
            File.Delete(path);
        }
    }

    /// <summary>A kubeconfig whose user runs this plugin.</summary>
    public string KubeConfig(Uri server, string caPem, string apiVersion = "client.authentication.k8s.io/v1", bool provideClusterInfo = true) =>
        _dir.File("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: {server}
                certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(caPem))}
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension:
                    audience: keelson
            users:
            - name: test
              user:
                exec:
                  apiVersion: {apiVersion}
                  command: {Command}
                  args: ["get-token", "--cluster", "prod east"]
                  env:
                  - name: PLUGIN_MODE
                    value: ci
                  interactiveMode: IfAvailable
                  provideClusterInfo: {(provideClusterInfo ? "true" : "false")}
                  installHint: "Install it with: apt-get install cloud-cli"
            contexts:
            - name: test
              context:
                cluster: test
                user: test
            """);

    private void Write(string apiVersion, JsonObject status) =>
        ReturnRaw(new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "ExecCredential", ["status"] = status }.ToJsonString());

    public void Dispose() => _dir.Dispose();
}
