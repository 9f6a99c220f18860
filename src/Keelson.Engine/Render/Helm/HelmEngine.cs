using System.Text;
using System.Text.RegularExpressions;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helm's template engine (pkg/engine): every template of the chart and its subcharts in one template set (named
/// "gotpl"), parsed deepest path first so a parent's define wins, each executed with its chart's scoped values;
/// partials are parsed but not executed; "&lt;no value&gt;" is removed from the output. Adds <c>include</c> (at
/// most 1000 nested calls of one name) and <c>tpl</c>.
/// </summary>
internal sealed partial class HelmEngine(HelmVersion version, RenderLimits limits, RenderCache? cache = null)
{
    public const string RootName = "gotpl";
    public const int IncludeRecursionLimit = 1000;

    private static readonly TemplateOptions SetOptions = new() { MissingKey = MissingKeyMode.Zero, RootName = RootName };
    private static readonly Lazy<FunctionMap> V3Functions = new(() => CreateFunctions(HelmVersion.V3));
    private static readonly Lazy<FunctionMap> V4Functions = new(() => CreateFunctions(HelmVersion.V4));

    private readonly HelmTypes _types = HelmTypes.For(version);

    private sealed record Renderable(byte[] Text, HelmValues Values, string BasePath);

    /// <summary>
    /// What include needs to know of the render it runs in. The function map is shared by every render (so parsed
    /// templates can be), so this travels as the execution's state instead of in a closure.
    /// </summary>
    private sealed class RenderState(long maxOutputBytes)
    {
        public long MaxOutputBytes { get; } = maxOutputBytes;

        /// <summary>How deep each template name is nested in include calls right now.</summary>
        public Dictionary<string, int> Included { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Helm's full function map (include and tpl too), the same for every render of a Helm version.</summary>
    internal static FunctionMap Functions(HelmVersion version) => version == HelmVersion.V4 ? V4Functions.Value : V3Functions.Value;

    private static FunctionMap CreateFunctions(HelmVersion version) => HelmFunctions.For(version).With(Include(), Tpl());

    /// <summary>
    /// Renders every template but the partials (_*), or every one with <paramref name="partialsToo"/> (render
    /// --template of a _helpers.tpl); returns template path (chart/templates/x.yaml) → output.
    /// </summary>
    public Dictionary<string, string> Render(Chart chart, HelmValues top, CancellationToken cancellationToken, bool partialsToo = false)
    {
        var templates = new Dictionary<string, Renderable>(StringComparer.Ordinal);
        AllTemplates(chart, top, templates);
        return RenderTemplates(templates, partialsToo, cancellationToken);
    }

    private HelmValues AllTemplates(Chart c, HelmValues vals, Dictionary<string, Renderable> templates)
    {
        var subcharts = new Dictionary<string, object?>(StringComparer.Ordinal);
        var next = new HelmValues(_types.Values)
        {
            ["Chart"] = new ChartObject(c.Metadata, c.IsRoot, _types.Chart),
            ["Files"] = new HelmFiles(c.Files, _types),
            ["Release"] = vals.GetValueOrDefault("Release"),
            ["Capabilities"] = vals.GetValueOrDefault("Capabilities"),
            ["Values"] = new HelmValues(_types.Values),
            ["Subcharts"] = subcharts,
        };

        if (c.IsRoot)
        {
            next["Values"] = vals.GetValueOrDefault("Values");
        }
        else if (ValueTree.Table(vals, "Values." + c.Name) is { } scoped)
        {
            next["Values"] = new HelmValues(scoped, _types.Values);
        }

        foreach (var child in c.Dependencies)
        {
            subcharts[child.Name] = AllTemplates(child, next, templates);
        }

        var parent = c.FullPath;
        foreach (var t in c.Templates)
        {
            // A library chart contributes only its partials (its defines).
            if (c.Metadata.IsLibrary && !BaseName(t.Name).StartsWith('_'))
            {
                continue;
            }

            templates[parent + "/" + t.Name] = new Renderable(t.Data, next, parent + "/templates");
        }

        return next;
    }

    private Dictionary<string, string> RenderTemplates(Dictionary<string, Renderable> templates, bool partialsToo, CancellationToken cancellationToken)
    {
        var keys = SortTemplates(templates.Keys);
        var sources = keys.Select(k => (k, templates[k].Text)).ToList();
        var set = cache is null ? Parse(sources, cancellationToken) : cache.Templates(version, sources, () => Parse(sources, cancellationToken));
        var state = new RenderState(limits.MaxOutputBytes);

        var output = new LimitedWriter(limits.MaxOutputBytes);
        var rendered = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in keys)
        {
            if (!partialsToo && BaseName(name).StartsWith('_'))
            {
                continue;
            }

            var r = templates[name];
            r.Values["Template"] = new HelmValues(new Dictionary<string, object?> { ["Name"] = name, ["BasePath"] = r.BasePath }, _types.Values);
            var sb = new StringBuilder();
            output.Target = sb;
            try
            {
                set.Execute(name, r.Values, output, state, cancellationToken);
            }
            catch (TemplateException e)
            {
                throw ExecError(name, e);
            }

            rendered[name] = sb.Replace("<no value>", "").ToString();
        }

        return rendered;
    }

