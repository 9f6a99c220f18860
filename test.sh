#!/usr/bin/env bash
# Runs every test of every project, then prints the totals as "N passed, N failed".
# Installs the programs the tests need first (see scripts/test-deps.sh).
set -uo pipefail
cd "$(dirname "$0")"

if ! bash scripts/test-deps.sh; then
  echo "the test tools could not be installed (see above)"
  echo "0 passed, 1 failed"
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build Operator.sln -c Release -nologo -v q 2>&1 | tee "$log" | grep -E "error|Warn|Elapsed" || true
if [ "${PIPESTATUS[0]}" != 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Test projects run one after another: several need loopback servers and all share 2 cores in CI.
dotnet test Operator.sln -c Release --no-build -nologo -m:1 --blame-hang-timeout 15m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Passed: *([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed.*/\1/' | awk '{s+=$1} END {print s+0}')
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
  # A crashed or hung test host prints no summary line; count it so CI cannot read this run as green.
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
