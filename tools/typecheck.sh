#!/usr/bin/env bash
# make lint: mypy over ywtb.common and the services, with every component's src/ as a package base
# (the namespace package ywtb spans them; a new service is picked up by its folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MYPYPATH="$(ls -d shared/*/src gateway/src services/*/src | paste -sd: -)"
export MYPYPATH
exec uv run --frozen mypy "$@"
