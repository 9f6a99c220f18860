using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential.Generated;

/// <summary>A generated case: reproducible from (seed, index) alone.</summary>
internal sealed record GeneratedCase(int Seed, int Index, TemplateTree Tree, JsonObject Data, string MissingKey, string Funcs)
{
    public TemplateCase ToCase(string? suffix = null) =>
        TemplateCase.Single($"gen-{Seed}-{Index}{suffix}", Tree.Render(), Data, MissingKey, Funcs);
}

/// <summary>
/// Random well-formed templates (with a few deliberate syntax errors) over random JSON data: nested if/with/range with
/// variables, break and continue, pipelines, parenthesised calls, printf with random verbs, comparisons, Go builtins
/// and Sprig string, list, dict, math, regex, semver and JSON functions with arguments of mostly the right type.
/// A small share of arguments has a deliberately wrong type, so failures are compared as well as outputs.
/// </summary>
internal sealed class TemplateGenerator
{
    private const int MaxDepth = 3;

    /// <summary>How often an argument gets a random type: enough to compare failures, rare enough that most
    /// templates still render and their outputs get compared.</summary>
    private const int MismatchPercent = 2;

    private static readonly string[] Texts = ["", " ", "\n", "  \n  ", "a", "text ", "key: ", "- item\n", "<", "%", "}", "\t", "é", ",", "\n\n"];
    private static readonly string[] IntLiterals = ["0", "1", "2", "3", "5", "-1", "10", "100", "0x10", "'a'", "9223372036854775807"];
    private static readonly string[] FloatLiterals = ["1.5", "0.1", "1e6", "2.0", "-3.25", "0.0", "1e21", "100.0"];
    private static readonly string[] Verbs = ["v", "v", "v", "d", "s", "s", "q", "x", "X", "f", "e", "g", "t", "T", "c", "b", "o", "U", "+v", "#v", "z"];
    private static readonly string[] SmallInts = ["0", "1", "2", "3", "5", "-1", "10"];
    private static readonly HashSet<string> CountFunctions =
        ["repeat", "until", "indent", "nindent", "wrap", "chunk", "seq", "trunc", "abbrev", "substr", "round", "slice"];
    private static readonly HashSet<string> MutatingFunctions = ["set", "unset", "merge", "mergeOverwrite"];
    private static readonly string[] Corruptions = ["drop-close", "extra-end", "unknown-function", "undefined-variable", "unclosed-if", "bad-number"];

    private readonly System.Random _random;
    private readonly bool _sprig;
    private readonly List<(string Name, Ty Type)> _variables = [];
    private readonly List<string> _templates = [];
    private readonly List<Function> _functions;
    private int _nextVariable;

    private TemplateGenerator(System.Random random, bool sprig)
    {
        _random = random;
        _sprig = sprig;
        _functions = Functions.All.Where(f => sprig || !f.Sprig).ToList();
    }

    /// <param name="builtinOnly">Go's builtins only (no Sprig), e.g. while the Sprig functions are not there.</param>
    public static GeneratedCase Generate(int seed, int index, bool builtinOnly = false)
    {
        // Each case has its own stream, so one case can be rebuilt from (seed, index) without the others.
        var random = new System.Random(unchecked((seed * 1_000_003) ^ (index * 7_919) ^ 0x5bd1e995));
        var sprig = random.Next(5) > 0 && !builtinOnly;
        var missingKey = random.Next(10) switch { 0 => "zero", 1 => "error", _ => "default" };
        var data = DataGenerator.Generate(random);
        var generator = new TemplateGenerator(random, sprig);
        var tree = generator.Tree();
        return new GeneratedCase(seed, index, tree, data, missingKey, sprig ? "sprig" : "builtin");
    }

