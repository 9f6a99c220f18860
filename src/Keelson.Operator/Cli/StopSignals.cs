using System.Runtime.InteropServices;

namespace Keelson.Operator.Cli;

/// <summary>
/// Ctrl-C and SIGTERM (a pod being stopped) cancel a long-running verb, which then shuts down in order: the workers
/// finish their current Application, the lease is released, the embedded cluster stops.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // Keep the process alive until the verb has shut down.
        context.Cancel = true;
        _stop.Cancel();
    }
}
