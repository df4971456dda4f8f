#!/usr/bin/env bash
# buf lint of protos/, then buf breaking against the main branch's protos when main has any.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGAINST_BRANCH="${BUF_AGAINST_BRANCH:-main}"
cd "$ROOT"

"$ROOT/tools/install_buf.sh"
BUF="$ROOT/.cache/bin/buf"

echo "buf lint protos/"
(cd "$ROOT/protos" && "$BUF" lint)

if git rev-parse --verify --quiet "refs/heads/$AGAINST_BRANCH" >/dev/null \
  && git ls-tree -r --name-only "refs/heads/$AGAINST_BRANCH" -- protos | grep -q '\.proto$'; then
  echo "buf breaking protos/ against branch $AGAINST_BRANCH"
  "$BUF" breaking protos --against ".git#branch=$AGAINST_BRANCH,subdir=protos"
else
  echo "buf breaking: skipped, branch $AGAINST_BRANCH has no .proto files under protos/ yet"
fi
