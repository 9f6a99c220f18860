using System.Text;

namespace Keelson.Templating.Semver;

/// <summary>
/// A <see cref="SemverVersion"/> as templates see it: Masterminds' <c>*semver.Version</c> (what <c>semver</c> returns)
/// or a <c>semver.Version</c> value (what IncPatch and friends return), with Masterminds' methods.
/// </summary>
internal sealed class SemverValue(SemverVersion version, bool pointer) : IGoValue
{
    public static readonly GoType StructType = BuildType();

    public static readonly GoType PointerType = GoType.PointerTo(StructType);

    public SemverVersion Version { get; } = version;

    public GoType GoType => pointer ? PointerType : StructType;

    public override string ToString() => Version.ToString();

    private static GoType BuildType()
    {
        var b = new GoTypeBuilder("semver.Version");
        var value = b.Type;
        var ptr = b.PointerType;
        var none = Array.Empty<GoType>();
        static SemverVersion V(object o) => ((SemverValue)o).Version;
        static SemverValue Value(SemverVersion v) => new(v, pointer: false);
        static SemverVersion Arg(object? a) =>
            a is SemverValue s ? s.Version : throw new InvalidOperationException("runtime error: invalid memory address or nil pointer dereference");
        return b
            .Field("major", GoType.Uint64, o => V(o).Major)
            .Field("minor", GoType.Uint64, o => V(o).Minor)
            .Field("patch", GoType.Uint64, o => V(o).Patch)
            .Field("pre", GoType.String, o => V(o).Prerelease)
            .Field("metadata", GoType.String, o => V(o).Metadata)
            .Field("original", GoType.String, o => V(o).Original)
            .Method("String", new GoSignature(none, GoType.String), static (r, _, _) => V(r).ToString())
            .Method("Original", new GoSignature(none, GoType.String), static (r, _, _) => V(r).Original)
            .Method("Major", new GoSignature(none, GoType.Uint64), static (r, _, _) => V(r).Major)
            .Method("Minor", new GoSignature(none, GoType.Uint64), static (r, _, _) => V(r).Minor)
            .Method("Patch", new GoSignature(none, GoType.Uint64), static (r, _, _) => V(r).Patch)
            .Method("Prerelease", new GoSignature(none, GoType.String), static (r, _, _) => V(r).Prerelease)
            .Method("Metadata", new GoSignature(none, GoType.String), static (r, _, _) => V(r).Metadata)
            .Method("IncPatch", new GoSignature(none, value), static (r, _, _) => Value(V(r).IncPatch()))
            .Method("IncMinor", new GoSignature(none, value), static (r, _, _) => Value(V(r).IncMinor()))
            .Method("IncMajor", new GoSignature(none, value), static (r, _, _) => Value(V(r).IncMajor()))
            .Method("SetPrerelease", new GoSignature([GoType.String], value, ReturnsError: true), static (r, _, a) => Value(V(r).WithPrerelease((string)a[0]!)))
            .Method("SetMetadata", new GoSignature([GoType.String], value, ReturnsError: true), static (r, _, a) => Value(V(r).WithMetadata((string)a[0]!)))
            .Method("LessThan", new GoSignature([ptr], GoType.Bool), static (r, _, a) => V(r).CompareTo(Arg(a[0])) < 0, pointerReceiver: true)
            .Method("LessThanEqual", new GoSignature([ptr], GoType.Bool), static (r, _, a) => V(r).CompareTo(Arg(a[0])) <= 0, pointerReceiver: true)
            .Method("GreaterThan", new GoSignature([ptr], GoType.Bool), static (r, _, a) => V(r).CompareTo(Arg(a[0])) > 0, pointerReceiver: true)
            .Method("GreaterThanEqual", new GoSignature([ptr], GoType.Bool), static (r, _, a) => V(r).CompareTo(Arg(a[0])) >= 0, pointerReceiver: true)
            .Method("Equal", new GoSignature([ptr], GoType.Bool), static (r, _, a) => a[0] is SemverValue s && V(r).CompareTo(s.Version) == 0, pointerReceiver: true)
            .Method("Compare", new GoSignature([ptr], GoType.Int), static (r, _, a) => (nint)V(r).CompareTo(Arg(a[0])), pointerReceiver: true)
            .Method("MarshalJSON", new GoSignature(none, GoType.Bytes, ReturnsError: true), static (r, _, _) => Encoding.UTF8.GetBytes(GoJson.Marshal(V(r).ToString())))
            .Method("MarshalText", new GoSignature(none, GoType.Bytes, ReturnsError: true), static (r, _, _) => Encoding.UTF8.GetBytes(V(r).ToString()))
            .MarshalJson(static o => GoJson.Marshal(V(o).ToString()))
            .Build();
    }
}
