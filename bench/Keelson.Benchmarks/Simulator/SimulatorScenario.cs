using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Benchmarks.Common;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;

namespace Keelson.Benchmarks.Simulator;

internal sealed record SimulatorOptions
{
    /// <summary>A running simulator (e.g. the standalone exe in its own process); null starts one in this process.</summary>
    public string? Kubeconfig { get; init; }

    public int Objects { get; init; } = 10_000;

    /// <summary>Applies in flight at once, like a controller with several workers.</summary>
    public int Concurrency { get; init; } = 16;

    public int Lists { get; init; } = 10;

    public int Watches { get; init; } = 200;

    /// <summary>Writes observed by every watch.</summary>
    public int Probes { get; init; } = 300;

    /// <summary>Pace of the probe writes: one every this many milliseconds.</summary>
    public int ProbeIntervalMs { get; init; } = 20;

    /// <summary>Untimed writes before the probes, so both processes have compiled the watch path.</summary>
    public int WarmupProbes { get; init; } = 150;

    /// <summary>False forces HTTP/1.1 (one connection per watch), to compare with the client's default.</summary>
    public bool Http2 { get; init; } = true;
}

/// <summary>
/// Issue #2's simulator figures, measured through <see cref="KubeClient"/> over HTTPS as a user would: server-side
/// apply throughput with 10,000 stored objects, a list of 10,000 objects, and write-to-delivery latency with 200
/// watches open.
/// </summary>
internal sealed class SimulatorScenario
{
    private const string Namespace = "bench";
    private const string Manager = "keelson-bench";

    private readonly SimulatorOptions _options;

    public SimulatorScenario(SimulatorOptions options)
    {
        _options = options;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Report.Header("Simulator (issue #2)");
        ApiServerHost? host = null;
        KubeClientConfig config;
        if (_options.Kubeconfig is { } path)
        {
            config = KubeClientConfig.FromKubeConfig(path);
            Report.Note($"simulator in its own process at {config.Server}, watches over HTTP/{(_options.Http2 ? "2" : "1.1")}");
        }
        else
        {
            host = await ApiServerHost.StartAsync(new ApiServerOptions { EnableControllers = false }, cancellationToken);
            config = KubeClientConfig.ForToken(host.Url, host.Token, host.CaCertificatePem);
            Report.Note($"simulator in this process at {host.Url}");
        }

        try
        {
            // The client's own rate limit (50 QPS by default) would measure the limiter, not the server.
            using var client = new KubeClient(config, new KubeClientOptions { Qps = 0, UserAgent = "keelson-bench", Http2 = _options.Http2 });
            await client.ApplyAsync(
                ApiResource.Namespaces,
                new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } },
                new ApplyOptions { FieldManager = Manager },
                cancellationToken);

