#!/usr/bin/env bash
# Regenerate shared/api/src/ywtb/api/** (Python messages, gRPC stubs and .pyi stubs) from protos/.
# Deterministic: stale generated files are deleted first and the tool versions come from uv.lock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROTO_DIR="$ROOT/protos"
OUT_DIR="$ROOT/shared/api/src"
GEN_DIR="$OUT_DIR/ywtb/api"
cd "$ROOT"

# Delete what an earlier run generated (a removed .proto must not leave its modules behind).
if [[ -d "$GEN_DIR" ]]; then
  find "$GEN_DIR" -type f \( -name '*_pb2.py' -o -name '*_pb2.pyi' -o -name '*_pb2_grpc.py' \
    -o -name '*_pb2_grpc.pyi' -o -name '.keep' \) -delete
  find "$GEN_DIR" -type d -name '__pycache__' -prune -exec rm -rf {} +
  find "$GEN_DIR" -mindepth 1 -type d -empty -delete
fi

mapfile -t PROTOS < <(cd "$PROTO_DIR" && find ywtb -name '*.proto' | LC_ALL=C sort)
if [[ ${#PROTOS[@]} -eq 0 ]]; then
  echo "gen_protos: no .proto files under protos/ywtb" >&2
  exit 1
fi

mkdir -p "$GEN_DIR"
BIN="$ROOT/.venv/bin"
uv run --quiet python -m grpc_tools.protoc \
  --proto_path="$PROTO_DIR" \
  --plugin=protoc-gen-mypy="$BIN/protoc-gen-mypy" \
  --plugin=protoc-gen-mypy_grpc="$BIN/protoc-gen-mypy_grpc" \
  --python_out="$OUT_DIR" \
  --mypy_out="$OUT_DIR" \
  --grpc_python_out="$OUT_DIR" \
  --mypy_grpc_out="$OUT_DIR" \
  "${PROTOS[@]}"

# PEP 420: ywtb, ywtb.api and the generated subpackages stay namespace packages.
find "$OUT_DIR/ywtb" -name '__init__.py' -path "$GEN_DIR/*" -delete

echo "gen_protos: generated ${#PROTOS[@]} file(s) into shared/api/src/ywtb/api"
