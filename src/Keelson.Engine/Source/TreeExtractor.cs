using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Source;

/// <summary>
/// Writes the files of a commit into a directory, exactly as stored: blobs are read with <c>git cat-file --batch</c>,
/// so no .gitattributes filter, export rule or line-ending conversion applies. Paths are checked (no absolute paths,
/// no '.', '..' or '.git' components); submodules become empty directories; files are made read-only.
/// </summary>
internal sealed partial class TreeExtractor
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = ReadOnly | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const int MaxLinkTarget = 4096;

    private readonly GitRunner _runner;
    private readonly GitSourceOptions _options;
    private readonly ILogger _logger;

    public TreeExtractor(GitRunner runner, GitSourceOptions options, ILogger logger)
    {
        _runner = runner;
        _options = options;
        _logger = logger;
    }

    /// <summary>Extracts into <paramref name="target"/>, which must not exist; returns the number of entries written.</summary>
    public async Task<int> ExtractAsync(string gitDir, RepoUrl url, string sha, string target, CancellationToken cancellationToken)
    {
        var listing = await _runner.RunAsync(
            new GitCommand
            {
                GitDir = gitDir,
                Arguments = ["ls-tree", "-r", "-z", "-l", "--full-tree", sha],
                Description = $"Listing the files of {sha} in {url}",
            },
            cancellationToken);
        if (!listing.Ok)
        {
            throw new SourceException(SourceErrorReason.GitError, $"Listing the files of commit {sha} of {url} failed: {listing.Error.Trim()}");
        }

        var entries = Parse(listing.Output, url, sha);
        var total = entries.Sum(e => e.Size);
        if (total > _options.MaxTreeBytes)
        {
            throw new SourceException(
                SourceErrorReason.TooLarge,
                $"Commit {sha} of {url} holds {total} bytes of files, more than the limit of {_options.MaxTreeBytes} bytes.");
        }

        Directory.CreateDirectory(target);
        foreach (var dir in entries.Where(e => e.Kind == EntryKind.Submodule))
        {
            Directory.CreateDirectory(dir.FullPath(target));
        }

        var byBlob = entries.Where(e => e.Kind != EntryKind.Submodule).GroupBy(e => e.Oid, StringComparer.Ordinal).ToList();
        if (byBlob.Count > 0)
        {
            var blobs = await _runner.RunAsync(
                new GitCommand
                {
                    GitDir = gitDir,
                    Arguments = ["cat-file", "--batch"],
                    Description = $"Reading the files of {sha} in {url}",
                    Input = async (stdin, ct) =>
                    {
                        var request = Encoding.ASCII.GetBytes(string.Concat(byBlob.Select(g => g.Key + "\n")));
                        await stdin.WriteAsync(request, ct);
                    },
                    Output = (stdout, ct) => WriteBlobsAsync(new BatchReader(stdout), byBlob, target, ct),
                },
                cancellationToken);
            if (!blobs.Ok)
            {
                throw new SourceException(SourceErrorReason.GitError, $"Reading the files of commit {sha} of {url} failed: {blobs.Error.Trim()}");
            }
        }

        return entries.Count;
    }

    private List<Entry> Parse(string listing, RepoUrl url, string sha)
    {
        var entries = new List<Entry>();
        foreach (var record in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // <mode> SP <type> SP <object> SP+ <size> TAB <path>
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var fields = tab < 0 ? [] : record[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 4)
            {
                throw new SourceException(SourceErrorReason.GitError, $"Unexpected output of git ls-tree for {sha} of {url}.");
            }

            var path = record[(tab + 1)..];
            var kind = fields[0] switch
            {
                "100644" or "100664" => EntryKind.File,
                "100755" => EntryKind.Executable,
                "120000" => EntryKind.Symlink,
                "160000" => EntryKind.Submodule,
                _ => EntryKind.Unknown,
            };
            var problem = kind == EntryKind.Unknown ? $"unknown mode {fields[0]}" : PathProblem(path);
            if (problem is not null)
            {
                LogSkipped(url.Normalized, sha, path, problem);
                continue;
            }

            var size = long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            entries.Add(new Entry(path, kind, fields[2], size));
        }

        return entries;
    }

    // Git itself refuses to check these out; a crafted tree could carry them.
    private static string? PathProblem(string path)
    {
        if (path.Length == 0 || path.StartsWith('/'))
        {
            return "absolute or empty path";
        }

        if (path.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return "name is not valid UTF-8";
        }

        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == "." || part == "..")
            {
                return "path has an empty, '.' or '..' component";
            }

            if (part.Equals(".git", StringComparison.OrdinalIgnoreCase))
            {
                return "path has a '.git' component";
            }
        }

        return null;
    }

    private static async Task WriteBlobsAsync(BatchReader reader, List<IGrouping<string, Entry>> blobs, string root, CancellationToken cancellationToken)
    {
        foreach (var group in blobs)
        {
            var header = await reader.ReadLineAsync(cancellationToken);
            var parts = header.Split(' ');
            if (parts.Length != 3 || parts[0] != group.Key || parts[1] != "blob"
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw new SourceException(SourceErrorReason.GitError, $"git cat-file answered '{header}' for blob {group.Key}.");
            }

            var first = group.First();
            string? firstFile = null;
            byte[]? link = null;
            if (group.Any(e => e.Kind == EntryKind.Symlink))
            {
                if (size > MaxLinkTarget)
                {
                    throw new SourceException(SourceErrorReason.GitError, $"The symbolic link {first.Path} has a target longer than {MaxLinkTarget} bytes.");
                }

                link = await reader.ReadBytesAsync((int)size, cancellationToken);
            }
            else
            {
                firstFile = first.FullPath(root);
                Directory.CreateDirectory(Path.GetDirectoryName(firstFile)!);
                await using (var file = new FileStream(firstFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    await reader.CopyToAsync(file, size, cancellationToken);
                }
            }

            await reader.ExpectNewLineAsync(cancellationToken);

            foreach (var entry in group)
            {
                var full = entry.FullPath(root);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                if (entry.Kind == EntryKind.Symlink)
                {
                    File.CreateSymbolicLink(full, Encoding.UTF8.GetString(link ?? []));
                    continue;
                }

                if (link is not null)
                {
                    // The same content is a link elsewhere and a file here.
                    await File.WriteAllBytesAsync(full, link, cancellationToken);
                }
                else if (full != firstFile)
                {
                    File.Copy(firstFile!, full);
                }

                SourcePaths.SetMode(full, entry.Kind == EntryKind.Executable ? Executable : ReadOnly);
            }
        }
    }

    private enum EntryKind
    {
        Unknown,
        File,
        Executable,
        Symlink,
        Submodule,
    }

    private sealed record Entry(string Path, EntryKind Kind, string Oid, long Size)
    {
        public string FullPath(string root) => System.IO.Path.Combine(root, Path);
    }

    /// <summary>Reads <c>git cat-file --batch</c> output: header lines and exact-length contents.</summary>
    private sealed class BatchReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[81920];
        private int _start;
        private int _end;

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>(64);
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new SourceException(SourceErrorReason.GitError, "git cat-file ended early.");
                }

                var span = _buffer.AsSpan(_start, _end - _start);
                var newline = span.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    line.AddRange(span[..newline]);
                    _start += newline + 1;
                    return Encoding.UTF8.GetString(line.ToArray());
                }

                line.AddRange(span);
                _start = _end;
                if (line.Count > 1024)
                {
                    throw new SourceException(SourceErrorReason.GitError, "git cat-file wrote an overlong header.");
                }
            }
        }

        public async Task CopyToAsync(Stream destination, long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new SourceException(SourceErrorReason.GitError, "git cat-file ended early.");
                }

                var take = (int)Math.Min(count, _end - _start);
                await destination.WriteAsync(_buffer.AsMemory(_start, take), cancellationToken);
                _start += take;
                count -= take;
            }
        }

        public async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellationToken)
        {
            using var memory = new MemoryStream(count);
            await CopyToAsync(memory, count, cancellationToken);
            return memory.ToArray();
        }

        public async Task ExpectNewLineAsync(CancellationToken cancellationToken)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new SourceException(SourceErrorReason.GitError, "git cat-file ended early.");
            }

            if (_buffer[_start++] != (byte)'\n')
            {
                throw new SourceException(SourceErrorReason.GitError, "git cat-file output is out of step.");
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }
    }
}
