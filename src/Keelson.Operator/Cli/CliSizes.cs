using Keelson.Engine.Diff;

namespace Keelson.Operator.Cli;

/// <summary>Sizes on the command line are written as a pod's resources are (<c>2Gi</c>, <c>500M</c>), whole bytes.</summary>
internal static class CliSizes
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (!Quantity.TryParse(text, out var value) || value < 1 || value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)decimal.Floor(value);
        return true;
    }
}
