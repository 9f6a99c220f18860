using System.Globalization;
using System.Text;

namespace Keelson.Templating;

/// <summary>
/// Writes a parsed RE2 expression as a .NET pattern with the same meaning. Nothing is left to .NET's own rules
/// where they differ from Go's: every class is spelled out as code point ranges (astral ones as surrogate pairs,
/// so '.' and [^a] consume a whole character), anchors are \A \z (or ^ $ under RegexOptions.Multiline for (?m)),
/// every group captures by number (names are kept by the caller) and case folding is already in the classes.
/// Only \b and \B are left to .NET, whose word characters are Unicode: <paramref name="asciiWordBoundary"/>
/// spells them with ASCII lookarounds instead (for inputs that are not ASCII; needs the backtracking engine).
/// </summary>
internal static class DotNetPattern
{
    private const string AsciiWord = "[0-9A-Za-z_]";

    public static string Write(ReNode node, bool asciiWordBoundary, out bool usesWordBoundary)
    {
        var sb = new StringBuilder();
        var uses = false;
        Emit(sb, node, asciiWordBoundary, ref uses);
        usesWordBoundary = uses;
        return sb.ToString();
    }

    private static void Emit(StringBuilder sb, ReNode node, bool ascii, ref bool usesWordBoundary)
    {
        switch (node)
        {
            case ReClass c:
                EmitClass(sb, c.Set);
                break;
            case ReEmpty:
                break;
            case ReAssert a:
                switch (a.Anchor)
                {
                    case ReAnchor.BeginText:
                        sb.Append(@"\A");
                        break;
                    case ReAnchor.EndText:
                        sb.Append(@"\z");
                        break;
                    case ReAnchor.BeginLine:
                        sb.Append('^');
                        break;
                    case ReAnchor.EndLine:
                        sb.Append('$');
                        break;
                    case ReAnchor.WordBoundary:
                        usesWordBoundary = true;
                        sb.Append(ascii ? $"(?:(?<={AsciiWord})(?!{AsciiWord})|(?<!{AsciiWord})(?={AsciiWord}))" : @"\b");
                        break;
                    case ReAnchor.NoWordBoundary:
                        usesWordBoundary = true;
                        sb.Append(ascii ? $"(?:(?<={AsciiWord})(?={AsciiWord})|(?<!{AsciiWord})(?!{AsciiWord}))" : @"\B");
                        break;
                }

                break;
            case ReCapture cap:
                sb.Append('(');
                Emit(sb, cap.Sub, ascii, ref usesWordBoundary);
                sb.Append(')');
                break;
            case ReConcat concat:
                foreach (var sub in concat.Subs)
                {
                    Emit(sb, sub, ascii, ref usesWordBoundary);
                }

                break;
            case ReAlternate alt:
                sb.Append("(?:");
                for (var i = 0; i < alt.Subs.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('|');
                    }

                    Emit(sb, alt.Subs[i], ascii, ref usesWordBoundary);
                }

                sb.Append(')');
                break;
            case ReRepeat rep:
                sb.Append("(?:");
                Emit(sb, rep.Sub, ascii, ref usesWordBoundary);
                sb.Append(')');
                sb.Append((rep.Min, rep.Max) switch
                {
                    (0, -1) => "*",
                    (1, -1) => "+",
                    (0, 1) => "?",
                    (var n, -1) => "{" + n.ToString(CultureInfo.InvariantCulture) + ",}",
                    var (n, m) when n == m => "{" + n.ToString(CultureInfo.InvariantCulture) + "}",
                    var (n, m) => "{" + n.ToString(CultureInfo.InvariantCulture) + "," + m.ToString(CultureInfo.InvariantCulture) + "}",
                });
                if (!rep.Greedy)
                {
                    sb.Append('?');
                }

                break;
        }
    }

    /// <summary>A code point set: a .NET class for the BMP part, surrogate-pair alternatives for the rest.</summary>
    private static void EmitClass(StringBuilder sb, RuneSet set)
    {
        var bmp = new List<(int Lo, int Hi)>();
        var astral = new List<(int Lo, int Hi)>();
        foreach (var (lo, hi) in set.Ranges)
        {
            // Surrogate code points never occur in decoded text (Go's UTF-8 decoding gives U+FFFD instead).
            Add(bmp, lo, Math.Min(hi, 0xD7FF));
            Add(bmp, Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF));
            Add(astral, Math.Max(lo, 0x10000), hi);
        }

        if (astral.Count == 0)
        {
            if (bmp.Count == 0)
            {
                sb.Append(@"[^\u0000-\uFFFF]");
            }
            else if (bmp.Count == 1 && bmp[0].Lo == bmp[0].Hi)
            {
                AppendChar(sb, bmp[0].Lo);
            }
            else
            {
                AppendBmpClass(sb, bmp);
            }

            return;
        }

        sb.Append("(?:");
        var first = true;
        if (bmp.Count > 0)
        {
            AppendBmpClass(sb, bmp);
            first = false;
        }

        foreach (var (lo, hi) in astral)
        {
            var (hLo, lLo) = Split(lo);
            var (hHi, lHi) = Split(hi);
            if (hLo == hHi)
            {
                Alt(sb, ref first, hLo, hLo, lLo, lHi);
                continue;
            }

            Alt(sb, ref first, hLo, hLo, lLo, 0xDFFF);
            if (hLo + 1 <= hHi - 1)
            {
                Alt(sb, ref first, hLo + 1, hHi - 1, 0xDC00, 0xDFFF);
            }

            Alt(sb, ref first, hHi, hHi, 0xDC00, lHi);
        }

        sb.Append(')');

        static void Add(List<(int, int)> list, int lo, int hi)
        {
            if (lo <= hi)
            {
                list.Add((lo, hi));
            }
        }

        static (int High, int Low) Split(int r) => (0xD800 + ((r - 0x10000) >> 10), 0xDC00 + ((r - 0x10000) & 0x3FF));

        static void Alt(StringBuilder sb, ref bool first, int hLo, int hHi, int lLo, int lHi)
        {
            if (!first)
            {
                sb.Append('|');
            }

            first = false;
            AppendRange(sb, hLo, hHi);
            AppendRange(sb, lLo, lHi);
        }

        static void AppendRange(StringBuilder sb, int lo, int hi)
        {
            if (lo == hi)
            {
                AppendChar(sb, lo);
                return;
            }

            sb.Append('[');
            AppendChar(sb, lo);
            sb.Append('-');
            AppendChar(sb, hi);
            sb.Append(']');
        }
    }

    private static void AppendBmpClass(StringBuilder sb, List<(int Lo, int Hi)> ranges)
    {
        sb.Append('[');
        foreach (var (lo, hi) in ranges)
        {
            AppendChar(sb, lo);
            if (hi > lo)
            {
                if (hi > lo + 1)
                {
                    sb.Append('-');
                }

                AppendChar(sb, hi);
            }
        }

        sb.Append(']');
    }

    private static void AppendChar(StringBuilder sb, int c)
    {
        if (c < 0x80 && char.IsAsciiLetterOrDigit((char)c))
        {
            sb.Append((char)c);
        }
        else
        {
            sb.Append(@"\u").Append(c.ToString("X4", CultureInfo.InvariantCulture));
        }
    }
}
