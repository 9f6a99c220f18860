using System.Diagnostics;

namespace Keelson.Testing;

/// <summary>
/// Waiting on a condition with a deadline: the only way tests synchronise with background work.
/// Polls quickly (the condition is cheap and local) and fails with the caller's description and the last observation.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> WaitAsync<T>(
        Func<CancellationToken, Task<T>> probe,
        Func<T, bool> done,
        string what,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        T last = default!;
        Exception? lastError = null;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                last = await probe(cancellationToken).ConfigureAwait(false);
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastError = ex;
            }

            if (clock.Elapsed > limit)
            {
                var observed = lastError is not null ? $"last error: {lastError.GetType().Name}: {lastError.Message}" : $"last value: {Describe(last)}";
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; {observed}", lastError);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    public static Task<bool> WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitAsync(_ => Task.FromResult(condition()), ok => ok, what, timeout, cancellationToken);

    public static Task<bool> WaitAsync(Func<CancellationToken, Task<bool>> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitAsync(condition, ok => ok, what, timeout, cancellationToken);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Text.Json.Nodes.JsonNode node => node.ToJsonString(),
        _ => value.ToString() ?? "",
    };
}
