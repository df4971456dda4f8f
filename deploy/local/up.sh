#!/usr/bin/env bash
# Start the local infrastructure (all of it, or the components named) and wait for health:
#   up.sh                     postgres, redis, kafka, keycloak
#   up.sh postgres kafka      only those
# Then applies deploy/topics.yaml to Kafka and writes .run/stack.env (source it).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
_COMPONENT=up

ALL=(postgres redis kafka keycloak)
select_components "$@"
wants() {
    local c
    for c in "${WANT[@]}"; do [ "$c" = "$1" ] && return 0; done
    return 1
}

t0=$SECONDS
mkdir -p "$RUN_DIR"
log "starting: ${WANT[*]}"

# Keycloak is the slow one (JVM + build on first start): run it alongside the others.
kc_job=""
if wants keycloak; then
    bash "$LOCAL_DIR/keycloak.sh" start &
    kc_job=$!
fi
for c in postgres redis kafka; do
    if wants "$c"; then
        bash "$LOCAL_DIR/$c.sh" start
    fi
done
if wants kafka; then
    log "applying deploy/topics.yaml to $YWTB_HOST:$KAFKA_PORT"
    ywtb_python -m ywtb.common.events.topics apply "$ROOT/deploy/topics.yaml" --bootstrap "$YWTB_HOST:$KAFKA_PORT" >&2 ||
        die "applying topics failed"
fi
if [ -n "$kc_job" ]; then
    wait "$kc_job" || die "keycloak did not start (see .run/keycloak/logs/keycloak.log)"
fi

ENV_FILE="$RUN_DIR/stack.env"
KC_SECRETS="$RUN_DIR/keycloak/secrets.env" # written once by keycloak.sh; stack.env carries them too
umask 077
cat >"$ENV_FILE.tmp" <<ENV
# written by deploy/local/up.sh -- source it: . .run/stack.env
export YWTB_STACK=local
export YWTB_POSTGRES_URL=postgresql+psycopg://ywtb:ywtb@$YWTB_HOST:$PG_PORT/ywtb
export YWTB_REDIS_URL=redis://$YWTB_HOST:$REDIS_PORT/0
export YWTB_KAFKA_BOOTSTRAP=$YWTB_HOST:$KAFKA_PORT
export YWTB_KEYCLOAK_URL=http://$YWTB_HOST:$KEYCLOAK_PORT
export YWTB_KEYCLOAK_REALM=ywtb
export YWTB_KAFKA_CTL=$LOCAL_DIR/kafka.sh
export YWTB_TOPICS_FILE=$ROOT/deploy/topics.yaml
ENV
if [ -f "$KC_SECRETS" ]; then
    grep '^YWTB_KEYCLOAK_[A-Z_]*_SECRET=' "$KC_SECRETS" | sed 's/^/export /' >>"$ENV_FILE.tmp"
fi
mv "$ENV_FILE.tmp" "$ENV_FILE"

for c in "${ALL[@]}"; do
    bash "$LOCAL_DIR/$c.sh" status || true
done
log "up in $((SECONDS - t0))s; environment: . $ENV_FILE"
