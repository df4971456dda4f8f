#!/usr/bin/env bash
# make test: start the real local stack, run every test, stop the stack again on CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ "${CI:-}" == "true" ]]; then
  trap 'bash deploy/local/down.sh >/dev/null 2>&1 || true' EXIT
fi
bash tools/install_helm.sh
bash tools/test_chart.sh
bash tools/images.sh  # every image built and smoke-run; the image tests below run the platform from them
bash deploy/local/up.sh
set -a
# shellcheck disable=SC1091
source .run/stack.env
set +a
rm -rf artifacts/screenshots  # this run's screenshots only (browser tests write them)
mkdir -p artifacts
uv run --frozen pytest -q --junitxml=artifacts/junit.xml "$@"
