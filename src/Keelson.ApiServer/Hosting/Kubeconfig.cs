using System.Text;

namespace Keelson.ApiServer.Hosting;

/// <summary>Writes a kubeconfig kubectl uses as is: server URL, CA data and bearer token.</summary>
internal static class Kubeconfig
{
    public const string Name = "keelson-simulator";

    public static string Render(Uri server, string token, string? caPem)
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\n");
        sb.Append("kind: Config\n");
        sb.Append("clusters:\n");
        sb.Append($"- name: {Name}\n");
        sb.Append("  cluster:\n");
        sb.Append($"    server: {server.GetLeftPart(UriPartial.Authority)}\n");
        if (caPem is not null)
        {
            sb.Append($"    certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem))}\n");
        }

        sb.Append("contexts:\n");
        sb.Append($"- name: {Name}\n");
        sb.Append("  context:\n");
        sb.Append($"    cluster: {Name}\n");
        sb.Append($"    user: {Name}\n");
        sb.Append("    namespace: default\n");
        sb.Append($"current-context: {Name}\n");
        sb.Append("preferences: {}\n");
        sb.Append("users:\n");
        sb.Append($"- name: {Name}\n");
        sb.Append("  user:\n");
        sb.Append($"    token: {token}\n");
        return sb.ToString();
    }

    /// <summary>Writes the file readable by its owner only: it holds a credential.</summary>
    public static void Write(string path, string content)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
        }

        File.Move(temp, full, overwrite: true);
    }
}
