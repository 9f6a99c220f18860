using System.Numerics;
using System.Text;

namespace Keelson.Templating.Parse;

/// <summary>The text a set of trees was parsed from, for error locations (line and byte column).</summary>
internal sealed class Source(string parseName, string text)
{
    public string ParseName { get; } = parseName;

    public string Text { get; } = text;

    public int LineOf(int pos)
    {
        var line = 1;
        for (var i = 0; i < pos && i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    public int ColumnOf(int pos)
    {
        var end = Math.Min(pos, Text.Length);
        var lineStart = Text.LastIndexOf('\n', Math.Max(end - 1, 0));
        if (end == 0 || lineStart < 0)
        {
            return Encoding.UTF8.GetByteCount(Text.AsSpan(0, end));
        }

        return Encoding.UTF8.GetByteCount(Text.AsSpan(lineStart + 1, end - lineStart - 1));
    }
}

/// <summary>A parsed template: immutable, shared between sets and executions.</summary>
internal sealed class Tree(string name, Source source, ListNode root)
{
    public string Name { get; } = name;

    public Source Source { get; } = source;

    public ListNode Root { get; } = root;

    /// <summary>Whether the tree holds nothing but space and comments (such a tree never replaces another).</summary>
    public bool IsEmpty => IsEmptyTree(Root);

    public static bool IsEmptyTree(Node? n) => n switch
    {
        null => true,
        ListNode l => l.Nodes.All(IsEmptyTree),
        TextNode t => string.IsNullOrWhiteSpace(t.Text),
        _ => false,
    };
}

internal abstract class Node(int pos)
{
    public int Pos { get; } = pos;

    public abstract void WriteTo(StringBuilder sb);

    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}

internal sealed class ListNode(int pos, Node[] nodes) : Node(pos)
{
    public Node[] Nodes { get; } = nodes;

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var n in Nodes)
        {
            n.WriteTo(sb);
        }
    }
}

internal sealed class TextNode(int pos, string text) : Node(pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class PipeNode(int pos, bool isAssign, VariableNode[] decl, CommandNode[] cmds) : Node(pos)
{
    public bool IsAssign { get; } = isAssign;

    public VariableNode[] Decl { get; } = decl;

    public CommandNode[] Cmds { get; } = cmds;

    public override void WriteTo(StringBuilder sb)
    {
        if (Decl.Length > 0)
        {
            for (var i = 0; i < Decl.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Decl[i].WriteTo(sb);
            }

            sb.Append(" := ");
        }

        for (var i = 0; i < Cmds.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" | ");
            }

            Cmds[i].WriteTo(sb);
        }
    }
}

internal sealed class ActionNode(int pos, PipeNode pipe) : Node(pos)
{
    public PipeNode Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{");
        Pipe.WriteTo(sb);
        sb.Append("}}");
    }
}

internal sealed class CommandNode(int pos, Node[] args) : Node(pos)
{
    public Node[] Args { get; } = args;

    public override void WriteTo(StringBuilder sb)
    {
        for (var i = 0; i < Args.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            if (Args[i] is PipeNode p)
            {
                sb.Append('(');
                p.WriteTo(sb);
                sb.Append(')');
                continue;
            }

            Args[i].WriteTo(sb);
        }
    }
}

/// <summary>A function name; the function is resolved when parsing (a set's function map never changes).</summary>
internal sealed class IdentifierNode(int pos, string ident, GoFunction? function) : Node(pos)
{
    public string Ident { get; } = ident;

    public GoFunction? Function { get; } = function;

    public override void WriteTo(StringBuilder sb) => sb.Append(Ident);
}

/// <summary>$x or $x.Field.Field: the dollar sign is part of the first name.</summary>
internal sealed class VariableNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb) => sb.AppendJoin('.', Ident);
}

internal sealed class DotNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append('.');
}

internal sealed class NilNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("nil");
}

internal sealed class FieldNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var id in Ident)
        {
            sb.Append('.').Append(id);
        }
    }
}

/// <summary>A term followed by field accesses, such as (pipeline).X.Y.</summary>
internal sealed class ChainNode(int pos, Node node, string[] field) : Node(pos)
{
    public Node Node { get; } = node;

    public string[] Field { get; } = field;

    public override void WriteTo(StringBuilder sb)
    {
        if (Node is PipeNode)
        {
            sb.Append('(');
            Node.WriteTo(sb);
            sb.Append(')');
        }
        else
        {
            Node.WriteTo(sb);
        }

        foreach (var f in Field)
        {
            sb.Append('.').Append(f);
        }
    }
}

internal sealed class BoolNode(int pos, bool value) : Node(pos)
{
    public bool True { get; } = value;

    public override void WriteTo(StringBuilder sb) => sb.Append(True ? "true" : "false");
}

/// <summary>A number literal with every interpretation Go's parser found valid for it.</summary>
internal sealed class NumberNode(int pos, string text) : Node(pos)
{
    public string Text { get; } = text;

    public bool IsInt { get; set; }

    public bool IsUint { get; set; }

    public bool IsFloat { get; set; }

    public bool IsComplex { get; set; }

    public long Int64 { get; set; }

    public ulong Uint64 { get; set; }

    public double Float64 { get; set; }

    public Complex Complex128 { get; set; }

    /// <summary>The untyped constant's value where the context gives no type (see Go's idealConstant), or null.</summary>
    public object? Ideal { get; set; }

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class StringNode(int pos, string quoted, string text) : Node(pos)
{
    public string Quoted { get; } = quoted;

    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Quoted);
}

internal sealed class EndNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{end}}");
}

internal sealed class ElseNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{else}}");
}

internal enum BranchKind
{
    If,
    Range,
    With,
}

internal sealed class BranchNode(BranchKind kind, int pos, PipeNode pipe, ListNode list, ListNode? elseList) : Node(pos)
{
    public BranchKind Kind { get; } = kind;

    public PipeNode Pipe { get; } = pipe;

    public ListNode List { get; } = list;

    public ListNode? ElseList { get; } = elseList;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{").Append(Kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" }).Append(' ');
        Pipe.WriteTo(sb);
        sb.Append("}}");
        List.WriteTo(sb);
        if (ElseList is not null)
        {
            sb.Append("{{else}}");
            ElseList.WriteTo(sb);
        }

        sb.Append("{{end}}");
    }
}

internal sealed class BreakNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{break}}");
}

internal sealed class ContinueNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{continue}}");
}

internal sealed class TemplateNode(int pos, string name, PipeNode? pipe) : Node(pos)
{
    public string Name { get; } = name;

    public PipeNode? Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{template ").Append(Fmt.GoStrconv.Quote(Name));
        if (Pipe is not null)
        {
            sb.Append(' ');
            Pipe.WriteTo(sb);
        }

        sb.Append("}}");
    }
}
