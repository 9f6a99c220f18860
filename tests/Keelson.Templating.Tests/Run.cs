using System.Text;

namespace Keelson.Templating.Tests;

/// <summary>
/// Runs a template the way the Go reference runs produced the expected values: data is JSON decoded as Go's
/// encoding/json would, functions are <see cref="TestFunctions"/> (mirroring the Go FuncMap used there), and the
/// result is the output, "ERR: msg" for a parse error, or "partial output|ERR: msg" for an execution error.
/// </summary>
internal static class Run
{
    /// <summary>The JSON data most expectations were produced with.</summary>
    public const string Data = "{\"a\": 1, \"b\": \"x\", \"s\": \"h\\u00e9llo\", \"list\": [1, \"two\", 3.5, null, true], \"m\": {\"k\": \"v\", \"z\": 1000000.0, \"n\": null, \"e\": {}}, \"n\": null, \"t\": true, \"f\": false, \"z\": 0, \"e\": \"\", \"big\": 1e+21, \"neg\": -2.5, \"nested\": {\"a\": {\"b\": {\"c\": [1, 2, {\"d\": \"deep\"}]}}}, \"strs\": [\"b\", \"a\", \"c\"], \"empty\": [], \"emptym\": {}, \"q\": \"a\\tb\\\"c'<>&=\\u2028\\u0001\\u00e9\\ud83d\\ude00\", \"fl\": 2.5, \"nums\": [1, 2, 3]}";

    public static readonly FunctionMap TestFunctions = FunctionMap.Builtins.With(
        GoFunction.Create("upper", (string s) => s.ToUpperInvariant()),
        GoFunction.Create("addi", (nint a, nint b) => a + b),
        GoFunction.Create("addf", (double a, double b) => a + b),
        GoFunction.Variadic("join", (string sep, string[] xs) => string.Join(sep, xs)),
        GoFunction.Create("first", (List<object?>? xs) => xs is null || xs.Count == 0 ? null : xs[0]),
        GoFunction.Create("keys", (Dictionary<string, object?>? m) => m?.Keys.Order(StringComparer.Ordinal).ToList() ?? []),
        new GoFunction("fail", new GoSignature([GoType.String], GoType.String, ReturnsError: true),
            (_, a) => (string)a[0]! == "" ? "ok" : throw new InvalidOperationException((string)a[0]!)),
        GoFunction.Create("i64", (long x) => x * 2),
        GoFunction.Create("u8", (byte x) => unchecked((byte)(x + 1))),
        GoFunction.Create("f32", (float x) => x / 3),
        GoFunction.Create("b", (bool x) => !x),
        GoFunction.Create("ty", (object? x) => GoValues.TypeName(x)),
        new GoFunction("nilmap", new GoSignature([], GoType.MapOfStringInterface), (_, _) => null),
        new GoFunction("nilslice", new GoSignature([], GoType.SliceOfString), (_, _) => null),
        GoFunction.Create("strs", () => new List<string> { "x", "y" }),
        GoFunction.Create<object?>("anyr", () => null),
        GoFunction.Create<object?>("anym", () => new Dictionary<string, object?> { ["q"] = (nint)1 }),
        GoFunction.Variadic("vari", (object?[] xs) => (nint)xs.Length),
        GoFunction.Create("mk", () => new Dictionary<string, object?> { ["k"] = null, ["l"] = new List<object?> { null } }),
        GoFunction.Create("slen", (List<string>? xs) => (nint)(xs?.Count ?? 0)),
        GoFunction.Create("ilen", (List<object?>? xs) => (nint)(xs?.Count ?? 0)),
        GoFunction.Create("bytes", (string s) => Encoding.UTF8.GetBytes(s)),
        GoFunction.Create("i64s", () => 5L),
        GoFunction.Create("i32", (int x) => x),
        GoFunction.Create<string>("panicky", () => throw new InvalidOperationException("boom")));

    public static string Golden(string template, string? data, string missingKey = "default")
    {
        var value = data is null ? GoValues.FromJson(Data) : data.Length == 0 ? null : GoValues.FromJson(data);
        var options = new TemplateOptions
        {
            MissingKey = missingKey switch
            {
                "zero" => MissingKeyMode.Zero,
                "error" => MissingKeyMode.Error,
                _ => MissingKeyMode.Default,
            },
        };
        var set = new TemplateSet(TestFunctions, options);
        try
        {
            set.Parse("t", template);
        }
        catch (TemplateException e)
        {
            return "ERR: " + e.Message;
        }

        var output = new StringWriter();
        try
        {
            set.Execute("t", value, output, TestContext.Current.CancellationToken);
            return output.ToString();
        }
        catch (TemplateException e)
        {
            return output + "|ERR: " + e.Message;
        }
    }

    /// <summary>Executes with the test's cancellation token.</summary>
    public static string Exec(this TemplateSet set, string name, object? data) =>
        set.Execute(name, data, TestContext.Current.CancellationToken);

    public static void Exec(this TemplateSet set, string name, object? data, TextWriter output) =>
        set.Execute(name, data, output, TestContext.Current.CancellationToken);

    /// <summary>Parses and executes one template; throws on errors.</summary>
    public static string Template(string template, object? data = null, FunctionMap? functions = null, TemplateOptions? options = null)
    {
        var set = new TemplateSet(functions ?? FunctionMap.Builtins, options);
        set.Parse("t", template);
        return set.Execute("t", data, TestContext.Current.CancellationToken);
    }
}
