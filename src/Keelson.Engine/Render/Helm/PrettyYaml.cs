using System.Text;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// toYamlPretty uses go-yaml v3's encoder with an indent of 2, which differs from toYaml's (go-yaml v2 through
/// sigs.k8s.io/yaml) mainly in indenting a sequence under its mapping key. This shifts such sequences, and
/// everything inside them, by two spaces.
/// </summary>
internal static class PrettyYaml
{
    public static string Reindent(string yaml)
    {
        var lines = yaml.Split('\n');
        var shifted = new Stack<int>();
        var sb = new StringBuilder(yaml.Length + 64);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                sb.Append(line);
                if (i < lines.Length - 1)
                {
                    sb.Append('\n');
                }

                continue;
            }

            var indent = line.Length - line.TrimStart(' ').Length;
            var isItem = IsSequenceItem(line, indent);
            while (shifted.Count > 0 && (indent < shifted.Peek() || indent == shifted.Peek() && !isItem))
            {
                shifted.Pop();
            }

            sb.Append(' ', 2 * shifted.Count).Append(line);
            if (i < lines.Length - 1)
            {
                sb.Append('\n');
            }

            // A key with a nested block, followed by a sequence at the key's own column: v3 indents that sequence.
            if (line.TrimEnd().EndsWith(':') && i + 1 < lines.Length)
            {
                var keyColumn = indent;
                var rest = line[indent..];
                while (rest.StartsWith("- ", StringComparison.Ordinal))
                {
                    keyColumn += 2;
                    rest = rest[2..];
                }

                var next = lines[i + 1];
                var nextIndent = next.Length - next.TrimStart(' ').Length;
                if (nextIndent == keyColumn && IsSequenceItem(next, nextIndent))
                {
                    shifted.Push(keyColumn);
                }
            }
        }

        return sb.ToString();
    }

    private static bool IsSequenceItem(string line, int indent) =>
        line.Length > indent && line[indent] == '-' && (line.Length == indent + 1 || line[indent + 1] == ' ');
}
