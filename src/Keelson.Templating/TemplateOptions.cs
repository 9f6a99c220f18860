namespace Keelson.Templating;

/// <summary>What a missing map key yields (Go's missingkey option; "invalid" is the same as "default").</summary>
public enum MissingKeyMode
{
    /// <summary>No value: prints as &lt;no value&gt;; further fields of it are also no value.</summary>
    Default,

    /// <summary>The zero value of the map's element type (a nil interface for map[string]interface {}).</summary>
    Zero,

    /// <summary>Execution stops with an error.</summary>
    Error,
}

public sealed record TemplateOptions
{
    public MissingKeyMode MissingKey { get; init; }

    /// <summary>Maximum nesting of {{template}} calls (Go's maxExecDepth). Deeper recursion fails with Go's error.</summary>
    public int MaxDepth { get; init; } = 100_000;

    /// <summary>
    /// Name of the set's root template, which Go names in "no template X associated with template ROOT" (Helm's
    /// root is "gotpl"). Null means the template the execution started with.
    /// </summary>
    public string? RootName { get; init; }
}
