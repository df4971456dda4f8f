#!/usr/bin/env bash
# Keycloak (dev mode) on 127.0.0.1:18080, management/health on 127.0.0.1:19000,
# realm `ywtb` imported from deploy/keycloak/realm-ywtb.json.
#   dist:  .cache/keycloak/keycloak-<ver>/ (from Maven Central)   H2 db/logs/pid: .run/keycloak/
# usage: keycloak.sh start|stop|status|restart
# Local development only: bootstrap admin admin/admin.
# The confidential clients' secrets are rotated away from the realm file's placeholders once per
# installation (random, kept in .run/keycloak/secrets.env, mode 600) and re-applied on every start.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

component_dirs keycloak

KC_CACHE="$CACHE_DIR/keycloak"
KC_HOME="$KC_CACHE/keycloak-$KEYCLOAK_VERSION"
KC_TGZ="$KC_CACHE/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
REALM_JSON="$ROOT/deploy/keycloak/realm-ywtb.json"
REALM=ywtb
LOGFILE="$COMP_LOGS/keycloak.log"
REALM_SUM_FILE="$COMP_DIR/realm.sha256"
BASE_URL="http://$YWTB_HOST:$KEYCLOAK_PORT"
DISCOVERY_URL="$BASE_URL/realms/$REALM/.well-known/openid-configuration"
HEALTH_URL="http://$YWTB_HOST:$KEYCLOAK_MGMT_PORT/health/ready"
PATTERN="keycloak"
SECRETS_FILE="$COMP_DIR/secrets.env"
# client id -> variable of secrets.env (and of .run/stack.env)
SECRET_CLIENTS=(
    "ywtb-identity-admin=YWTB_KEYCLOAK_IDENTITY_ADMIN_SECRET"
    "ext-provincial-platform=YWTB_KEYCLOAK_EXT_PROVINCIAL_SECRET"
    "ywtb-gateway=YWTB_KEYCLOAK_GATEWAY_SECRET"
)

fetch_dist() {
    [ -x "$KC_HOME/bin/kc.sh" ] && [ -f "$KC_HOME/.complete" ] && return 0
    mkdir -p "$KC_CACHE"
    if [ ! -s "$KC_TGZ" ]; then
        ensure_maven
        log "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz from Maven Central (~170 MB)"
        JAVA_HOME="$(ensure_java 17)" mvn -q -B -Dstyle.color=never \
            org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
            -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" \
            -DoutputDirectory="$KC_CACHE" >&2 ||
            die "mvn could not fetch keycloak-quarkus-dist $KEYCLOAK_VERSION"
    fi
    log "extracting $KC_TGZ"
    rm -rf "$KC_HOME"
    tar -xzf "$KC_TGZ" -C "$KC_CACHE"
    [ -x "$KC_HOME/bin/kc.sh" ] || die "$KC_HOME/bin/kc.sh missing after extraction"
    touch "$KC_HOME/.complete"
}

healthy() {
    [ "$(http_code "$DISCOVERY_URL")" = 200 ]
}

# make_secrets: generate .run/keycloak/secrets.env once (kept across restarts and realm re-imports)
make_secrets() {
    local entry var incomplete=0
    if [ -f "$SECRETS_FILE" ]; then
        for entry in "${SECRET_CLIENTS[@]}"; do
            grep -q "^${entry#*=}=." "$SECRETS_FILE" || incomplete=1
        done
        [ "$incomplete" = 0 ] && return 0
    fi
    log "generating the confidential clients' secrets in $SECRETS_FILE"
    (
        umask 077
        {
            echo "# written once by deploy/local/keycloak.sh: the local Keycloak's client secrets (keep private)"
            for entry in "${SECRET_CLIENTS[@]}"; do
                var="${entry#*=}"
                # keep a secret that exists already; hex: safe in URLs, forms and env files
                if [ -f "$SECRETS_FILE" ] && grep -q "^$var=." "$SECRETS_FILE"; then
                    grep "^$var=" "$SECRETS_FILE"
                else
                    echo "$var=$(openssl rand -hex 32)"
                fi
            done
        } >"$SECRETS_FILE.tmp"
    )
    mv "$SECRETS_FILE.tmp" "$SECRETS_FILE"
    chmod 600 "$SECRETS_FILE"
}

# apply_secrets: set the stored secrets on the realm's clients (admin REST API, admin/admin on master)
# when they differ -- after the first start, and again whenever the realm was re-imported.
apply_secrets() {
    command -v openssl >/dev/null || die "openssl is needed to generate the client secrets"
    make_secrets
    local pairs=() entry var value
    for entry in "${SECRET_CLIENTS[@]}"; do
        var="${entry#*=}"
        value="$(grep "^$var=" "$SECRETS_FILE" | head -n1 | cut -d= -f2-)"
        pairs+=("${entry%%=*}=$value")
    done
    KC_BASE_URL="$BASE_URL" KC_REALM="$REALM" ywtb_python - "${pairs[@]}" <<'PY' || die "could not set the client secrets in Keycloak"
import json, os, sys, urllib.parse, urllib.request

base, realm = os.environ["KC_BASE_URL"], os.environ["KC_REALM"]


def call(method, path, token=None, body=None, form=None):
    data, headers = None, {}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=15) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


