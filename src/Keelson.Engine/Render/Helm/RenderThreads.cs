namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Threads with a big stack (deeply nested includes need one) that run renders one after another. Starting a thread
/// for every render cost as much as a tenth of a warm render; a thread here is reused for up to
/// <see cref="RendersPerThread"/> renders (so stack pages a deep render touched are given back soon after) and ends
/// when no render came for <see cref="IdleTimeout"/> (so an idle renderer holds no threads). Renders still run one
/// per thread: concurrent renders get threads of their own.
/// </summary>
internal sealed class RenderThreads(int stackBytes)
{
    public const int RendersPerThread = 64;

    /// <summary>Only decides when an idle thread ends; nothing a render produces depends on it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly Queue<Action> _work = new();
    private int _idle;

    /// <summary>Runs <paramref name="work"/> on a render thread; it must not throw.</summary>
    public void Start(Action work)
    {
        lock (_gate)
        {
            _work.Enqueue(work);
            if (_work.Count <= _idle)
            {
                // A waiting thread takes it.
                Monitor.Pulse(_gate);
                return;
            }
        }

        new Thread(Loop, stackBytes) { IsBackground = true, Name = "helm-render" }.Start();
    }

    private void Loop()
    {
        for (var done = 0; done < RendersPerThread; done++)
        {
            Action work;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_gate, IdleTimeout);
                    _idle--;
                    if (!woken && _work.Count == 0)
                    {
                        return;
                    }
                }

                work = _work.Dequeue();
            }

            work();
        }
    }
}
