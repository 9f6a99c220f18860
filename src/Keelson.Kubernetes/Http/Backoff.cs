namespace Keelson.Kubernetes.Http;

/// <summary>Exponential backoff with jitter: attempt 0 waits about <c>initial</c>, doubling up to <c>max</c>.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var exp = Math.Min(attempt, 30);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exp), max.TotalMilliseconds);
        // Between half and all of the ceiling, so clients that failed together do not retry together.
        var ms = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(ms);
    }
}
