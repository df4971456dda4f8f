#!/usr/bin/env bash
# Stop the local infrastructure (all of it, or the components named), by pid.
#   down.sh                   keycloak, kafka, redis, postgres
#   down.sh kafka             only Kafka (its data is kept)
# Data stays in .run/<component>/data; remove .run/ to start from scratch.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
_COMPONENT=down

ALL=(keycloak kafka redis postgres)
select_components "$@"

rc=0
for c in "${WANT[@]}"; do
    bash "$LOCAL_DIR/$c.sh" stop || rc=1
done
[ "$rc" -eq 0 ] || die "some components did not stop cleanly"
log "stopped: ${WANT[*]}"
