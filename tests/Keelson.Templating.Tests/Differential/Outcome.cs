using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential;

/// <summary>
/// What rendering a case gave: the output, or a failure. Failures match on the fact of failing only; the messages are
/// kept for humans. <see cref="Crash"/> marks a C# exception that is not a TemplateException: always a defect.
/// </summary>
internal sealed record Outcome(bool Ok, string? Output, string? Error, bool Crash = false)
{
    public static readonly JsonSerializerOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Outcome Success(string output) => new(true, output, null);

    public static Outcome Failure(string error) => new(false, null, error);

    /// <summary>Reads an oracle answer or a golden expectation: {ok, output | outputBase64, error}.</summary>
    public static Outcome FromJson(JsonObject json)
    {
        var ok = json["ok"]?.GetValue<bool>() ?? false;
        if (!ok)
        {
            return Failure(json["error"]?.GetValue<string>() ?? "");
        }

        if (json["outputBase64"] is { } base64)
        {
            // Go produced bytes that are not UTF-8; a .NET string can only hold their lenient decoding.
            return Success(Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetValue<string>())));
        }

        return Success(json["output"]?.GetValue<string>() ?? "");
    }

    /// <summary>Same success or failure and, on success, the same text.</summary>
    public bool Matches(Outcome other) =>
        !Crash && !other.Crash && Ok == other.Ok && (!Ok || string.Equals(Output, other.Output, StringComparison.Ordinal));

    public override string ToString() => Crash
        ? $"CRASH {Error}"
        : Ok ? $"ok {TemplateCase.Quote(Output)}" : $"error {TemplateCase.Quote(Error)}";

    /// <summary>A readable account of how <paramref name="actual"/> differs from this expectation.</summary>
    public string Explain(Outcome actual)
    {
        var text = new StringBuilder();
        text.Append("  Go: ").AppendLine(ToString());
        text.Append("  C#: ").AppendLine(actual.ToString());
        if (Ok && actual.Ok && Output is not null && actual.Output is not null)
        {
            var at = 0;
            while (at < Output.Length && at < actual.Output.Length && Output[at] == actual.Output[at])
            {
                at++;
            }

            text.Append("  first difference at char ").Append(at).Append(": Go ")
                .Append(TemplateCase.Quote(Slice(Output, at))).Append(" vs C# ").AppendLine(TemplateCase.Quote(Slice(actual.Output, at)));
        }

        return text.ToString();
    }

    private static string Slice(string text, int at) => at >= text.Length ? "" : text.Substring(at, Math.Min(20, text.Length - at));
}
