namespace Keelson.Templating;

/// <summary>
/// Sprig 3's text function map as Helm uses it (Masterminds/sprig 3.3.x): every function except <c>env</c> and
/// <c>expandenv</c>, which Helm removes. The functions are added on top of Go's builtins.
/// </summary>
public static partial class Sprig
{
    private static readonly Lazy<FunctionMap> DefaultFunctions = new(() => Create(new SprigOptions()));

    /// <summary>Go's builtins plus Sprig, with the system clock and local time zone.</summary>
    public static FunctionMap Functions => DefaultFunctions.Value;

    /// <summary>Go's builtins plus Sprig, with the clock (and its local time zone) of the options.</summary>
    public static FunctionMap Create(SprigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var functions = new List<GoFunction>();
        AddDataFunctions(functions);
        AddSystemFunctions(functions, options);
        return FunctionMap.Builtins.With(functions);
    }

    // Strings, string lists, math, conversions, defaults, reflection, lists, dicts, regex, paths, encoding, JSON.
    static partial void AddDataFunctions(List<GoFunction> functions);

    // Crypto, random, UUIDs, semver, dates, URLs, network: the functions that touch the clock, randomness or the OS.
    static partial void AddSystemFunctions(List<GoFunction> functions, SprigOptions options);
}

/// <summary>What the time-dependent Sprig functions read: the clock and, through it, Go's <c>time.Local</c>.</summary>
public sealed record SprigOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
