using System.Diagnostics.CodeAnalysis;

namespace Keelson.Templating;

/// <summary>
/// A Go regexp (RE2 syntax and semantics) for callers outside templates, such as the <c>pattern</c> keyword of a
/// Helm chart's values.schema.json, which Helm checks with Go's regexp package.
/// </summary>
public sealed class GoPattern
{
    private readonly GoRegex _regex;

    private GoPattern(GoRegex regex)
    {
        _regex = regex;
    }

    /// <summary>The expression as written.</summary>
    public string Expr => _regex.Expr;

    /// <summary>regexp.Compile; on failure <paramref name="error"/> holds Go's message.</summary>
    public static bool TryCompile(string expr, [NotNullWhen(true)] out GoPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(expr);
        try
        {
            pattern = new GoPattern(GoRegex.Compile(expr));
            error = null;
            return true;
        }
        catch (Exception e) when (e is Re2SyntaxException or ArgumentException)
        {
            pattern = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Regexp.MatchString: whether the expression matches anywhere in <paramref name="input"/>.</summary>
    /// <exception cref="TimeoutException">When a match runs longer than the engine's time limit.</exception>
    public bool IsMatch(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return _regex.IsMatch(input);
        }
        catch (SprigException e)
        {
            throw new TimeoutException(e.Message, e);
        }
    }
}
