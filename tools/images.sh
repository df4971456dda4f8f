#!/usr/bin/env bash
# make images (and make test): install podman, runc and debootstrap when missing, then build every component's
# image and smoke-run each (tools/images.py). Where they cannot be installed it says so and skips.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
need=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
if ((${#need[@]})); then
  echo "images: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1; then
    echo "images: SKIPPED — ${need[*]} cannot be installed here (apt-get failed): no image is built or run" >&2
    exit 0
  fi
fi
uv run --frozen python tools/images.py "$@"
