#!/usr/bin/env bash
# make up: every component of deploy/components.yaml on the running local stack (tools/run_platform.py),
# in the background (log and pid in .run/).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PID_FILE=.run/platform-local.pid
LOG=.run/platform-local.log
if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "platform: already running (pid $(cat "$PID_FILE")); log $LOG"
  exit 0
fi
mkdir -p .run
setsid uv run --frozen python tools/run_platform.py --stack local >"$LOG" 2>&1 < /dev/null &
echo $! >"$PID_FILE"
for _ in $(seq 1 180); do
  if grep -q "Press Ctrl-C" "$LOG"; then
    sed -n '/is running on/,/Press Ctrl-C/p' "$LOG"
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    tail -40 "$LOG" >&2
    echo "platform: exited during start-up; see $LOG" >&2
    exit 1
  fi
  sleep 1
done
echo "platform: not up after 180 s; see $LOG" >&2
exit 1
