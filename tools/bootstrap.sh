#!/usr/bin/env bash
# Install uv when missing, then the locked Python environment of the whole workspace.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv from PyPI"
  python3 -m pip install --quiet --user uv || python3 -m pip install --quiet --break-system-packages --user uv
fi
uv sync --all-packages --frozen --quiet