    /// <summary>Parses every template into one set, in the given order (a later define of a name wins).</summary>
    private TemplateSet Parse(IReadOnlyList<(string Name, byte[] Text)> sources, CancellationToken cancellationToken)
    {
        var set = new TemplateSet(Functions(version), SetOptions);
        foreach (var (name, text) in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                set.Parse(name, Encoding.UTF8.GetString(text));
            }
            catch (TemplateException e)
            {
                throw ParseError(name, e);
            }
        }

        return set;
    }

    /// <summary>
    /// Executes one template text with Helm's full function map (include and tpl too) and Go's default missingkey,
    /// as Helm's function tests do.
    /// </summary>
    internal static string ExecuteStandalone(string text, object? data, HelmVersion version)
    {
        var set = new TemplateSet(Functions(version), new TemplateOptions { RootName = RootName });
        set.Parse("test", text);
        var output = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        set.Execute("test", data, output, new RenderState(new RenderLimits().MaxOutputBytes));
        return output.ToString();
    }

    /// <summary>Deepest paths first; at equal depth, reverse lexical order (so the top chart's defines are parsed last and win).</summary>
    internal static List<string> SortTemplates(IEnumerable<string> names) =>
        names.OrderByDescending(n => n.Count(c => c == '/')).ThenByDescending(n => n, StringComparer.Ordinal).ToList();

    private static GoFunction Include() =>
        new("include", new GoSignature([GoType.String, GoType.Interface], GoType.String, ReturnsError: true), static (ctx, a) =>
        {
            var name = (string)a[0]!;
            var state = ctx.State as RenderState ?? throw new InvalidOperationException("include runs only inside a Helm render");
            var included = state.Included;
            included.TryGetValue(name, out var n);
            if (n > IncludeRecursionLimit)
            {
                throw new InvalidOperationException($"rendering template has a nested reference name: {name}: unable to execute template");
            }

            included[name] = n + 1;
            try
            {
                var result = ctx.ExecuteTemplate(name, a[1]);
                if (result.Length > state.MaxOutputBytes)
                {
                    throw new InvalidOperationException($"the output of template {name} is larger than {state.MaxOutputBytes} bytes");
                }

                return result;
            }
            finally
            {
                included[name]--;
            }
        });

    private static GoFunction Tpl() =>
        new("tpl", new GoSignature([GoType.String, GoType.Interface], GoType.String, ReturnsError: true), static (ctx, a) =>
        {
            var text = (string)a[0]!;
            if (!text.Contains("{{", StringComparison.Ordinal))
            {
                // Nothing to execute: Go would return the text unchanged.
                return text.Replace("<no value>", "", StringComparison.Ordinal);
            }

            var clone = ctx.Templates.Clone();
            try
            {
                clone.Parse(RootName, text);
            }
            catch (TemplateException e)
            {
                throw new InvalidOperationException($"cannot parse template {GoFmt.Sprintf("%q", text)}: {e.Message}", e);
            }

            string result;
            try
            {
                result = ctx.ExecuteTemplate(clone, RootName, a[1]);
            }
            catch (TemplateException e)
            {
                throw new InvalidOperationException($"error during tpl function execution for {GoFmt.Sprintf("%q", text)}: {e.Message}", e);
            }

            return result.Replace("<no value>", "", StringComparison.Ordinal);
        });

    private static HelmException ParseError(string file, TemplateException e)
    {
        var tokens = e.Message.Split(": ");
        if (tokens.Length == 1)
        {
            return new HelmException($"parse error in ({file}): {e.Message}", file, e.Line, e.Column, e);
        }

        return new HelmException($"parse error at ({tokens[1]}): {tokens[^1]}", file, e.Line, e.Column, e);
    }