token = call(
    "POST", "/realms/master/protocol/openid-connect/token",
    form={"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"},
)["access_token"]
admin = f"/admin/realms/{realm}/clients"
for pair in sys.argv[1:]:
    client_id, secret = pair.split("=", 1)
    found = call("GET", f"{admin}?clientId={urllib.parse.quote(client_id)}", token)
    if not found:
        sys.exit(f"client {client_id} not found in realm {realm}")
    uuid = found[0]["id"]
    if call("GET", f"{admin}/{uuid}/client-secret", token).get("value") == secret:
        continue
    client = call("GET", f"{admin}/{uuid}", token)
    client["secret"] = secret
    call("PUT", f"{admin}/{uuid}", token, body=client)
    if call("GET", f"{admin}/{uuid}/client-secret", token).get("value") != secret:
        sys.exit(f"Keycloak did not take the new secret of {client_id}")
    print(f"set the secret of client {client_id} from .run/keycloak/secrets.env", file=sys.stderr)
PY
}

do_status() {
    if pid_alive "$COMP_PID" "$PATTERN" && healthy; then
        echo "keycloak: running (pid $(read_pid "$COMP_PID")) on $BASE_URL (realm $REALM), management $HEALTH_URL"
        return 0
    fi
    if pid_alive "$COMP_PID" "$PATTERN"; then
        echo "keycloak: process running (pid $(read_pid "$COMP_PID")) but $DISCOVERY_URL does not answer 200 (yet)"
        return 1
    fi
    echo "keycloak: stopped"
    return 3
}

wait_ready() {
    local t="$1"
    if ! wait_http "$DISCOVERY_URL" "$t" "$COMP_PID" 200; then
        tail_log "$LOGFILE" 60
        pid_alive "$COMP_PID" "$PATTERN" || die "Keycloak exited during startup"
        die "Keycloak: $DISCOVERY_URL did not answer 200 within ${t}s"
    fi
}

do_start() {
    ensure_curl
    local jh
    jh="$(find_java_home 21)"
    [ -n "$jh" ] || die "Keycloak $KEYCLOAK_VERSION needs a JDK >= 21 under /usr/lib/jvm (found none)"
    if pid_alive "$COMP_PID" "$PATTERN"; then
        log "already running (pid $(read_pid "$COMP_PID")); waiting for the realm"
        wait_ready 180
        apply_secrets
        log "ready on $BASE_URL"
        return 0
    fi
    local t0=$SECONDS
    fetch_dist
    port_must_be_free "$KEYCLOAK_PORT" keycloak
    port_must_be_free "$KEYCLOAK_MGMT_PORT" "keycloak management"
    [ -f "$REALM_JSON" ] || die "realm file $REALM_JSON missing"

    # Keycloak imports a realm only when it does not exist yet (IGNORE_EXISTING). When the realm
    # file changed since the last import, start from an empty dev database so the change applies.
    local sum
    sum="$(sha256sum "$REALM_JSON" | cut -d' ' -f1)"
    if [ -d "$COMP_DATA/h2" ] && [ "$(cat "$REALM_SUM_FILE" 2>/dev/null)" != "$sum" ]; then
        log "realm file changed since the last import: resetting the dev database $COMP_DATA/h2"
        rm -rf "$COMP_DATA/h2"
    fi
    mkdir -p "$KC_HOME/data/import"
    rm -f "$KC_HOME/data/import/"*.json
    cp "$REALM_JSON" "$KC_HOME/data/import/realm-$REALM.json"
    log "copied realm to $KC_HOME/data/import/"

    log "starting Keycloak $KEYCLOAK_VERSION (java $(java_major "$jh") at $jh) on $BASE_URL, management :$KEYCLOAK_MGMT_PORT, log $LOGFILE"
    [ -f "$REALM_SUM_FILE" ] || log "(the first start builds the server and imports the realm: 40-90 s on two cores)"
    # KC_DB_URL_PATH moves the dev-file H2 database (default <kc>/data/h2) to .run/keycloak/data/h2
    spawn "$COMP_PID" "$LOGFILE" env \
        JAVA_HOME="$jh" \
        KC_BOOTSTRAP_ADMIN_USERNAME=admin \
        KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
        KC_DB_URL_PATH="$COMP_DIR" \
        JAVA_OPTS_KC_HEAP="-Xms128m -Xmx768m" \
        "$KC_HOME/bin/kc.sh" start-dev \
        --import-realm \
        --db=dev-file \
        --http-host="$YWTB_HOST" \
        --http-port="$KEYCLOAK_PORT" \
        --http-management-port="$KEYCLOAK_MGMT_PORT" \
        --health-enabled=true \
        --metrics-enabled=true \
        --hostname-strict=false
    wait_ready 300
    apply_secrets
    echo "$sum" >"$REALM_SUM_FILE"
    log "ready on $BASE_URL, realm $REALM (pid $(read_pid "$COMP_PID"), $((SECONDS - t0))s); admin console $BASE_URL/admin (admin/admin)"
}

do_stop() {
    # kc.sh forwards SIGTERM to its java child; the group kill catches leftovers
    stop_pid "$COMP_PID" keycloak 30 TERM 1 "$PATTERN"
}

run_command "$@"
