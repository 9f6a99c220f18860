namespace Keelson.Templating.Tests.Differential.Engine;

/// <summary>
/// Renders a case with Keelson's C# engine, exactly as the oracle does with Go: a fresh set with the case's function
/// map and missingkey mode, the named templates parsed in ordinal name order, then the entry executed with the JSON
/// data converted to Go values. The only place the differential tests touch the engine's API.
/// </summary>
internal static class KeelsonEngine
{
    /// <summary>A runaway render is a defect, not a hang: it fails the case instead.</summary>
    private static readonly TimeSpan RenderLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sprig.Functions, found by name: the Sprig functions land after the engine, and this keeps the harness
    /// compiling in between (Sprig cases then fail with a clear message). Once Sprig is in, a direct reference to
    /// Keelson.Templating.Sprig.Functions can replace this.
    /// </summary>
    private static readonly Lazy<FunctionMap?> SprigFunctions = new(() =>
        typeof(FunctionMap).Assembly.GetType("Keelson.Templating.Sprig")?.GetProperty("Functions")?.GetValue(null) as FunctionMap);

    public static Outcome Render(TemplateCase c)
    {
        using var cancellation = new CancellationTokenSource(RenderLimit);
        try
        {
            var functions = c.Funcs != "sprig"
                ? FunctionMap.Builtins
                : SprigFunctions.Value ?? throw new NotSupportedException("Keelson.Templating.Sprig.Functions does not exist yet");
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
}
