using System.Text;

namespace Keelson.Templating.Crypto;

/// <summary>Go's encoding/pem: Encode (64-column base64) and Decode (first valid block, headers skipped).</summary>
internal static class Pem
{
    private static readonly byte[] Start = "\n-----BEGIN "u8.ToArray();
    private static readonly byte[] End = "\n-----END "u8.ToArray();
    private static readonly byte[] EndOfLine = "-----"u8.ToArray();

    public static string Encode(string type, ReadOnlySpan<byte> der)
    {
        var b64 = Convert.ToBase64String(der);
        var sb = new StringBuilder(b64.Length + b64.Length / 64 + 2 * type.Length + 40);
        sb.Append("-----BEGIN ").Append(type).Append("-----\n");
        for (var i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }

        return sb.Append("-----END ").Append(type).Append("-----\n").ToString();
    }

    /// <summary>pem.Decode: the first well-formed block's type and bytes, or null.</summary>
    public static (string Type, byte[] Bytes)? Decode(ReadOnlySpan<byte> data)
    {
        var rest = data;
        while (true)
        {
            if (rest.StartsWith(Start.AsSpan(1)))
            {
                rest = rest[(Start.Length - 1)..];
            }
            else
            {
                var at = rest.IndexOf(Start);
                if (at < 0)
                {
                    return null;
                }

                rest = rest[(at + Start.Length)..];
            }

            var typeLine = GetLine(ref rest);
            if (!typeLine.EndsWith(EndOfLine))
            {
                continue;
            }

            typeLine = typeLine[..^EndOfLine.Length];
            var headers = 0;
            var truncated = false;
            while (true)
            {
                if (rest.Length == 0)
                {
                    truncated = true;
                    break;
                }

                var next = rest;
                var line = GetLine(ref next);
                if (line.IndexOf((byte)':') < 0)
                {
                    break;
                }

                headers++;
                rest = next;
            }

            if (truncated)
            {
                return null;
            }

            int endIndex, endTrailerIndex;
            if (headers == 0 && rest.StartsWith(End.AsSpan(1)))
            {
                endIndex = 0;
                endTrailerIndex = End.Length - 1;
            }
            else
            {
                endIndex = rest.IndexOf(End);
                endTrailerIndex = endIndex + End.Length;
            }

            if (endIndex < 0)
            {
                continue;
            }

            var endTrailer = rest[endTrailerIndex..];
            var endTrailerLength = typeLine.Length + EndOfLine.Length;
            if (endTrailer.Length < endTrailerLength)
            {
                continue;
            }

            var restOfEndLine = endTrailer[endTrailerLength..];
            endTrailer = endTrailer[..endTrailerLength];
            if (!endTrailer.StartsWith(typeLine) || !endTrailer.EndsWith(EndOfLine))
            {
                continue;
            }

            if (GetLine(ref restOfEndLine).Length != 0)
            {
                continue;
            }

            var base64 = new List<byte>(endIndex);
            foreach (var b in rest[..endIndex])
            {
                if (b is not ((byte)' ' or (byte)'\t'))
                {
                    base64.Add(b);
                }
            }

            if (!GoBase64.TryDecode(base64.ToArray(), out var bytes, out _))
            {
                continue;
            }

            return (Encoding.UTF8.GetString(typeLine), bytes);
        }
    }

    /// <summary>Go's getLine: up to the next '\n' (less a '\r' before it), trailing spaces and tabs removed.</summary>
    private static ReadOnlySpan<byte> GetLine(ref ReadOnlySpan<byte> data)
    {
        var i = data.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line;
        if (i < 0)
        {
            line = data;
            data = [];
        }
        else
        {
            line = data[..i];
            data = data[(i + 1)..];
        }

        if (line.Length > 0 && line[^1] == '\r' && i >= 0)
        {
            line = line[..^1];
        }

        return line.TrimEnd(" \t"u8);
    }
}