    private bool Chance(int percent) => _random.Next(100) < percent;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private TemplateTree Tree()
    {
        var defines = new List<Node>();
        for (var count = _random.Next(0, 3); count > 0; count--)
        {
            var name = $"t{_templates.Count}";
            // A defined template sees none of the caller's variables; it is written against the root data, which
            // most calls pass.
            var saved = _variables.ToList();
            _variables.Clear();
            var body = Nodes(MaxDepth - 1, DataGenerator.RootShape, inRange: false);
            _variables.Clear();
            _variables.AddRange(saved);
            defines.Add(new DefineNode(name, body));
            _templates.Add(name);
        }

        var nodes = Nodes(0, DataGenerator.RootShape, inRange: false);
        foreach (var name in _templates)
        {
            // Every defined template is used, mostly with the root data its body was written against.
            var argument = Chance(85) ? Pipe.Of(new Reference("$")) : Chance(50) ? TemplateArgument(DataGenerator.RootShape) : null;
            nodes = nodes.Insert(_random.Next(nodes.Count + 1), new TemplateCallNode(name, argument));
        }

        nodes = nodes.AddRange(defines);
        if (Chance(5))
        {
            var pipe = Chance(80) ? Pipe.Of(new Reference("$")) : TemplateArgument(DataGenerator.RootShape);
            var saved = _variables.ToList();
            _variables.Clear();
            var body = Nodes(MaxDepth - 1, DataGenerator.RootShape, inRange: false);
            _variables.Clear();
            _variables.AddRange(saved);
            nodes = nodes.Add(new DefineNode("blk", body, IsBlock: true, BlockPipe: pipe));
        }

        return new TemplateTree(nodes, Chance(2) ? Pick(Corruptions) : null);
    }

    private ImmutableList<Node> Nodes(int depth, Shape dot, bool inRange)
    {
        var nodes = ImmutableList.CreateBuilder<Node>();
        for (var count = _random.Next(1, depth == 0 ? 6 : 4); count > 0; count--)
        {
            nodes.Add(NewNode(depth, dot, inRange));
        }

        return nodes.ToImmutable();
    }

    private Node NewNode(int depth, Shape dot, bool inRange)
    {
        var roll = _random.Next(100);
        if (depth >= MaxDepth)
        {
            roll %= 65;
        }

        return roll switch
        {
            < 20 => new TextNode(Pick(Texts)),
            < 55 => new ActionNode(NewPipe(Ty.Any, 0, dot), Chance(15), Chance(15)),
            < 65 => Declaration(dot),
            < 75 => If(depth, dot, inRange),
            < 84 => Range(depth, dot),
            < 91 => With(depth, dot, inRange),
            < 93 => new CommentNode(" note ", Chance(30), Chance(30)),
            < 96 when _templates.Count > 0 => new TemplateCallNode(Chance(95) ? Pick(_templates) : "missing", Chance(80) ? Pipe.Of(new Reference("$")) : TemplateArgument(dot)),
            < 100 when inRange => new BlockNode(BlockKind.If, NewPipe(Ty.Any, 1, dot), [new KeywordNode(Chance(50) ? "break" : "continue")], null),
            _ => new ActionNode(NewPipe(Ty.Any, 0, dot), false, false),
        };
    }

    /// <summary>
    /// The data passed to a defined template: never an integer, since the template may range over its dot and Go
    /// 1.24 ranges over integers where the 1.19 reference fails.
    /// </summary>
    private Pipe TemplateArgument(Shape dot) =>
        Pipe.Of(NewOperand(Pick(new[] { Ty.Str, Ty.List, Ty.Map, Ty.Float }), 1, dot, exact: true));

    private ActionNode Declaration(Shape dot)
    {
        var existing = _variables.Where(v => v.Name.StartsWith("$v", StringComparison.Ordinal)).ToList();
        var type = PickType();
        var pipe = NewPipe(type, 0, dot);
        if (existing.Count > 0 && Chance(30))
        {
            var target = Pick(existing);
            // After an assignment the variable may hold anything.
            _variables[_variables.IndexOf(target)] = (target.Name, Ty.Any);
            return new ActionNode(pipe, Chance(10), Chance(10), target.Name, Assign: true);
        }

        var name = $"$v{_nextVariable++}";
        _variables.Add((name, type));
        return new ActionNode(pipe, Chance(10), Chance(10), name);
    }

