using System.Globalization;
using Keelson.Templating.Exec;
using Keelson.Templating.Parse;

namespace Keelson.Templating;

/// <summary>
/// A namespace of named templates sharing one function map, like a Go template and its associated templates.
/// Parsed templates are immutable and shared by clones; executing concurrently from many threads is safe.
/// </summary>
public sealed class TemplateSet
{
    private readonly Lock _gate = new();
    private volatile Dictionary<string, Tree> _templates;

    public TemplateSet(FunctionMap functions, TemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        Functions = functions;
        Options = options ?? new TemplateOptions();
        _templates = new Dictionary<string, Tree>(StringComparer.Ordinal);
    }

    private TemplateSet(FunctionMap functions, TemplateOptions options, Dictionary<string, Tree> templates)
    {
        Functions = functions;
        Options = options;
        _templates = templates;
    }

    public FunctionMap Functions { get; }

    public TemplateOptions Options { get; }

    public IEnumerable<string> Names => _templates.Keys;

    public bool Has(string name) => _templates.ContainsKey(name);

    /// <summary>
    /// Parses <paramref name="text"/> as template <paramref name="name"/>; the templates it defines are added too.
    /// A template replaces one of the same name unless it is empty (only space and comments).
    /// </summary>
    public void Parse(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        var trees = Parser.Parse(name, text, Functions);
        lock (_gate)
        {
            var next = new Dictionary<string, Tree>(_templates, StringComparer.Ordinal);
            foreach (var (treeName, tree) in trees)
            {
                if (tree.IsEmpty && next.ContainsKey(treeName))
                {
                    continue;
                }

                next[treeName] = tree;
            }

            _templates = next;
        }
    }

    public string Execute(string name, object? data, CancellationToken cancellationToken = default)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Execute(name, data, writer, cancellationToken);
        return writer.ToString();
    }

    public void Execute(string name, object? data, TextWriter output, CancellationToken cancellationToken = default) =>
        Execute(name, data, output, null, cancellationToken);

    /// <summary>
    /// Executes with <paramref name="state"/> visible to functions as <see cref="FunctionContext.State"/> (in nested
    /// executions too), so a function map shared by many renders can keep per-render bookkeeping there.
    /// </summary>
    public void Execute(string name, object? data, TextWriter output, object? state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(output);
        var tree = Lookup(name) ?? throw TemplateException.NoSuchTemplate(name, Options.RootName ?? name);
        cancellationToken.ThrowIfCancellationRequested();
        new Executor(this, tree, output, state, cancellationToken).Run(data);
    }

    /// <summary>A set with the same templates, functions and options; parsing into either leaves the other alone.</summary>
    public TemplateSet Clone() => new(Functions, Options, _templates);

    internal Tree? Lookup(string name) => _templates.GetValueOrDefault(name);
}
