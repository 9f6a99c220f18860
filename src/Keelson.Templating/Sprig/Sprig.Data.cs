namespace Keelson.Templating;

public static partial class Sprig
{
    static partial void AddDataFunctions(List<GoFunction> functions)
    {
        SprigStrings.Add(functions);
        SprigConversions.Add(functions);
        SprigMath.Add(functions);
        SprigLists.Add(functions);
        SprigDicts.Add(functions);
        SprigDefaults.Add(functions);
        SprigJson.Add(functions);
        SprigReflection.Add(functions);
        SprigPaths.Add(functions);
        SprigEncoding.Add(functions);
        SprigRegex.Add(functions);
    }
}

/// <summary>Declares Sprig functions with their exact Go signatures (the CLR-typed helpers would copy lists).</summary>
internal static class Fn
{
    public static readonly GoType SliceOfSliceOfInterface = GoType.SliceOf(GoType.SliceOfInterface);

    /// <summary>func(parameters...) result.</summary>
    public static GoFunction Of(string name, GoType result, GoType[] parameters, GoFunctionBody body) =>
        new(name, new GoSignature(parameters, result), body);

    /// <summary>func(parameters...) (result, error): throwing is returning the error.</summary>
    public static GoFunction OfWithError(string name, GoType result, GoType[] parameters, GoFunctionBody body) =>
        new(name, new GoSignature(parameters, result, ReturnsError: true), body);

    /// <summary>func(fixed..., ...elem) result; the last parameter type is the slice of the variadic element.</summary>
    public static GoFunction Variadic(string name, GoType result, GoType[] parameters, GoFunctionBody body) =>
        new(name, new GoSignature(parameters, result, IsVariadic: true), body);

    public static GoFunction VariadicWithError(string name, GoType result, GoType[] parameters, GoFunctionBody body) =>
        new(name, new GoSignature(parameters, result, IsVariadic: true, ReturnsError: true), body);

    public static string Str(object? arg) => (string)arg!;

    public static nint Int(object? arg) => (nint)arg!;
}

/// <summary>A Go panic or error a Sprig function raises; its message is what Go's would be.</summary>
internal sealed class SprigException(string message) : Exception(message)
{
    public static SprigException NilDereference() => new("runtime error: invalid memory address or nil pointer dereference");
}