    private BlockNode If(int depth, Shape dot, bool inRange)
    {
        var mark = _variables.Count;
        string? variable = null;
        var pipe = NewPipe(Chance(50) ? Ty.Bool : Ty.Any, 1, dot);
        if (Chance(15))
        {
            variable = $"$v{_nextVariable++}";
            _variables.Add((variable, Ty.Any));
        }

        var body = Nodes(depth + 1, dot, inRange);
        if (Chance(90))
        {
            // Go's parser lets the else branch see variables declared in the body, but they do not exist there at
            // run time ("undefined variable"): exercised now and then, not everywhere.
            Restore(mark + (variable is null ? 0 : 1));
        }

        ImmutableList<Node>? otherwise = null;
        if (Chance(50))
        {
            otherwise = Chance(30) ? [If(depth + 1, dot, inRange)] : Nodes(depth + 1, dot, inRange);
        }

        Restore(mark);
        return new BlockNode(BlockKind.If, pipe, body, otherwise, ValueVariable: variable);
    }

    private BlockNode With(int depth, Shape dot, bool inRange)
    {
        var mark = _variables.Count;
        var (pipe, inner) = Subject(dot);
        string? variable = null;
        if (Chance(25))
        {
            variable = $"$v{_nextVariable++}";
            _variables.Add((variable, inner.Type));
        }

        var body = Nodes(depth + 1, inner, inRange);
        Restore(mark);
        var otherwise = Chance(40) ? Nodes(depth + 1, dot, inRange) : null;
        Restore(mark);
        return new BlockNode(BlockKind.With, pipe, body, otherwise, ValueVariable: variable);
    }

    private BlockNode Range(int depth, Shape dot)
    {
        var mark = _variables.Count;
        // Only lists and maps: Go 1.24 ranges over integers where the 1.19 reference fails, so never an Int here.
        Pipe pipe;
        Shape element;
        var paths = Paths(dot).Where(p => p.Shape.Type is Ty.List or Ty.Map).ToList();
        if (paths.Count > 0 && Chance(70))
        {
            var (path, shape) = Pick(paths);
            pipe = Pipe.Of(new Reference(path));
            element = shape.Type == Ty.List ? shape.Element ?? Shape.Unknown : Shape.Unknown;
        }
        else if (Chance(4))
        {
            // Ranging over a string or a number fails in every Go version.
            pipe = Pipe.Of(NewOperand(Chance(50) ? Ty.Str : Ty.Float, 1, dot, exact: true));
            element = Shape.Unknown;
        }
        else
        {
            pipe = new Pipe([Call(Chance(70) ? Ty.List : Ty.Map, 1, dot, exact: true)]);
            element = Shape.Unknown;
        }

        string? key = null;
        string? value = null;
        if (Chance(50))
        {
            value = $"$v{_nextVariable++}";
            if (Chance(50))
            {
                key = $"$v{_nextVariable++}";
                _variables.Add((key, Ty.Any));
            }

            _variables.Add((value, element.Type));
        }

        var body = Nodes(depth + 1, element, inRange: true);
        Restore(mark);
        var otherwise = Chance(30) ? Nodes(depth + 1, dot, inRange: false) : null;
        Restore(mark);
        return new BlockNode(BlockKind.Range, pipe, body, otherwise, key, value);
    }

    /// <summary>What a with-block works on, and the shape of dot inside it.</summary>
    private (Pipe Pipe, Shape Inner) Subject(Shape dot)
    {
        var paths = Paths(dot).ToList();
        if (paths.Count > 0 && Chance(70))
        {
            var (path, shape) = Pick(paths);
            return (Pipe.Of(new Reference(path)), shape);
        }

        return (NewPipe(Ty.Any, 1, dot), Shape.Unknown);
    }

    private void Restore(int mark) => _variables.RemoveRange(mark, _variables.Count - mark);

    private Ty PickType() => Pick(new[] { Ty.Str, Ty.Str, Ty.Ascii, Ty.Int, Ty.Float, Ty.Bool, Ty.List, Ty.Map, Ty.Any, Ty.Any });