            await ApplyAsync(client, "create", generation: 0, cancellationToken);
            await ApplyAsync(client, "update", generation: 1, cancellationToken);
            await ApplyAsync(client, "no-op (unchanged)", generation: 1, cancellationToken);
            await ListAsync(client, cancellationToken);
            await WatchAsync(config, client, cancellationToken);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static JsonObject ConfigMap(int index, int generation) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"cm-{index:D5}",
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "bench", ["shard"] = (index % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        ["data"] = new JsonObject
        {
            ["generation"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["config.yaml"] = $"server:\n  port: {8000 + (index % 1000)}\n  replicas: 3\nfeatures: [a, b, c]\n",
        },
    };

    /// <summary>Applies every object once with <see cref="SimulatorOptions.Concurrency"/> requests in flight.</summary>
    private async Task ApplyAsync(KubeClient client, string phase, int generation, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, _options.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < _options.Objects)
            {
                var t0 = Stopwatch.GetTimestamp();
                await client.ApplyAsync(ApiResource.ConfigMaps, ConfigMap(i, generation), new ApplyOptions { FieldManager = Manager }, cancellationToken);
                latencies.Add(Stats.Milliseconds(t0, Stopwatch.GetTimestamp()));
            }
        });
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var stats = new Stats(latencies);
        Report.Figure(
            $"SSA apply, {phase}, {_options.Objects} objects, {_options.Concurrency} in flight",
            $"{Report.Fixed(_options.Objects / seconds, "0")} applies/s",
            phase == "update" ? ">= 1,000/s" : "");
        Report.Figure("  per-apply latency", stats.Summary());
    }

    private async Task ListAsync(KubeClient client, CancellationToken cancellationToken)
    {
        var whole = new List<double>();
        var paged = new List<double>();
        var count = 0;
        for (var i = 0; i < _options.Lists + 1; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var list = await client.ListAsync(ApiResource.ConfigMaps, Namespace, cancellationToken: cancellationToken);
            var ms = Stats.Milliseconds(t0, Stopwatch.GetTimestamp());
            count = list.Items.Count;

            t0 = Stopwatch.GetTimestamp();
            var pagedCount = 0;
            await foreach (var _ in client.ListAllAsync(ApiResource.ConfigMaps, Namespace, new ListOptions { Limit = 500 }, cancellationToken))
            {
                pagedCount++;
            }

            var pagedMs = Stats.Milliseconds(t0, Stopwatch.GetTimestamp());
            if (pagedCount != count)
            {
                throw new InvalidOperationException($"paged list returned {pagedCount} objects, the whole list {count}");
            }

            // The first round warms connections and the JIT.
            if (i > 0)
            {
                whole.Add(ms);
                paged.Add(pagedMs);
            }
        }

        var wholeStats = new Stats(whole);
        Report.Figure($"list {count} objects, one request", $"p50 {Report.Fixed(wholeStats.Percentile(50))} ms, max {Report.Fixed(wholeStats.Max)} ms", "<= 200 ms");
        var pagedStats = new Stats(paged);
        Report.Figure($"list {count} objects, pages of 500", $"p50 {Report.Fixed(pagedStats.Percentile(50))} ms, max {Report.Fixed(pagedStats.Max)} ms");
    }

    /// <summary>
    /// Opens the watches (all on the namespace holding the 10,000 objects, so every write fans out to each of them),
    /// then writes probe objects at a steady pace; latency runs from just before the write is sent to the moment a
    /// watch yields the event. Untimed warm-up writes at the same pace come first: without them the figure measured
    /// the JIT compiling the watch path in both processes (tiered compilation keeps the first few seconds of a code
    /// path unoptimised), not the steady state a long-running controller sees.
    /// </summary>
    private async Task WatchAsync(KubeClientConfig config, KubeClient writer, CancellationToken cancellationToken)
    {
        // Watches on their own client, as an informer-heavy controller would hold them; writes on another.
        using var watcher = new KubeClient(config, new KubeClientOptions { Qps = 0, UserAgent = "keelson-bench-watch", Http2 = _options.Http2 });
        var start = await writer.ListAsync(ApiResource.ConfigMaps, Namespace, new ListOptions { Limit = 1 }, cancellationToken);
        var probes = _options.Probes;
        var warmups = _options.WarmupProbes;
        var sent = new long[probes];
        var latencies = new ConcurrentBag<double>();
        var delivered = new int[_options.Watches];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connected = new Countdown(_options.Watches);
        var warmed = new Countdown(_options.Watches);
        var watches = Enumerable.Range(0, _options.Watches).Select(w => Task.Run(
            async () =>
            {
                var options = new WatchOptions { ResourceVersion = start.ResourceVersion };
                try
                {
                    await foreach (var e in watcher.WatchAsync(ApiResource.ConfigMaps, Namespace, options, stop.Token))
                    {
                        var now = Stopwatch.GetTimestamp();
                        var seq = Json.String(Json.Object(e.Object, "data"), "seq");
                        if (seq is null ||
                            e.Type is not (WatchEventType.Added or WatchEventType.Modified) ||
                            !int.TryParse(seq, System.Globalization.CultureInfo.InvariantCulture, out var i) ||
                            i >= probes)
                        {
                            continue;
                        }

                        // Negative sequence numbers are the untimed writes: -1 once all are connected, then warm-ups.
                        if (i == -1)
                        {
                            connected.Signal();
                        }
                        else if (i == -1 - warmups)
                        {
                            warmed.Signal();
                        }
                        else if (i >= 0)
                        {
                            latencies.Add(Stats.Milliseconds(Volatile.Read(ref sent[i]), now));
                            if (Interlocked.Increment(ref delivered[w]) == probes)
                            {
                                return;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            },
            cancellationToken)).ToList();

        // Every watch has delivered the first write: all of them are connected and streaming.
        await writer.ApplyAsync(ApiResource.ConfigMaps, Probe(-1), new ApplyOptions { FieldManager = Manager }, cancellationToken);
        await connected.Done.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.ProbeIntervalMs));
        for (var k = 1; k <= warmups; k++)
        {
            await tick.WaitForNextTickAsync(cancellationToken);
            await writer.ApplyAsync(ApiResource.ConfigMaps, Probe(-1 - k), new ApplyOptions { FieldManager = Manager }, cancellationToken);
        }

        if (warmups > 0)
        {
            await warmed.Done.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }

        var cpu = Environment.CpuUsage.TotalTime;
        for (var i = 0; i < probes; i++)
        {
            await tick.WaitForNextTickAsync(cancellationToken);
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await writer.ApplyAsync(ApiResource.ConfigMaps, Probe(i), new ApplyOptions { FieldManager = Manager }, cancellationToken);
        }

        var all = Task.WhenAll(watches);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
        cpu = Environment.CpuUsage.TotalTime - cpu;
        await stop.CancelAsync();
        await all;
        var stats = new Stats(latencies);
        var expected = (long)probes * _options.Watches;
        Report.Figure(
            $"watch write->delivery, {_options.Watches} watches, {probes} writes at {1000 / _options.ProbeIntervalMs}/s",
            $"p50 {Report.Fixed(stats.Percentile(50), "0.00")} ms, p99 {Report.Fixed(stats.Percentile(99), "0.00")} ms, max {Report.Fixed(stats.Max, "0.00")} ms",
            "p99 <= 20 ms");
        Report.Figure("  deliveries", $"{stats.Count} of {expected}, after {warmups} untimed warm-up writes");

        // CPU time does not depend on what else the machine runs as much as latency does: compare it across changes.
        Report.Figure("  client CPU per delivery (watching + writing)", $"{Report.Fixed(cpu.TotalMicroseconds / Math.Max(1, stats.Count), "0")} us");
        if (stats.Count != expected)
        {
            throw new InvalidOperationException($"watches delivered {stats.Count} events of {expected} expected");
        }
    }

    /// <summary>Completes once every watch has signalled.</summary>
    private sealed class Countdown(int count)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _left = count;

        public Task Done => _done.Task;

        public void Signal()
        {
            if (Interlocked.Decrement(ref _left) == 0)
            {
                _done.TrySetResult();
            }
        }
    }

    private static JsonObject Probe(int seq) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = "probe",
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "probe" },
        },
        ["data"] = new JsonObject { ["seq"] = seq.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };
}
