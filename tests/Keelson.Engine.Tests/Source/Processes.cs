using System.Globalization;

namespace Keelson.Engine.Tests.Source;

/// <summary>Looks at running processes through /proc (Linux), to check that nothing git started outlives a timeout.</summary>
internal static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            // Field 3 of /proc/<pid>/stat is the state; a zombie (Z) or dead (X) process no longer runs.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>The process and all its descendants that are alive now.</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var found = new List<int>();
        var pending = new Queue<int>([pid]);
        while (pending.Count > 0 && found.Count < 1000)
        {
            var next = pending.Dequeue();
            if (!IsAlive(next))
            {
                continue;
            }

            found.Add(next);
            foreach (var child in Children(next))
            {
                pending.Enqueue(child);
            }
        }

        return found;
    }

    private static List<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            // Gone meanwhile.
        }

        return children;
    }
}
