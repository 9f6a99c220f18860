using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Support;

/// <summary><see cref="Eventually"/> bound to the running test's cancellation token.</summary>
public static class Until
{
    public static Task<T> WaitAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(probe, done, what, timeout, TestContext.Current.CancellationToken);

    public static Task<bool> WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(condition, what, timeout, TestContext.Current.CancellationToken);

    public static Task<bool> WaitAsync(Func<CancellationToken, Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(condition, what, timeout, TestContext.Current.CancellationToken);
}