    private HelmException ExecError(string file, TemplateException e)
    {
        var message = CollapseRepeats(e.Message);
        var isExec = message.Contains(": executing \"", StringComparison.Ordinal);
        if (!isExec)
        {
            return new HelmException(message.Replace(HelmFunctions.ErrStart, "", StringComparison.Ordinal).Replace(HelmFunctions.ErrEnd, "", StringComparison.Ordinal), file, e.Line, e.Column, e);
        }

        var tokens = message.Split(": ", 3);
        if (tokens.Length != 3)
        {
            return new HelmException($"execution error in ({file}): {message}", file, e.Line, e.Column, e);
        }

        var location = tokens[1];
        var warn = WarnPattern().Match(tokens[2]);
        if (warn.Success)
        {
            return new HelmException($"execution error at ({location}): {warn.Groups[1].Value}", file, e.Line, e.Column, e);
        }

        return new HelmException(version == HelmVersion.V4 ? Traceable(message) : message, file, e.Line, e.Column, e);
    }

    /// <summary>
    /// A runaway recursion nests the same "error calling include: template: ..." frame hundreds of times; Helm
    /// prints them all. Repeated frames are shown once with a count.
    /// </summary>
    internal static string CollapseRepeats(string message)
    {
        const string Separator = ": error calling ";
        var parts = message.Split(Separator);
        if (parts.Length < 8)
        {
            return message;
        }

        var sb = new StringBuilder(parts[0]);
        for (var i = 1; i < parts.Length; i++)
        {
            var run = 1;
            while (i + run < parts.Length - 1 && parts[i + run] == parts[i])
            {
                run++;
            }

            sb.Append(Separator).Append(parts[i]);
            if (run > 1)
            {
                sb.Append($" [the frame above repeats {run - 1} more times]");
                i += run - 1;
            }
        }

        return sb.ToString();
    }

    /// <summary>Helm 4's multi-line form of a template execution error: location, what executed, and the cause.</summary>
    internal static string Traceable(string message)
    {
        var frames = new List<(string Location, string Executing, string Message)>();
        var current = message;
        for (var i = 0; i < 100 && current.Length > 0; i++)
        {
            var m = ExecFrame().Match(current);
            if (!m.Success)
            {
                if (frames.Count == 0)
                {
                    return message;
                }

                frames.Add(("", "", current));
                break;
            }

            var rest = m.Groups["rest"].Value;
            var nested = rest.IndexOf(" template: ", StringComparison.Ordinal);
            var own = nested < 0 ? rest : rest[..nested];
            frames.Add((m.Groups["loc"].Value, "executing " + m.Groups["fn"].Value + " at " + m.Groups["at"].Value + ":", own));
            current = nested < 0 ? "" : rest[(nested + 1)..];
        }

        for (var i = 0; i < frames.Count - 1; i++)
        {
            // The outer frames only say that a call failed ("error calling include:"); the innermost one says why.
            if (frames[i].Message.StartsWith("error calling ", StringComparison.Ordinal))
            {
                frames[i] = frames[i] with { Message = "" };
            }
        }

        var sb = new StringBuilder();
        foreach (var (location, executing, msg) in frames)
        {
            if (location.Length > 0)
            {
                sb.Append(location).Append("\n  ");
            }

            if (executing.Length > 0)
            {
                sb.Append(executing).Append("\n    ");
            }

            if (msg.Length > 0)
            {
                sb.Append(msg).Append('\n');
            }
        }

        return sb.ToString().Trim();
    }

    [GeneratedRegex(HelmFunctions.ErrStart + "((?s).*)" + HelmFunctions.ErrEnd)]
    private static partial Regex WarnPattern();

    [GeneratedRegex("^template: (?<loc>.+?): executing (?<fn>\".*?\") at (?<at><.*?>): (?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex ExecFrame();

    private static string BaseName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>A writer that refuses to grow the render's output past a limit.</summary>
    private sealed class LimitedWriter(long max) : TextWriter
    {
        private long _written;

        public StringBuilder Target { get; set; } = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            Count(1);
            Target.Append(value);
        }

        public override void Write(string? value)
        {
            if (value is null)
            {
                return;
            }

            Count(value.Length);
            Target.Append(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Count(count);
            Target.Append(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Count(buffer.Length);
            Target.Append(buffer);
        }

        private void Count(long n)
        {
            _written += n;
            if (_written > max)
            {
                throw new HelmException($"the chart's rendered output is larger than the limit of {max} bytes");
            }
        }
    }
}

/// <summary>Bounds on a render: time, output size.</summary>
public sealed record RenderLimits
{
    /// <summary>Longest a render may take (parsing and executing all templates).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most characters all templates together may output.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;
}
