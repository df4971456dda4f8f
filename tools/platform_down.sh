#!/usr/bin/env bash
# make down (first half): stop the services started by platform_up.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PID_FILE="$ROOT/.run/platform-local.pid"
[[ -f "$PID_FILE" ]] || exit 0
pid="$(cat "$PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  echo "platform: stopped"
fi
rm -f "$PID_FILE"
