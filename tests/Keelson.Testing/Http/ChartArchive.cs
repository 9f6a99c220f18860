using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Keelson.Testing.Http;

/// <summary>Chart archives as `helm package` writes them, for tests that serve a Helm repository.</summary>
public static class ChartArchive
{
    /// <summary>A .tgz of path → content pairs under a top directory named after the chart.</summary>
    public static byte[] Pack(string topDirectory, IDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, topDirectory + "/" + path)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                tar.WriteEntry(entry);
            }
        }

        return ms.ToArray();
    }
}
