#!/usr/bin/env bash
# Chart checks without a cluster: helm lint --strict, render every example, validate each render
# against the Kubernetes schemas (kubernetes-validate --strict) and compare it with its golden file.
#   bash tools/test_chart.sh            check
#   bash tools/test_chart.sh --update   rewrite charts/ywtb/tests/golden/*.yaml from the renders
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
KUBE_VERSION="${KUBE_VERSION:-1.35.0}"
CHART=charts/ywtb
HELM="$ROOT/.cache/bin/helm"
UPDATE=0
[[ "${1:-}" == "--update" ]] && UPDATE=1

bash tools/install_helm.sh
# The chart's copies of files kept in deploy/ (helm reads only files inside the chart).
for source in deploy/topics.yaml deploy/components.yaml deploy/keycloak/realm-ywtb.json; do
  cmp -s "$source" "$CHART/files/$(basename "$source")" || {
    echo "test_chart: $CHART/files/$(basename "$source") differs from $source: cp $source $CHART/files/" >&2
    exit 1
  }
done

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for example in "$CHART"/examples/*.yaml; do
  name="$(basename "$example" .yaml)"
  "$HELM" lint --strict "$CHART" -f "$example" --kube-version "$KUBE_VERSION" --quiet
  "$HELM" template ywtb "$CHART" --namespace ywtb -f "$example" --kube-version "$KUBE_VERSION" >"$out/$name.yaml"
  uv run --quiet --with kubernetes-validate kubernetes-validate --strict --quiet -k "$KUBE_VERSION" "$out/$name.yaml"
  golden="$CHART/tests/golden/$name.yaml"
  if [[ "$UPDATE" == 1 ]]; then
    cp "$out/$name.yaml" "$golden"
    echo "test_chart: $name: golden updated"
  elif ! diff -u "$golden" "$out/$name.yaml" >"$out/$name.diff"; then
    echo "test_chart: $name: render differs from $golden (bash tools/test_chart.sh --update, then review):" >&2
    head -n 60 "$out/$name.diff" >&2
    failed=1
  else
    echo "test_chart: $name: lint, schema ($KUBE_VERSION strict) and golden OK"
  fi
done
exit "$failed"
