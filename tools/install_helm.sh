#!/usr/bin/env bash
# Install the pinned helm into $ROOT/.cache/bin with `go install` (idempotent; a second run does nothing).
# A helm built this way believes the cluster is Kubernetes 1.20: always pass --kube-version.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$ROOT/.cache/bin"
STAMP="$BIN_DIR/.helm-version"

if [[ -x "$BIN_DIR/helm" ]] && [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$HELM_VERSION" ]]; then
  exit 0
fi

command -v go >/dev/null || { echo "install_helm: go is required" >&2; exit 1; }
echo "install_helm: building helm $HELM_VERSION into .cache/bin (go install, takes a few minutes the first time)" >&2
mkdir -p "$BIN_DIR"
GOBIN="$BIN_DIR" CGO_ENABLED=0 go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
"$BIN_DIR/helm" version --short >/dev/null
echo "$HELM_VERSION" >"$STAMP"
