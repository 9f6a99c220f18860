using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.ApiServer;
using Keelson.Benchmarks.Common;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Config;

namespace Keelson.Benchmarks.GitOps;

/// <summary>
/// Issue #3's loop figures. The operator runs as its own process (<c>keelson run</c>) against the simulator, which
/// runs in this driver process so the API calls it serves can be counted by client. 200 Applications × 10 objects on
/// one local Git repository: time to all Synced, a steady-state periodic reconcile of all of them (writes and git
/// fetches counted), refresh-annotation-to-applied latency, operator RSS, and kubectl's server-side apply of the same
/// objects as the reference.
/// </summary>
internal sealed class GitOpsScenario
{
    private const string AppNamespace = "keelson";
    private const string TargetNamespace = "apps";
    private const string ReferenceNamespace = "reference";
    private const string DriverAgent = "bench-driver";
    private const string OperatorAgent = "keelson/";

    private static readonly ApiResource Applications = new("keelson.dev", "v1alpha1", "applications", "Application", true) { HasStatus = true };

    private readonly GitOpsOptions _options;

    public GitOpsScenario(GitOpsOptions options)
    {
        _options = options;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Report.Header("GitOps loop (issue #3)");
        var operatorDll = Path.GetFullPath(_options.OperatorDll ?? throw new ArgumentException("--operator-dll PATH (the built keelson.dll of src/Keelson.Operator) is required"));
        if (!File.Exists(operatorDll))
        {
            throw new ArgumentException($"{operatorDll} does not exist: build src/Keelson.Operator first");
        }

        var repoRoot = FindRepoRoot();
        var work = Directory.CreateTempSubdirectory("keelson-bench-gitops-");
        Process? op = null;
        try
        {
            await using var host = await ApiServerHost.StartAsync(new ApiServerOptions { ReadyDelay = TimeSpan.FromMilliseconds(500) }, cancellationToken);
            var kubeconfig = host.WriteKubeconfig(Path.Combine(work.FullName, "kubeconfig"));
            var kubectlEnv = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig };
            using var client = new KubeClient(KubeClientConfig.ForToken(host.Url, host.Token, host.CaCertificatePem), new KubeClientOptions { Qps = 0, UserAgent = DriverAgent });

            var repo = Path.Combine(work.FullName, "repo");
            await CreateRepoAsync(repo, cancellationToken);
            foreach (var ns in new[] { AppNamespace, TargetNamespace, ReferenceNamespace })
            {
                await client.ApplyAsync(ApiResource.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } }, new ApplyOptions { FieldManager = DriverAgent }, cancellationToken);
            }

            // The CRD goes in the way a user installs it.
            await Processes.CheckedAsync("kubectl", ["apply", "--server-side", "-f", Path.Combine(repoRoot, "crds", "application.yaml")], null, cancellationToken, kubectlEnv);
            await Processes.CheckedAsync("kubectl", ["wait", "--for=condition=Established", "--timeout=60s", "crd/applications.keelson.dev"], null, cancellationToken, kubectlEnv);
            for (var i = 0; i < _options.Apps; i++)
            {
                await client.CreateAsync(Applications, Application(i, repo), cancellationToken: cancellationToken);
            }

            Report.Note($"{_options.Apps} Applications x {_options.ObjectsPerApp} objects, one repository (file://), simulator at {host.Url} in the driver process");

            await using var apps = new LiveObjects(client, Applications, AppNamespace);
            await apps.StartAsync(cancellationToken);
            await using var configMaps = new LiveObjects(client, ApiResource.ConfigMaps, TargetNamespace);
            await configMaps.StartAsync(cancellationToken);

            // git runs through a logging wrapper so fetches can be counted from outside the operator.
            var gitLog = Path.Combine(work.FullName, "git-commands.log");
            var wrapperDir = WriteGitWrapper(work.FullName, gitLog);
            var metricsPort = FreePort();
            var operatorLog = Path.Combine(work.FullName, "operator.log");
            string[] operatorArgs =
            [
                operatorDll, "run", "--kubeconfig", kubeconfig, "--leader-elect", "false", "--allow-file-urls",
                "--metrics-address", $"127.0.0.1:{metricsPort}", "--reconcile-interval", "30s",
                "--concurrency", _options.Concurrency.ToString(CultureInfo.InvariantCulture),
                "--cache-dir", Path.Combine(work.FullName, "cache"),
                .. _options.KubeApiQps is { } qps
                    ? ["--kube-api-qps", qps.ToString(CultureInfo.InvariantCulture), "--kube-api-burst", (2 * qps).ToString(CultureInfo.InvariantCulture)]
                    : Array.Empty<string>(),
            ];
            Report.Note($"operator: dotnet keelson.dll {string.Join(' ', operatorArgs.Skip(1).Select(a => a.StartsWith(work.FullName, StringComparison.Ordinal) ? "<tmp>" + a[work.FullName.Length..] : a))}");
            var log = new RequestLog(host, OperatorAgent);
            host.Requests.Reset();
            var started = Stopwatch.GetTimestamp();
            op = StartOperator(operatorArgs, wrapperDir, gitLog, operatorLog);

            // 1. Start to all Synced (and all Healthy).
            var allSynced = apps.WaitAsync(all => all.Count == _options.Apps && all.Values.All(a => SyncStatus(a) == "Synced"), TimeSpan.FromMinutes(5), "all Applications Synced", cancellationToken);
            var exited = op.WaitForExitAsync(cancellationToken);
            if (await Task.WhenAny(allSynced, exited) == exited || !allSynced.IsCompletedSuccessfully)
            {
                throw Failure(allSynced.IsFaulted ? allSynced.Exception!.InnerException!.Message : $"the operator exited with {op.ExitCode}", operatorLog, apps);
            }
            var synced = Stopwatch.GetElapsedTime(started);
            Report.Figure($"start -> all {_options.Apps} Applications Synced", $"{Report.Fixed(synced.TotalSeconds, "0.0")} s", "<= 30 s");
            var rssSynced = await MemoryAsync(op.Id, metricsPort, cancellationToken);
            await apps.WaitAsync(all => all.Values.All(a => HealthStatus(a) == "Healthy"), TimeSpan.FromMinutes(3), "all Applications Healthy", cancellationToken);
            Report.Figure($"start -> all Healthy (simulated rollout delay 0.5 s)", $"{Report.Fixed(Stopwatch.GetElapsedTime(started).TotalSeconds, "0.0")} s");
            var objects = host.ObjectCount;
            Report.Figure("operator API requests during the initial sync", Requests(host, OperatorAgent));
            PrintLog(log);
            Report.Figure("operator RSS when all are Synced", rssSynced, "<= 150 MB");

            // 2. Steady state: once nothing moves, every Application is reconciled by the periodic timer with nothing changed.
            await SettleAsync(host, cancellationToken);
            host.Requests.Reset();
            log.Reset();
            var gitBefore = GitCommands(gitLog);
            var since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            var steadyStarted = Stopwatch.GetTimestamp();
            await WaitAllCheckedSinceAsync(http, since, TimeSpan.FromSeconds(120), cancellationToken);
            var steady = Stopwatch.GetElapsedTime(steadyStarted);
            var gitAfter = GitCommands(gitLog);
            var writes = host.Requests.Writes(userAgent: OperatorAgent);
            Report.Figure($"steady state: all {_options.Apps} reconciled by the periodic timer", $"within {Report.Fixed(steady.TotalSeconds, "0")} s of a 30 s interval");
            Report.Figure("  operator writes during it", writes.ToString(CultureInfo.InvariantCulture), "0");
            Report.Figure("  operator API requests during it", Requests(host, OperatorAgent));
            PrintLog(log);
            log.Stop();
            Report.Figure("  git commands during it", Describe(gitBefore, gitAfter), "no fetch");
            Report.Figure("operator RSS after the steady-state round", await MemoryAsync(op.Id, metricsPort, cancellationToken));

            // 3. keelson.dev/refresh -> applied, for a 10-object app whose ConfigMap changed in a new commit.
            await RefreshAsync(client, apps, configMaps, repo, cancellationToken);
            Report.Figure("operator RSS at the end", await MemoryAsync(op.Id, metricsPort, cancellationToken));

            await Processes.StopAsync(op, TimeSpan.FromSeconds(15));
            if (!_options.Reference)
            {
                return;
            }

            // 4. Reference: kubectl's server-side apply of the same objects (into another namespace).
            var reference = Path.Combine(work.FullName, "reference");
            Directory.CreateDirectory(reference);
            for (var i = 0; i < _options.Apps; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(reference, $"{AppName(i)}.yaml"), Manifests(i, 0), cancellationToken);
            }

            host.Requests.Reset();
            var kubectlStarted = Stopwatch.GetTimestamp();
            await Processes.CheckedAsync("kubectl", ["apply", "--server-side", "--field-manager=kubectl-reference", "-n", ReferenceNamespace, "-R", "-f", reference], null, cancellationToken, kubectlEnv);
            var kubectl = Stopwatch.GetElapsedTime(kubectlStarted);
            Report.Figure($"reference: kubectl apply --server-side -f of the same {_options.Apps * _options.ObjectsPerApp} objects", $"{Report.Fixed(kubectl.TotalSeconds, "0.0")} s ({Requests(host, "kubectl")})");
            Report.Note($"simulator held {objects} objects after the operator's sync; KEELSON_BENCH_KEEP=1 keeps the operator's log and the repository");
        }
        finally
        {
            if (op is not null)
            {
                await Processes.StopAsync(op, TimeSpan.FromSeconds(5));
                op.Dispose();
            }

            if (Environment.GetEnvironmentVariable("KEELSON_BENCH_KEEP") is null)
            {
                work.Delete(recursive: true);
            }
        }
    }

    private enum RefreshKind
    {
        /// <summary><c>keelson.dev/refresh: hard</c> right after the commit: bypasses the ls-remote and render caches.</summary>
        Hard,

        /// <summary>A new plain value once the commit is older than the 5 s ls-remote cache.</summary>
        PlainAfterCache,

        /// <summary>A new plain value right after the commit, as a user who just pushed would set it.</summary>
        PlainAtOnce,
    }

    private async Task RefreshAsync(KubeClient client, LiveObjects apps, LiveObjects configMaps, string repo, CancellationToken cancellationToken)
    {
        var version = 0;
        foreach (var (kind, samples, label) in new[]
        {
            (RefreshKind.Hard, _options.RefreshSamples, "refresh: hard, right after the commit"),
            (RefreshKind.PlainAfterCache, Math.Max(3, _options.RefreshSamples / 4), "refresh: <new value>, commit older than the 5 s ls-remote cache"),
            (RefreshKind.PlainAtOnce, 3, "refresh: <new value>, right after the commit"),
        })
        {
            var applied = new List<double>();
            var status = new List<double>();
            for (var s = 0; s < samples; s++)
            {
                version++;
                var index = version * 7 % _options.Apps;
                var name = AppName(index);
                var value = version.ToString(CultureInfo.InvariantCulture);
                await File.WriteAllTextAsync(Path.Combine(repo, "apps", name, "manifests.yaml"), Manifests(index, version), cancellationToken);
                await Git(repo, cancellationToken, "commit", "-q", "-am", $"{name}: version {version}");
                var sha = (await Git(repo, cancellationToken, "rev-parse", "HEAD")).Trim();
                if (kind == RefreshKind.PlainAfterCache)
                {
                    await Task.Delay(TimeSpan.FromSeconds(6), cancellationToken); // the scenario: a commit older than the cache
                }

                var configMap = $"{name}-config-0";
                var t0 = Stopwatch.GetTimestamp();
                var annotation = kind == RefreshKind.Hard ? "hard" : $"bench-{version}";
                var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["keelson.dev/refresh"] = annotation } } };
                await client.PatchAsync(Applications, AppNamespace, name, PatchType.Merge, patch, cancellationToken: cancellationToken);
                var objectAt = await configMaps.WaitAsync(
                    all => all.TryGetValue(configMap, out var cm) && Json.String(Json.Object(cm, "data"), "version") == value,
                    TimeSpan.FromSeconds(90), $"{configMap} to get version {value}", cancellationToken);
                var statusAt = await apps.WaitAsync(
                    all => all.TryGetValue(name, out var app) && SyncStatus(app) == "Synced" && Json.String(Json.Object(Json.Object(app, "status"), "sync"), "revision") == sha,
                    TimeSpan.FromSeconds(90), $"{name} Synced at {sha}", cancellationToken);
                applied.Add(Stats.Milliseconds(t0, objectAt));
                status.Add(Stats.Milliseconds(t0, statusAt));
            }

            var appliedStats = new Stats(applied);
            var statusStats = new Stats(status);
            Report.Figure(
                $"{label} -> changed object applied",
                $"p50 {Report.Fixed(appliedStats.Percentile(50), "0")} ms, p90 {Report.Fixed(appliedStats.Percentile(90), "0")} ms, max {Report.Fixed(appliedStats.Max, "0")} ms (n={appliedStats.Count})",
                kind == RefreshKind.PlainAtOnce ? "" : "p50 <= 500 ms");
            Report.Figure(
                "  ... -> status Synced at the new revision",
                $"p50 {Report.Fixed(statusStats.Percentile(50), "0")} ms, max {Report.Fixed(statusStats.Max, "0")} ms");
        }
    }

    private static async Task SettleAsync(ApiServerHost host, CancellationToken cancellationToken)
    {
        // Quiet means three seconds without a write from the operator; bounded at one minute.
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        var last = host.Requests.Writes(userAgent: OperatorAgent);
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            var now = host.Requests.Writes(userAgent: OperatorAgent);
            if (now != last)
            {
                last = now;
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) > TimeSpan.FromSeconds(3))
            {
                return;
            }
        }

        Report.Note("the operator never stopped writing for 3 s; steady-state figures below include those writes");
    }

    /// <summary>Polls /metrics until every Application's last-check timestamp is after <paramref name="since"/>.</summary>
    private async Task WaitAllCheckedSinceAsync(HttpClient http, double since, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        var checkedCount = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
            checkedCount = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("keelson_application_last_check_timestamp_seconds{", StringComparison.Ordinal) &&
                    double.TryParse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture, out var at) && at > since)
                {
                    checkedCount++;
                }
            }

            if (checkedCount >= _options.Apps)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        throw new TimeoutException($"only {checkedCount} of {_options.Apps} Applications were reconciled within {deadline.TotalSeconds:0}s");
    }

    private static string Requests(ApiServerHost host, string agent)
    {
        var counts = host.Requests.Snapshot().Where(c => c.UserAgent.StartsWith(agent, StringComparison.Ordinal)).ToList();
        var total = counts.Sum(c => c.Count);
        var byVerb = counts.GroupBy(c => c.Verb).OrderByDescending(g => g.Sum(c => c.Count))
            .Select(g => $"{g.Key} {g.Sum(c => c.Count)}");
        return $"{total} requests: {string.Join(", ", byVerb)}";
    }

    private static void PrintLog(RequestLog log)
    {
        foreach (var line in log.Lines())
        {
            Console.WriteLine($"    {line}");
        }
    }

    private static Dictionary<string, int> GitCommands(string log)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(log))
        {
            return counts;
        }

        foreach (var line in File.ReadLines(log))
        {
            // The first word that is not an option is git's subcommand.
            var command = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => !w.StartsWith('-') && !w.Contains('=', StringComparison.Ordinal)) ?? "?";
            counts[command] = counts.GetValueOrDefault(command) + 1;
        }

        return counts;
    }

    private static string Describe(Dictionary<string, int> before, Dictionary<string, int> after)
    {
        var diff = after.Select(p => (p.Key, Count: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Count > 0).OrderByDescending(p => p.Count).ToList();
        var fetches = diff.Where(p => p.Key == "fetch").Sum(p => p.Count);
        return diff.Count == 0 ? "none (fetch 0)" : $"fetch {fetches}; all: {string.Join(", ", diff.Select(p => $"{p.Key} {p.Count}"))}";
    }

    private const string OperatorEnvPrefix = "KEELSON_BENCH_OPERATOR_";

    /// <summary>
    /// RSS and how much of it is anonymous memory (heaps) rather than mapped files (code), from /proc; and the managed
    /// heap after the last collection, from the operator's /metrics.
    /// </summary>
    private static async Task<string> MemoryAsync(int pid, int metricsPort, CancellationToken cancellationToken)
    {
        double Kb(string field) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024).FirstOrDefault(double.NaN);
        var rss = $"{Report.Fixed(Kb("VmRSS"), "0")} MB (anonymous {Report.Fixed(Kb("RssAnon"), "0")} MB, files {Report.Fixed(Kb("RssFile"), "0")} MB";
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(10) };
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
            double Mb(string name) => metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture) / (1024 * 1024)).FirstOrDefault(double.NaN);
            return $"{rss}; managed heap {Report.Fixed(Mb("dotnet_gc_heap_size_bytes"), "0")} MB, GC committed {Report.Fixed(Mb("dotnet_gc_committed_bytes"), "0")} MB)";
        }
        catch (HttpRequestException)
        {
            return rss + ")";
        }
    }

    private static Process StartOperator(string[] args, string wrapperDir, string gitLog, string logPath)
    {
        var env = new Dictionary<string, string>
        {
            ["PATH"] = wrapperDir + ":" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
            ["KEELSON_BENCH_GIT_LOG"] = gitLog,
        };

        // The operator runs with the GC settings it ships with (its runtimeconfig); KEELSON_BENCH_OPERATOR_X=v passes
        // X=v to it alone (e.g. KEELSON_BENCH_OPERATOR_DOTNET_gcConcurrent=1) to measure another setting.
        foreach (var name in Environment.GetEnvironmentVariables().Keys.OfType<string>())
        {
            if (name.StartsWith(OperatorEnvPrefix, StringComparison.Ordinal) && name.Length > OperatorEnvPrefix.Length)
            {
                env[name[OperatorEnvPrefix.Length..]] = Environment.GetEnvironmentVariable(name) ?? "";
            }
        }

        var start = Processes.Info("dotnet", args, env);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the operator");
        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = true };
        var sync = new Lock();
        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (sync)
            {
                log.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) =>
        {
            lock (sync)
            {
                log.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
        return process;
    }

    private static InvalidOperationException Failure(string what, string operatorLog, LiveObjects apps)
    {
        var tail = File.Exists(operatorLog) ? string.Join('\n', File.ReadLines(operatorLog).TakeLast(20)) : "(no log)";
        var states = apps.Snapshot().Values.GroupBy(a => $"{SyncStatus(a)}/{HealthStatus(a)}").Select(g => $"{g.Key}: {g.Count()}");
        return new InvalidOperationException($"{what}\nApplications (sync/health): {string.Join(", ", states)}\nlast lines of the operator's log:\n{tail}");
    }

    private static string WriteGitWrapper(string dir, string log)
    {
        var wrapperDir = Path.Combine(dir, "bin");
        Directory.CreateDirectory(wrapperDir);
        var real = new[] { "/usr/bin/git", "/usr/local/bin/git", "/bin/git" }.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("git is not installed (apt-get install git)");
        var wrapper = Path.Combine(wrapperDir, "git");
        File.WriteAllText(wrapper, $"#!/bin/sh\n# Records each git command the operator runs, then runs git.\necho \"$*\" >> \"${{KEELSON_BENCH_GIT_LOG:-{log}}}\"\nexec {real} \"$@\"\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the GitOps benchmark runs on Linux");
        }

        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        return wrapperDir;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "crds", "application.yaml")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("crds/application.yaml not found above " + AppContext.BaseDirectory);
    }

    private async Task CreateRepoAsync(string repo, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(repo);
        await Git(repo, cancellationToken, "init", "-q", "-b", "main");
        await Git(repo, cancellationToken, "config", "user.email", "bench@keelson.dev");
        await Git(repo, cancellationToken, "config", "user.name", "Keelson bench");
        for (var i = 0; i < _options.Apps; i++)
        {
            var dir = Path.Combine(repo, "apps", AppName(i));
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "manifests.yaml"), Manifests(i, 0), cancellationToken);
        }

        await Git(repo, cancellationToken, "add", "-A");
        await Git(repo, cancellationToken, "commit", "-q", "-m", $"{_options.Apps} applications");
    }

    private static Task<string> Git(string repo, CancellationToken cancellationToken, params string[] args) =>
        Processes.CheckedAsync("git", args, repo, cancellationToken);

    private static string AppName(int i) => $"app-{i:D3}";

    private static JsonObject Application(int i, string repo) => new()
    {
        ["apiVersion"] = "keelson.dev/v1alpha1",
        ["kind"] = "Application",
        ["metadata"] = new JsonObject { ["name"] = AppName(i), ["namespace"] = AppNamespace },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["repoURL"] = "file://" + repo, ["targetRevision"] = "main", ["path"] = $"apps/{AppName(i)}" },
            ["destination"] = new JsonObject { ["namespace"] = TargetNamespace },
            ["syncPolicy"] = new JsonObject { ["automated"] = new JsonObject { ["prune"] = true, ["selfHeal"] = true } },
        },
    };

    private static string SyncStatus(JsonObject app) => Json.String(Json.Object(Json.Object(app, "status"), "sync"), "status") ?? "";

    private static string HealthStatus(JsonObject app) => Json.String(Json.Object(Json.Object(app, "status"), "health"), "status") ?? "";

    /// <summary>
    /// The objects of one app: a Deployment, Service, ServiceAccount, Secret, Role and RoleBinding, and ConfigMaps up
    /// to <see cref="GitOpsOptions.ObjectsPerApp"/>; <paramref name="version"/> goes into the first ConfigMap.
    /// </summary>
    private string Manifests(int i, int version)
    {
        var name = AppName(i);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{name}}
              labels: {app: {{name}}}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: {{name}}}
              template:
                metadata:
                  labels: {app: {{name}}}
                spec:
                  serviceAccountName: {{name}}
                  containers:
                    - name: web
                      image: nginx:1.27
                      ports: [{containerPort: 8080, name: http}]
                      envFrom:
                        - configMapRef: {name: {{name}}-config-0}
                      resources:
                        requests: {cpu: 10m, memory: 32Mi}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: {{name}}
            spec:
              selector: {app: {{name}}}
              ports: [{port: 80, targetPort: http}]
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: {{name}}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: {{name}}-credentials
            type: Opaque
            stringData:
              username: {{name}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: {{name}}
            rules:
              - apiGroups: [""]
                resources: [configmaps]
                verbs: [get, list, watch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: {{name}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{name}}}
            subjects: [{kind: ServiceAccount, name: {{name}}}]

            """);
        for (var c = 0; c < Math.Max(1, _options.ObjectsPerApp - 6); c++)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{name}}-config-{{c}}
                data:
                  version: "{{(c == 0 ? version : 0)}}"
                  settings.yaml: |
                    app: {{name}}
                    index: {{c}}
                    features: [search, export]

                """);
        }

        return text.ToString();
    }
}
