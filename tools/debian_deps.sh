#!/usr/bin/env bash
# Install the Debian packages of the full local stack and the browser tests once (apt-get update only when something is missing).
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v java >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # browser tests (Playwright drives it)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)  # Chinese text in screenshots
ls /usr/lib/jvm 2>/dev/null | grep -Eq -- '-(2[1-9]|[3-9][0-9])-' || command -v java >/dev/null 2>&1 || true
if ((${#need[@]})); then
  echo "debian-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
