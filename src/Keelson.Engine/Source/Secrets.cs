namespace Keelson.Engine.Source;

/// <summary>
/// Removes anything a credential contains from text that is about to be shown (git's stderr, exception messages).
/// Git is never given a secret on its command line or in a URL, so this is the second line of defence, for servers
/// or helpers that echo what they were sent.
/// </summary>
internal sealed class Secrets
{
    public static readonly Secrets None = new([]);

    private readonly string[] _values;

    private Secrets(IEnumerable<string> values) =>
        // Longest first so a secret containing another is replaced whole.
        _values = values.Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length).ToArray();

    public static Secrets Of(GitCredentials? credentials)
    {
        if (credentials is null)
        {
            return None;
        }

        var values = new List<string>();
        if (!string.IsNullOrEmpty(credentials.Password))
        {
            values.Add(credentials.Password);
            values.Add(Uri.EscapeDataString(credentials.Password));
        }

        if (!string.IsNullOrEmpty(credentials.SshPrivateKey))
        {
            // A key is shown, if ever, line by line; short lines (the BEGIN/END markers) are not secret.
            values.Add(credentials.SshPrivateKey.Trim());
            values.AddRange(credentials.SshPrivateKey.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line.Length >= 16 && !line.StartsWith("-----", StringComparison.Ordinal)));
        }

        return new Secrets(values);
    }

    public string Scrub(string text)
    {
        foreach (var value in _values)
        {
            text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return RepoUrl.Redact(text);
    }
}
