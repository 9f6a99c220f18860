namespace Keelson.Testing;

/// <summary>
/// Finds external programs the tests drive (git, kubectl, go, nginx, sshd...). A missing tool fails the test with
/// what to install; tests never skip themselves.
/// </summary>
public static class Tools
{
    public static string Require(string program, string installHint)
    {
        var found = Find(program);
        return found ?? throw new InvalidOperationException(
            $"'{program}' is needed by this test but was not found on PATH. Install it: {installHint} (bash .ci/run installs everything the tests need).");
    }

    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        var extraDirs = new[] { "/usr/sbin", "/sbin", "/usr/lib/go/bin" };
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in path.Concat(extraDirs))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
