using System.Collections.Immutable;
using System.Text;

namespace Keelson.Templating.Tests.Differential.Generated;

// A small syntax tree for generated templates: rendered to text for both engines, and cut down piece by piece when a
// generated case shows a difference (shrinking), so the report shows the smallest template that still differs.

internal abstract record Node
{
    public abstract void Render(StringBuilder text);
}

internal sealed record TextNode(string Text) : Node
{
    public override void Render(StringBuilder text) => text.Append(Text);
}

internal sealed record CommentNode(string Text, bool TrimLeft, bool TrimRight) : Node
{
    public override void Render(StringBuilder text) =>
        text.Append(TrimLeft ? "{{- " : "{{").Append("/*").Append(Text).Append("*/").Append(TrimRight ? " -}}" : "}}");
}

/// <summary>{{ pipeline }}, {{ $v := pipeline }} or {{ $v = pipeline }}.</summary>
internal sealed record ActionNode(Pipe Pipe, bool TrimLeft, bool TrimRight, string? Variable = null, bool Assign = false) : Node
{
    public override void Render(StringBuilder text)
    {
        text.Append(TrimLeft ? "{{- " : "{{ ");
        if (Variable is not null)
        {
            text.Append(Variable).Append(Assign ? " = " : " := ");
        }

        Pipe.Render(text);
        text.Append(TrimRight ? " -}}" : " }}");
    }
}

internal enum BlockKind
{
    If,
    With,
    Range,
}

/// <summary>if / with / range with an optional declaration, a body and an else branch (else-if when the else branch
/// is a lone if).</summary>
internal sealed record BlockNode(
    BlockKind Kind,
    Pipe Pipe,
    ImmutableList<Node> Body,
    ImmutableList<Node>? Else,
    string? KeyVariable = null,
    string? ValueVariable = null) : Node
{
    public override void Render(StringBuilder text)
    {
        text.Append("{{ ").Append(Kind.ToString().ToLowerInvariant()).Append(' ');
        RenderHead(text);
        text.Append(" }}");
        RenderList(text, Body);
        var tail = Else;
        while (tail is not null)
        {
            if (Kind == BlockKind.If && tail.Count == 1 && tail[0] is BlockNode { Kind: BlockKind.If } elseIf)
            {
                text.Append("{{ else if ");
                elseIf.RenderHead(text);
                text.Append(" }}");
                RenderList(text, elseIf.Body);
                tail = elseIf.Else;
                continue;
            }

            text.Append("{{ else }}");
            RenderList(text, tail);
            break;
        }

        text.Append("{{ end }}");
    }

    private void RenderHead(StringBuilder text)
    {
        if (KeyVariable is not null && ValueVariable is not null)
        {
            text.Append(KeyVariable).Append(", ").Append(ValueVariable).Append(" := ");
        }
        else if (ValueVariable is not null)
        {
            text.Append(ValueVariable).Append(" := ");
        }

        Pipe.Render(text);
    }

    public static void RenderList(StringBuilder text, IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
        {
            node.Render(text);
        }
    }
}

internal sealed record KeywordNode(string Keyword) : Node
{
    public override void Render(StringBuilder text) => text.Append("{{ ").Append(Keyword).Append(" }}");
}

internal sealed record TemplateCallNode(string Name, Pipe? Pipe) : Node
{
    public override void Render(StringBuilder text)
    {
        text.Append("{{ template \"").Append(Name).Append('"');
        if (Pipe is not null)
        {
            text.Append(' ');
            Pipe.Render(text);
        }

        text.Append(" }}");
    }
}

internal sealed record DefineNode(string Name, ImmutableList<Node> Body, bool IsBlock = false, Pipe? BlockPipe = null) : Node
{
    public override void Render(StringBuilder text)
    {
        if (IsBlock)
        {
            text.Append("{{ block \"").Append(Name).Append("\" ");
            BlockPipe!.Render(text);
            text.Append(" }}");
        }
        else
        {
            text.Append("{{ define \"").Append(Name).Append("\" }}");
        }

        BlockNode.RenderList(text, Body);
        text.Append("{{ end }}");
    }
}

/// <summary>A pipeline: commands separated by '|'. The first command may be a lone operand.</summary>
internal sealed record Pipe(ImmutableList<Command> Commands)
{
    public static Pipe Of(Operand operand) => new([new Command(null, [operand])]);

    public static Pipe Call(string function, params Operand[] args) => new([new Command(function, [.. args])]);

    public void Render(StringBuilder text)
    {
        for (var i = 0; i < Commands.Count; i++)
        {
            if (i > 0)
            {
                text.Append(" | ");
            }

            Commands[i].Render(text);
        }
    }
}

/// <summary>A function call with its arguments, or (Function null) a single operand.</summary>
internal sealed record Command(string? Function, ImmutableList<Operand> Args)
{
    public void Render(StringBuilder text)
    {
        var first = true;
        if (Function is not null)
        {
            text.Append(Function);
            first = false;
        }

        foreach (var arg in Args)
        {
            if (!first)
            {
                text.Append(' ');
            }

            arg.Render(text);
            first = false;
        }
    }
}

internal abstract record Operand
{
    public abstract void Render(StringBuilder text);
}

/// <summary>A literal exactly as written in the template ("\"x\"", "1", "1.5", "true", "nil").</summary>
internal sealed record Literal(string Source) : Operand
{
    public override void Render(StringBuilder text) => text.Append(Source);
}

/// <summary>"." or ".a.b" (dot's fields) or "$x" / "$x.a.b".</summary>
internal sealed record Reference(string Source) : Operand
{
    public override void Render(StringBuilder text) => text.Append(Source);
}

internal sealed record Parenthesised(Pipe Pipe, string FieldChain = "") : Operand
{
    public override void Render(StringBuilder text)
    {
        text.Append('(');
        Pipe.Render(text);
        text.Append(')').Append(FieldChain);
    }
}

/// <summary>A generated template: main text plus the templates it defines, and an optional deliberate syntax
/// error applied after rendering (so parse failures are compared too).</summary>
internal sealed record TemplateTree(ImmutableList<Node> Nodes, string? Corruption)
{
    public string Render()
    {
        var text = new StringBuilder();
        BlockNode.RenderList(text, Nodes);
        return Corruption is null ? text.ToString() : Corrupt(text.ToString(), Corruption);
    }

    private static string Corrupt(string text, string how) => how switch
    {
        "drop-close" when text.Contains("}}", StringComparison.Ordinal) =>
            text.Remove(text.LastIndexOf("}}", StringComparison.Ordinal), 2),
        "extra-end" => text + "{{ end }}",
        "unknown-function" => text + "{{ noSuchFunction 1 }}",
        "undefined-variable" => "{{ $undefinedVariable }}" + text,
        "unclosed-if" => "{{ if true }}" + text,
        "bad-number" => text + "{{ 0x }}",
        _ => text + "{{",
    };
}
