namespace Keelson.Templating.Tests.Differential.Engine;

/// <summary>
/// Renders a case with Keelson's C# engine, exactly as the oracle does with Go: a fresh set with the case's function
/// map and missingkey mode, the named templates parsed in ordinal name order, then the entry executed with the JSON
/// data converted to Go values. The only place the differential tests touch the engine's API.
/// </summary>
internal static class KeelsonEngine
{
    /// <summary>
    /// A runaway render is a defect, not a hang: it fails the case instead. Generous, as the oracle's (two minutes):
    /// RSA key generation, bcrypt and scrypt take seconds on a loaded 2-core machine, and a tight limit made them flaky.
    /// </summary>
    private static readonly TimeSpan RenderLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Sprig with Go's time.Local set to UTC, as the oracle runs (its goldens do not depend on the machine's zone).
    /// </summary>
    private static readonly FunctionMap SprigFunctions = Sprig.Create(new SprigOptions { Time = new UtcClock() });

    public static Outcome Render(TemplateCase c)
    {
        using var cancellation = new CancellationTokenSource(RenderLimit);
        try
        {
            var functions = c.Funcs != "sprig" ? FunctionMap.Builtins : SprigFunctions;
            var options = new TemplateOptions { MissingKey = MissingKey(c.MissingKey) };
            var set = new TemplateSet(functions, options);
            foreach (var (name, text) in c.Templates.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                set.Parse(name, text);
            }

            // Converted per render: Sprig's set/unset/merge mutate the data, as they do in Go.
            var data = GoValues.FromJson(c.Data?.DeepClone());
            return Outcome.Success(set.Execute(c.Entry, data, cancellation.Token));
        }
        catch (TemplateException ex)
        {
            return Outcome.Failure(ex.Message);
        }
        catch (Exception ex)
        {
            return new Outcome(false, null, $"{ex.GetType().Name}: {ex.Message}", Crash: true);
        }
    }

    private static MissingKeyMode MissingKey(string mode) => mode switch
    {
        "zero" => MissingKeyMode.Zero,
        "error" => MissingKeyMode.Error,
        _ => MissingKeyMode.Default,
    };

    /// <summary>The system clock with UTC as its local zone.</summary>
    private sealed class UtcClock : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
