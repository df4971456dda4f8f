#!/usr/bin/env bash
# Install the pinned buf into $ROOT/.cache/bin (idempotent; a second run does nothing).
# Source: the npm registry package @bufbuild/buf, whose platform package ships buf's native binary.
set -euo pipefail

BUF_VERSION="${BUF_VERSION:-1.75.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$ROOT/.cache/bin"
PREFIX="$ROOT/.cache/buf"

if [[ -x "$BIN_DIR/buf" ]] && [[ "$("$BIN_DIR/buf" --version 2>/dev/null)" == "$BUF_VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "install_buf: npm is required (Node 20)" >&2; exit 1; }
echo "install_buf: installing buf $BUF_VERSION into .cache/bin" >&2
mkdir -p "$BIN_DIR" "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --loglevel=error \
  "@bufbuild/buf@$BUF_VERSION" >&2

# Prefer the native binary of the platform package over the Node wrapper.
native="$(find "$PREFIX/node_modules/@bufbuild" -path '*/buf-*/bin/buf' -type f 2>/dev/null | head -n 1)"
target="${native:-$PREFIX/node_modules/.bin/buf}"
[[ -x "$target" ]] || { echo "install_buf: buf binary not found after npm install" >&2; exit 1; }
ln -sf "$target" "$BIN_DIR/buf"

installed="$("$BIN_DIR/buf" --version)"
if [[ "$installed" != "$BUF_VERSION" ]]; then
  echo "install_buf: expected buf $BUF_VERSION, got $installed" >&2
  exit 1
fi
