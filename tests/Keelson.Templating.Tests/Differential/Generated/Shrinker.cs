using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Keelson.Templating.Tests.Differential.Generated;

/// <summary>
/// Cuts a failing generated case down while it keeps failing: drops nodes, unwraps blocks, shortens pipelines,
/// removes data. Greedy and bounded; the result is a smaller case that still shows a difference, for the report.
/// </summary>
internal static class Shrinker
{
    private const int MaxRounds = 60;
    private const int CandidatesPerRound = 80;

    /// <param name="firstFailing">Index of the first candidate that still fails, or -1.</param>
    /// <param name="budget">Shrinking stops when it is spent; the report then shows the smallest case so far.</param>
    public static async Task<GeneratedCase> ShrinkAsync(
        GeneratedCase failing, Func<IReadOnlyList<GeneratedCase>, Task<int>> firstFailing, TimeSpan budget)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var current = failing;
        for (var round = 0; round < MaxRounds && clock.Elapsed < budget; round++)
        {
            var candidates = Candidates(current).Take(CandidatesPerRound).ToList();
            if (candidates.Count == 0)
            {
                break;
            }

            var index = await firstFailing(candidates);
            if (index < 0)
            {
                break;
            }

            current = candidates[index];
        }

        return current;
    }

    private static IEnumerable<GeneratedCase> Candidates(GeneratedCase c)
    {
        if (c.Tree.Corruption is not null)
        {
            yield return c with { Tree = c.Tree with { Corruption = null } };
        }

        foreach (var nodes in ListVariants(c.Tree.Nodes))
        {
            yield return c with { Tree = c.Tree with { Nodes = nodes } };
        }

        foreach (var key in c.Data.Select(p => p.Key).ToList())
        {
            var data = (JsonObject)c.Data.DeepClone();
            data.Remove(key);
            yield return c with { Data = data };
        }

        foreach (var (key, value) in c.Data)
        {
            if (value is JsonArray { Count: > 0 } list)
            {
                var data = (JsonObject)c.Data.DeepClone();
                ((JsonArray)data[key]!).RemoveAt(list.Count - 1);
                yield return c with { Data = data };
            }
        }
    }

    private static IEnumerable<ImmutableList<Node>> ListVariants(ImmutableList<Node> nodes)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            yield return nodes.RemoveAt(i);
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var replacement in NodeVariants(nodes[i]))
            {
                yield return nodes.RemoveAt(i).InsertRange(i, replacement);
            }
        }
    }

    /// <summary>Smaller stand-ins for one node (possibly several nodes spliced in its place).</summary>
    private static IEnumerable<ImmutableList<Node>> NodeVariants(Node node)
    {
        switch (node)
        {
            case BlockNode block:
                yield return block.Body;
                if (block.Else is { } otherwise)
                {
                    yield return otherwise;
                    yield return [block with { Else = null }];
                    foreach (var variant in ListVariants(otherwise))
                    {
                        yield return [block with { Else = variant }];
                    }
                }

                foreach (var variant in ListVariants(block.Body))
                {
                    yield return [block with { Body = variant }];
                }

                foreach (var pipe in PipeVariants(block.Pipe))
                {
                    yield return [block with { Pipe = pipe }];
                }

                break;
            case DefineNode define:
                foreach (var variant in ListVariants(define.Body))
                {
                    yield return [define with { Body = variant }];
                }

                break;
            case ActionNode action:
                if (action.TrimLeft || action.TrimRight)
                {
                    yield return [action with { TrimLeft = false, TrimRight = false }];
                }

                foreach (var pipe in PipeVariants(action.Pipe))
                {
                    yield return [action with { Pipe = pipe }];
                }

                break;
            case TemplateCallNode { Pipe: { } callPipe } call:
                yield return [call with { Pipe = null }];
                foreach (var pipe in PipeVariants(callPipe))
                {
                    yield return [call with { Pipe = pipe }];
                }

                break;
        }
    }

    private static IEnumerable<Pipe> PipeVariants(Pipe pipe)
    {
        for (var keep = 1; keep < pipe.Commands.Count; keep++)
        {
            yield return new Pipe(pipe.Commands.Take(keep).ToImmutableList());
        }

        if (pipe.Commands.Count == 1 && pipe.Commands[0] is { Function: not null } call)
        {
            // The call replaced by one of its arguments.
            foreach (var arg in call.Args)
            {
                yield return Pipe.Of(arg);
            }

            for (var i = 0; i < call.Args.Count; i++)
            {
                if (call.Args[i] is Parenthesised inner)
                {
                    foreach (var variant in PipeVariants(inner.Pipe))
                    {
                        yield return new Pipe([call with { Args = call.Args.SetItem(i, inner with { Pipe = variant }) }]);
                    }
                }
            }
        }

        if (pipe.Commands.Count == 1 && pipe.Commands[0] is { Function: null, Args: [Parenthesised lone] })
        {
            yield return lone.Pipe;
        }
    }
}