    /// <summary>A pipeline producing (mostly) the wanted type: one operand, one call, or a chain of calls.</summary>
    private Pipe NewPipe(Ty want, int depth, Shape dot)
    {
        var roll = _random.Next(100);
        if (roll < 35 || depth >= MaxDepth)
        {
            if (Ty.Str == want && Chance(30))
            {
                return new Pipe([Printf(depth, dot)]);
            }

            var operand = NewOperand(want, depth + 1, dot);
            // "nil is not a command": kept rare, nil is mostly an argument.
            return Pipe.Of(operand is Literal { Source: "nil" } && Chance(90) ? new Literal("\"nil\"") : operand);
        }

        if (roll < 70)
        {
            return new Pipe([Call(want, depth + 1, dot)]);
        }

        // A chain: the value flows into the last parameter of each following call. The first stage's last argument
        // becomes the head of the pipeline, so it has the right type; later stages take what the previous returns.
        var commands = ImmutableList<Command>.Empty;
        var flowing = Ty.Any;
        for (var stages = _random.Next(1, 3); stages > 0; stages--)
        {
            var function = Pick(_functions);
            // A piped value lands in the last parameter, which must never be a count (see CountFunctions).
            if ((function.Params.Length == 0 && function.Rest is null)
                || (CountFunctions.Contains(function.Name) && (function.Rest == Ty.Int || function.Params[^1] == Ty.Int))
                || (commands.Count > 0 && !Fits(flowing, function.Rest ?? function.Params[^1]) && !Chance(MismatchPercent)))
            {
                continue;
            }

            // A piped value is not under Arguments' control: merge sources must stay free of maps (see Arguments).
            if (commands.Count > 0 && function.Name is "merge" or "mergeOverwrite")
            {
                continue;
            }

            var args = Arguments(function, depth + 1, dot);
            if (args.Count == 0)
            {
                continue;
            }

            if (commands.Count > 0 && function.Name == "camelcase")
            {
                // Lower-case text only, as in Arguments.
                commands = commands.Add(new Command("lower", []));
            }

            if (commands.Count == 0)
            {
                commands = commands.Add(new Command(null, [args[^1]]));
            }

            commands = commands.Add(new Command(function.Name, args.RemoveAt(args.Count - 1)));
            flowing = function.Result;
        }

        return commands.Count > 0 ? new Pipe(commands) : Pipe.Of(NewOperand(want, depth + 1, dot));
    }

    private Command Printf(int depth, Shape dot)
    {
        var format = new StringBuilder();
        var count = _random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            format.Append(Pick(Texts).Replace("%", "%%", StringComparison.Ordinal)).Append('%');
            if (Chance(30))
            {
                format.Append(Pick(new[] { "-", "+", "#", " ", "0" }));
            }

            if (Chance(30))
            {
                format.Append(_random.Next(0, 9));
            }

            if (Chance(25))
            {
                format.Append('.').Append(_random.Next(0, 5));
            }

            format.Append(Pick(Verbs));
        }

        var args = ImmutableList.Create<Operand>(new Literal(GoString(format.ToString())));
        var argCount = Chance(85) ? count : _random.Next(0, 4);
        for (var i = 0; i < argCount; i++)
        {
            args = args.Add(NewOperand(PickType(), depth + 1, dot));
        }

