namespace Keelson.Engine.Tests.Render;

/// <summary>A scratch repository in a temp folder (for symbolic links and files a test changes), removed on dispose.</summary>
internal sealed class TempRepo : IDisposable
{
    public TempRepo()
    {
        Parent = Directory.CreateTempSubdirectory("keelson-render-").FullName;
        Root = Path.Combine(Parent, "repo");
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder holding the repository: "outside" for the escape tests.</summary>
    public string Parent { get; }

    public string Root { get; }

    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "testdata", "render");

    /// <summary>Copies a fixture case into the repository at the given path.</summary>
    public TempRepo With(string fixture, string at)
    {
        Copy(Path.Combine(Fixtures, fixture), Path.Combine(Root, at));
        return this;
    }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Link(string relative, string target)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public static string ConfigMap(string name) => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n";

    public void Dispose() => Directory.Delete(Parent, recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
