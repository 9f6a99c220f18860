#!/usr/bin/env bash
# Runs Keelson's benchmarks on demand (they are not part of CI) and prints the figures.
#
#   bench/run.sh [all|sim|helm|gitops] [options for that scenario]
#
# sim     issue #2: the API server simulator, standalone in its own process, driven by KubeClient over HTTPS
# helm    issue #4: chart rendering (BenchmarkDotNet, short in-process job) against the Go reference, and memory
# gitops  issue #3: the operator (`keelson run`, its own process) with 200 Applications x 10 objects
#
# Needs the .NET SDK, git and kubectl; Go 1.19 with Debian's Sprig for the Go reference
# (apt-get install golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-all}
[ $# -gt 0 ] && shift
case "$scenario" in all|sim|helm|gitops) ;; *) echo "usage: bench/run.sh [all|sim|helm|gitops] [options]" >&2; exit 2 ;; esac

work=$(mktemp -d -t keelson-bench-XXXXXX)
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "# Keelson benchmarks"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit:  $(git -C "$root" rev-parse --short HEAD) ($(git -C "$root" rev-parse --abbrev-ref HEAD))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo ".NET:    $(dotnet --version)"
echo "command: bench/run.sh $scenario $*"

echo "building (Release)..." >&2
dotnet build -c Release -v q -nologo "$root/bench/Keelson.Benchmarks" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bench="$root/bench/Keelson.Benchmarks/bin/Release/net10.0/Keelson.Benchmarks.dll"
simulator="$root/src/Keelson.ApiServer/bin/Release/net10.0/Keelson.ApiServer.dll"
operator="$root/src/Keelson.Operator/bin/Release/net10.0/keelson.dll"

run_sim() {
    # The simulator in its own process, as a cluster would be; the benchmark talks to it through the kubeconfig.
    dotnet "$simulator" --kubeconfig "$work/sim-kubeconfig" --no-controllers >"$work/simulator.log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 1 600); do
        grep -q "Serving" "$work/simulator.log" 2>/dev/null && break
        kill -0 "$sim_pid" 2>/dev/null || { cat "$work/simulator.log" >&2; exit 1; }
        sleep 0.1
    done
    dotnet "$bench" sim --kubeconfig "$work/sim-kubeconfig" "$@"
    kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
}

run_helm() {
    local goref=()
    if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/Masterminds/sprig ]; then
        (cd "$root/tools/helm-bench-ref" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$work/helm-bench-ref" .)
        echo "Go:      $(go version | cut -d' ' -f3), Sprig 3.2.3 (Debian)"
        goref=(--go-ref "$work/helm-bench-ref")
    else
        echo "Go reference skipped: install golang-go and golang-github-masterminds-sprig-dev" >&2
    fi
    # BenchmarkDotNet writes its artifacts under the working directory.
    (cd "$work" && dotnet "$bench" helm "${goref[@]}" "$@")
}

run_gitops() {
    dotnet "$bench" gitops --operator-dll "$operator" "$@"
}

case "$scenario" in
    sim) run_sim "$@" ;;
    helm) run_helm "$@" ;;
    gitops) run_gitops "$@" ;;
    all) run_sim; run_helm; run_gitops ;;
esac