        return new Command("printf", args);
    }

    /// <summary>A call of a function whose result fits the wanted type (parenthesised when used as an operand).</summary>
    private Command Call(Ty want, int depth, Shape dot, bool exact = false)
    {
        if (!exact && Chance(MismatchPercent))
        {
            want = PickType();
        }

        var candidates = _functions.Where(f => Fits(f.Result, want)).ToList();
        if (candidates.Count == 0)
        {
            return new Command(null, [NewOperand(want, depth, dot, exact)]);
        }

        var function = Pick(candidates);
        if (function.Name == "sortAlpha" && Chance(30))
        {
            // keys and values come back in random map order; sorted they are deterministic.
            return new Command("sortAlpha", [new Parenthesised(Pipe.Call(Chance(70) ? "keys" : "values", NewOperand(Ty.Map, depth + 1, dot)))]);
        }

        return new Command(function.Name, Arguments(function, depth, dot));
    }

    private ImmutableList<Operand> Arguments(Function function, int depth, Shape dot)
    {
        var args = ImmutableList.CreateBuilder<Operand>();
        switch (function.Name)
        {
            case "regexMatch" or "regexFind" or "regexReplaceAll" or "regexSplit" or "regexFindAll":
                args.Add(new Literal(GoString(Pick(Functions.Regexes))));
                args.Add(NewOperand(Ty.Str, depth + 1, dot));
                if (function.Name == "regexReplaceAll")
                {
                    args.Add(new Literal(GoString(Pick(Functions.Replacements))));
                }
                else if (function.Params.Length == 3)
                {
                    args.Add(new Literal(Pick(new[] { "-1", "0", "1", "2" })));
                }

                return args.ToImmutable();
            case "semverCompare":
                args.Add(new Literal(GoString(Pick(Functions.Constraints))));
                args.Add(Chance(80) ? new Literal(GoString(Pick(Functions.Versions))) : NewOperand(Ty.Str, depth + 1, dot));
                return args.ToImmutable();
            case "camelcase":
                // xstrings 1.3.3 (the reference) lower-cases every letter inside a word, 1.5 (Sprig 3.3) keeps a
                // camelCase word's humps; they agree on lower-case input.
                args.Add(new Parenthesised(Pipe.Call("lower", NewOperand(Ty.Str, depth + 1, dot))));
                return args.ToImmutable();
            case "fromJson" when Chance(70):
                args.Add(new Literal(GoString(Pick(Functions.JsonTexts))));
                return args.ToImmutable();
            case "eq" or "ne" or "lt" or "le" or "gt" or "ge":
            {
                // Mostly comparable operands; the mismatch share still produces Go's type errors.
                var type = function.Name is "eq" or "ne"
                    ? Pick(new[] { Ty.Str, Ty.Int, Ty.Float, Ty.Float, Ty.Bool })
                    : Pick(new[] { Ty.Str, Ty.Int, Ty.Float, Ty.Float });
                args.Add(NewOperand(type, depth + 1, dot));
                for (var more = function.Name == "eq" && Chance(20) ? _random.Next(2, 4) : 1; more > 0; more--)
                {
                    args.Add(NewOperand(type, depth + 1, dot));
                }

                return args.ToImmutable();
            }

            case "div" or "mod" or "divf" when Chance(90):
                // Division by zero is an error in Go; kept rare.
                args.Add(NewOperand(Pick(new[] { Ty.Int, Ty.Float, Ty.Str }), depth + 1, dot));
                args.Add(new Literal(Pick(new[] { "2", "3", "-1", "7", "0.5" })));
                return args.ToImmutable();
            case "len":
                args.Add(NewOperand(Pick(new[] { Ty.Str, Ty.List, Ty.Map }), depth + 1, dot));
                return args.ToImmutable();
            case "kindIs":
                args.Add(new Literal(GoString(Pick(Functions.Kinds))));
                args.Add(NewOperand(Ty.Any, depth + 1, dot));
                return args.ToImmutable();
            case "dict":
                for (var pairs = _random.Next(0, 4); pairs > 0; pairs--)
                {
                    args.Add(new Literal(GoString(Pick(new[] { "a", "b", "name", "x", "k" }))));
                    args.Add(NewOperand(PickType(), depth + 1, dot));
                }

                return args.ToImmutable();
        }

        if (function.Name is "merge" or "mergeOverwrite")
        {
            // mergo 0.3 (the reference) keeps a non-empty destination value when the source's is a map; mergo 1.0
            // (Sprig 3.3) keeps it only when both are maps. So no source here holds a map under the key "k" of the
            // fresh destination: data maps (whose "k" is text, if any) or a dict of a plain value.
            args.Add(new Parenthesised(Pipe.Call("dict", new Literal("\"k\""), NewOperand(Ty.Str, depth + 1, dot))));
            for (var sources = 1 + (Chance(30) ? 1 : 0); sources > 0; sources--)
            {
                var maps = Paths(dot).Where(p => p.Shape.Type == Ty.Map).Select(p => p.Path).ToList();
                args.Add(maps.Count > 0 && Chance(50)
                    ? new Reference(Pick(maps))
                    : new Parenthesised(Pipe.Call("dict", new Literal("\"k\""),
                        NewOperand(Pick(new[] { Ty.Str, Ty.Int, Ty.Float, Ty.Bool, Ty.List }), depth + 1, dot, exact: true))));
            }

            return args.ToImmutable();
        }

        var first = 0;
        if (MutatingFunctions.Contains(function.Name))
        {
            // A fresh dictionary as the one mutated: mutating data that the inserted value refers to would build a
            // map that contains itself, which Go (and Helm) cannot print without a fatal stack overflow.
            args.Add(new Parenthesised(Pipe.Call("dict", new Literal("\"k\""), NewOperand(Ty.Str, depth + 1, dot))));
            first = 1;
        }

        foreach (var parameter in function.Params.Skip(first))
        {
            // Counts and widths stay small literals: a huge one is an error in Go but an allocation failure elsewhere.
            args.Add(parameter == Ty.Int && CountFunctions.Contains(function.Name)
                ? new Literal(Pick(SmallInts))
                : NewOperand(parameter, depth + 1, dot));
        }

        if (function.Rest is { } rest)
        {
            for (var extra = _random.Next(0, 3); extra > 0; extra--)
            {
                args.Add(rest == Ty.Int && CountFunctions.Contains(function.Name)
                    ? new Literal(Pick(SmallInts))
                    : NewOperand(rest, depth + 1, dot));
            }
        }

        return args.ToImmutable();
    }

    private static bool Fits(Ty actual, Ty want) => want switch
    {
        Ty.Any => true,
        Ty.Str => actual is Ty.Str or Ty.Ascii,
        _ => actual == want,
    };

    /// <summary>A literal, a reference to data or a variable, or a parenthesised call, of (mostly) the wanted type.</summary>
    private Operand NewOperand(Ty want, int depth, Shape dot, bool exact = false)
    {
        if (!exact && Chance(MismatchPercent))
        {
            want = PickType();
        }

        var roll = _random.Next(100);
        if (roll < 35 && depth < MaxDepth + 1)
        {
            var call = Call(want, depth + 1, dot, exact);
            return call.Function is null ? call.Args[0] : new Parenthesised(new Pipe([call]));
        }

        if (roll < 70)
        {
            var references = Paths(dot).Where(p => Fits(p.Shape.Type, want)).Select(p => p.Path)
                .Concat(_variables.Where(v => Fits(v.Type, want)).Select(v => v.Name)).ToList();
            if (references.Count > 0)
            {
                return new Reference(Pick(references));
            }
        }

        return NewLiteral(want, depth, dot);
    }

    private Operand NewLiteral(Ty want, int depth, Shape dot) => want switch
    {
        Ty.Str => new Literal(GoString(DataGenerator.Pick(_random, DataGenerator.Strings))),
        Ty.Ascii => new Literal(GoString(DataGenerator.Pick(_random, DataGenerator.AsciiStrings))),
        Ty.Int => new Literal(Pick(IntLiterals)),
        Ty.Float => new Literal(Pick(FloatLiterals)),
        Ty.Bool => new Literal(Chance(50) ? "true" : "false"),
        Ty.List when _sprig => new Parenthesised(Pipe.Call("list", NewOperand(Ty.Any, depth + 1, dot), NewOperand(Ty.Any, depth + 1, dot))),
        Ty.Map when _sprig => new Parenthesised(Pipe.Call("dict", new Literal("\"k\""), NewOperand(Ty.Any, depth + 1, dot))),
        Ty.List or Ty.Map => new Reference(want == Ty.List ? "$.l" : "$.m"),
        _ => Chance(10) ? new Literal("nil") : NewLiteral(PickType() is var t && t != Ty.Any ? t : Ty.Str, depth, dot),
    };

    /// <summary>Fields reachable from dot (".a.b") and from the root ("$.a.b"), with their believed shapes.</summary>
    private static IEnumerable<(string Path, Shape Shape)> Paths(Shape dot)
    {
        yield return (".", dot);

        foreach (var (path, shape) in Walk(".", dot))
        {
            yield return (path, shape);
        }

        if (!ReferenceEquals(dot, DataGenerator.RootShape))
        {
            foreach (var (path, shape) in Walk("$.", DataGenerator.RootShape))
            {
                yield return (path, shape);
            }
        }
    }

    private static IEnumerable<(string Path, Shape Shape)> Walk(string prefix, Shape shape)
    {
        if (shape.Fields is null)
        {
            yield break;
        }

        foreach (var (name, field) in shape.Fields)
        {
            yield return (prefix + name, field);
            if (field.Fields is not null)
            {
                foreach (var inner in Walk(prefix + name + ".", field))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A Go string literal: interpreted (escaped) or raw (backquoted) when the text allows it.</summary>
    private string GoString(string text)
    {
        if (!text.Contains('`', StringComparison.Ordinal) && !text.Contains('\r', StringComparison.Ordinal) && Chance(20))
        {
            return "`" + text + "`";
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when c < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
