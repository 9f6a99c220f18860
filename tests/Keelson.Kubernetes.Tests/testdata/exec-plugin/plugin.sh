#!/bin/sh
# A stand-in exec credential plugin. It records how it was called next to itself, then prints output.json
# (written by the test) or fails when a file named "fail" exists.
dir=$(dirname "$0")
echo run >> "$dir/runs.log"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.json"
printf '%s\n' "$@" > "$dir/args.txt"
printf '%s' "$PLUGIN_MODE" > "$dir/env.txt"
if [ -f "$dir/fail" ]; then
  echo "error: credentials expired; run 'cloud login' again" >&2
  exit 3
fi
cat "$dir/output.json"
