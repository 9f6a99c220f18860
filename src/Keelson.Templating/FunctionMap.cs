using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Keelson.Templating;

/// <summary>
/// An immutable map of template functions by name. Every map starts from <see cref="Builtins"/> (Go's builtins);
/// functions added with <see cref="With(GoFunction[])"/> replace those of the same name, as a FuncMap does in Go.
/// </summary>
public sealed class FunctionMap
{
    private readonly FrozenDictionary<string, GoFunction> _functions;

    private FunctionMap(FrozenDictionary<string, GoFunction> functions)
    {
        _functions = functions;
    }

    /// <summary>and, call, html, index, slice, js, len, not, or, print, printf, println, urlquery, eq, ge, gt, le, lt, ne.</summary>
    public static FunctionMap Builtins { get; } = new(Exec.Builtins.Create().ToFrozenDictionary(StringComparer.Ordinal));

    public IEnumerable<string> Names => _functions.Keys;

    public int Count => _functions.Count;

    public GoFunction this[string name] => _functions[name];

    public bool Contains(string name) => _functions.ContainsKey(name);

    public bool TryGet(string name, [MaybeNullWhen(false)] out GoFunction function) => _functions.TryGetValue(name, out function);

    public FunctionMap With(params GoFunction[] functions) => With((IEnumerable<GoFunction>)functions);

    public FunctionMap With(IEnumerable<GoFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var next = new Dictionary<string, GoFunction>(_functions, StringComparer.Ordinal);
        foreach (var f in functions)
        {
            if (!IsGoodName(f.Name))
            {
                throw new ArgumentException($"function name \"{f.Name}\" is not a valid identifier", nameof(functions));
            }

            next[f.Name] = f;
        }

        return new FunctionMap(next.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Adds all functions of another map (its builtins included, which are the same).</summary>
    public FunctionMap With(FunctionMap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return With(other._functions.Values.Where(f => !ReferenceEquals(f, Builtins._functions.GetValueOrDefault(f.Name))));
    }

    private static bool IsGoodName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' || char.IsLetter(c) || i > 0 && char.IsDigit(c))
            {
                continue;
            }

            return false;
        }

        return true;
    }
}
