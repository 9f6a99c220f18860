using Keelson.Templating.Dates;
using Keelson.Templating.Semver;

namespace Keelson.Templating;

public static partial class Sprig
{
    static partial void AddSystemFunctions(List<GoFunction> functions, SprigOptions options)
    {
        functions.AddRange(new DateFunctions(options.Time).All());
        functions.AddRange(SemverFunctions());
    }

    private static IEnumerable<GoFunction> SemverFunctions()
    {
        yield return new GoFunction("semver", new GoSignature([GoType.String], SemverValue.PointerType, ReturnsError: true),
            static (_, a) => new SemverValue(SemverVersion.Parse((string)a[0]!), pointer: true));
        yield return new GoFunction("semverCompare", new GoSignature([GoType.String, GoType.String], GoType.Bool, ReturnsError: true),
            static (_, a) => SemverConstraint.Parse((string)a[0]!).IsSatisfiedBy(SemverVersion.Parse((string)a[1]!)));
    }
}
