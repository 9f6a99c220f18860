namespace Keelson.Benchmarks.GitOps;

internal sealed record GitOpsOptions
{
    /// <summary>The built operator (keelson.dll), started with <c>dotnet</c> as its own process.</summary>
    public string? OperatorDll { get; init; }

    /// <summary>Unused: the simulator runs in the driver process, which counts the API calls it serves.</summary>
    public string? SimulatorDll { get; init; }

    public int Apps { get; init; } = 200;

    public int ObjectsPerApp { get; init; } = 10;

    public int RefreshSamples { get; init; } = 20;

    /// <summary>The operator's --concurrency (Applications reconciled at once).</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>The operator's client-side API request limit (its burst is twice this); null keeps the operator's default.</summary>
    public int? KubeApiQps { get; init; }

    /// <summary>Also time kubectl's server-side apply of the same objects (the reference figure).</summary>
    public bool Reference { get; init; } = true;
}
