# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Shared helpers of the deploy/local scripts. Source it; do not run it.
#
#   ROOT       repository root (two levels above this file)
#   RUN_DIR    $ROOT/.run            per-component data, logs and pid files
#   CACHE_DIR  $ROOT/.cache          downloads (Kafka jars, Keycloak dist)
#
# All components listen on 127.0.0.1 only, on non-default ports.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="$ROOT/.run"
CACHE_DIR="$ROOT/.cache"
LOCAL_DIR="$ROOT/deploy/local"
export ROOT RUN_DIR CACHE_DIR LOCAL_DIR

YWTB_HOST=127.0.0.1
PG_PORT=${YWTB_PG_PORT:-15432}
REDIS_PORT=${YWTB_REDIS_PORT:-16379}
KAFKA_PORT=${YWTB_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${YWTB_KAFKA_CONTROLLER_PORT:-19093}
KEYCLOAK_PORT=${YWTB_KEYCLOAK_PORT:-18080}
KEYCLOAK_MGMT_PORT=${YWTB_KEYCLOAK_MGMT_PORT:-19000}

KAFKA_VERSION=4.3.1
KAFKA_SCALA=2.13
LOG4J_VERSION=2.24.3
KEYCLOAK_VERSION=26.7.3

# ---------------------------------------------------------------- logging

_COMPONENT="${_COMPONENT:-local}"

log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "$_COMPONENT" "$*" >&2; }
warn() { printf '%s [%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$_COMPONENT" "$*" >&2; }
die() {
    printf '%s [%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$_COMPONENT" "$*" >&2
    exit 1
}

# component_dirs NAME -> sets COMP_DIR, COMP_DATA, COMP_LOGS, COMP_PID and creates them
component_dirs() {
    _COMPONENT="$1"
    COMP_DIR="$RUN_DIR/$1"
    COMP_DATA="$COMP_DIR/data"
    COMP_LOGS="$COMP_DIR/logs"
    COMP_PID="$COMP_DIR/pid"
    mkdir -p "$COMP_DIR" "$COMP_DATA" "$COMP_LOGS"
}

# ---------------------------------------------------------------- installation

# apt_install PKG... : apt-get update (once per up.sh run) then install the missing packages.
apt_install() {
    local missing=()
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local stamp
    stamp="${TMPDIR:-/tmp}/ywtb-apt-updated.$(id -u)"
    # `apt-get update` once: not again within an hour (the component scripts share the stamp)
    if [ "${YWTB_APT_UPDATED:-}" != 1 ] && [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
        log "apt-get update"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        touch "$stamp"
        export YWTB_APT_UPDATED=1
    fi
    log "apt-get install -y ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

ensure_curl() { command -v curl >/dev/null || apt_install curl ca-certificates; }

# java_major JAVA_HOME -> prints the major version (from the release file), or nothing
java_major() {
    local rel="$1/release" v
    [ -x "$1/bin/java" ] || return 0
    if [ -f "$rel" ]; then
        v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$rel")"
    else
        v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -1)"
    fi
    [ "$v" = 1 ] && v=8
    printf '%s' "$v"
}

# find_java_home MIN [PREFER_LOWEST=1] -> prints a JAVA_HOME under /usr/lib/jvm with major >= MIN
find_java_home() {
    local min="$1" lowest="${2:-1}" best="" best_v="" d v
    for d in /usr/lib/jvm/*; do
        if [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
        v="$(java_major "$d")"
        if [ -z "$v" ] || [ "$v" -lt "$min" ]; then continue; fi
        if [ -z "$best" ] || { [ "$lowest" = 1 ] && [ "$v" -lt "$best_v" ]; } || { [ "$lowest" != 1 ] && [ "$v" -gt "$best_v" ]; }; then
            best="$d"
            best_v="$v"
        fi
    done
    printf '%s' "$best"
}

# ensure_java MIN -> prints JAVA_HOME (installs openjdk-17 when nothing fits and MIN <= 17)
ensure_java() {
    local min="$1" jh
    jh="$(find_java_home "$min")"
    if [ -z "$jh" ]; then
        [ "$min" -le 17 ] || die "no JDK >= $min under /usr/lib/jvm (Keycloak needs Java 21+; install a Temurin/OpenJDK 21+ there)"
        apt_install openjdk-17-jdk-headless
        jh="$(find_java_home "$min")"
        [ -n "$jh" ] || die "no JDK >= $min found after installing openjdk-17-jdk-headless"
    fi
    printf '%s' "$jh"
}

ensure_maven() {
    if ! command -v mvn >/dev/null; then
        ensure_java 17 >/dev/null
        apt_install maven
    fi
}

# ---------------------------------------------------------------- waiting

# port_open PORT [HOST]
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/${2:-$YWTB_HOST}/$1" 2>/dev/null
}

# wait_port PORT TIMEOUT_S [PIDFILE]: fails early when the process of PIDFILE dies
wait_port() {
    local port="$1" t="$2" pidfile="${3:-}" i=0
    while ! port_open "$port"; do
        if [ -n "$pidfile" ] && ! pid_alive "$pidfile"; then
            return 1
        fi
        i=$((i + 1))
        [ "$i" -ge $((t * 4)) ] && return 1
        sleep 0.25
    done
}

# http_code URL -> prints the HTTP status (000 when nothing answers)
http_code() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

# wait_http URL TIMEOUT_S [PIDFILE] [EXPECTED=200]
wait_http() {
    local url="$1" t="$2" pidfile="${3:-}" want="${4:-200}" start code
    start=$SECONDS
    while true; do
        code="$(http_code "$url")"
        [ "$code" = "$want" ] && return 0
        if [ -n "$pidfile" ] && ! pid_alive "$pidfile"; then
            return 1
        fi
        [ $((SECONDS - start)) -ge "$t" ] && return 1
        sleep 1
    done
}

# await_healthy TIMEOUT_S INTERVAL_S WHAT: poll the component's healthy(); on timeout show $LOGFILE
# and die with "WHAT after TIMEOUT_Ss"
await_healthy() {
    local t="$1" interval="$2" what="$3" start=$SECONDS
    until healthy; do
        [ $((SECONDS - start)) -lt "$t" ] || {
            tail_log "$LOGFILE"
            die "$what after ${t}s"
        }
        sleep "$interval"
    done
}

# select_components ARGS...: WANT=(ARGS), or ALL=(...) when none are given; dies on an unknown name
select_components() {
    local c
    if [ "$#" -eq 0 ]; then
        WANT=("${ALL[@]}")
        return 0
    fi
    WANT=()
    for c in "$@"; do
        case "$c" in
        postgres | redis | kafka | keycloak) WANT+=("$c") ;;
        *) die "unknown component '$c' (choose from: ${ALL[*]})" ;;
        esac
    done
}

# ---------------------------------------------------------------- pids

# read_pid PIDFILE -> prints the pid (first line) or nothing
read_pid() {
    [ -s "$1" ] || return 0
    head -n1 "$1" | tr -dc '0-9'
}

# pid_alive PIDFILE [CMDLINE_PATTERN]: process exists (and its command line matches)
pid_alive() {
    local pid
    pid="$(read_pid "$1")"
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # a zombie is not alive
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
    if [ -n "${2:-}" ]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
    fi
}

# spawn PIDFILE LOGFILE CMD...: run CMD detached in its own session (pid = process group id)
spawn() {
    local pidfile="$1" logfile="$2"
    shift 2
    rm -f "$pidfile"
    # The inner shell writes its own pid, then execs the command: the pid file holds the
    # pid of the server itself, which is also the leader of a new session/process group.
    # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
    setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1
    local i=0
    while [ ! -s "$pidfile" ]; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || die "process did not write $pidfile"
        sleep 0.05
    done
}

# stop_pid PIDFILE NAME [TIMEOUT_S=30] [SIGNAL=TERM] [GROUP=0] [CMDLINE_PATTERN]
# Graceful signal first, SIGKILL after the timeout. GROUP=1 signals the whole process group.
# With a pattern, a pid file whose pid now belongs to another program is only removed.
stop_pid() {
    local pidfile="$1" name="$2" t="${3:-30}" sig="${4:-TERM}" group="${5:-0}" pattern="${6:-}" pid target i
    pid="$(read_pid "$pidfile")"
    if [ -z "$pid" ] || ! pid_alive "$pidfile"; then
        log "$name is not running"
        rm -f "$pidfile"
        return 0
    fi
    if [ -n "$pattern" ] && ! pid_alive "$pidfile" "$pattern"; then
        warn "pid $pid in $pidfile is not $name any more (stale pid file); not signalling it"
        rm -f "$pidfile"
        return 0
    fi
    target="$pid"
    [ "$group" = 1 ] && target="-$pid"
    log "stopping $name (pid $pid, SIG$sig)"
    kill -s "$sig" -- "$target" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
        i=$((i + 1))
        if [ "$i" -ge $((t * 10)) ]; then
            warn "$name did not stop within ${t}s; SIGKILL"
            kill -s KILL -- "$target" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.1
    done
    if [ "$group" = 1 ]; then
        # leftovers of the group (e.g. a child of a wrapper script)
        kill -s KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    log "$name stopped"
}

# port_must_be_free PORT NAME: refuse to start when someone else listens there
port_must_be_free() {
    if port_open "$1"; then
        die "port $YWTB_HOST:$1 is already in use by another process (not our $2); stop it first"
    fi
}

# tail_log FILE: show the end of a log after a failure
tail_log() {
    [ -f "$1" ] || return 0
    echo "----- last lines of $1 -----" >&2
    tail -n "${2:-40}" "$1" >&2 || true
    echo "-----" >&2
}

# ywtb_python ARGS...: run Python of the workspace venv (confluent_kafka, pyyaml, ywtb.common)
ywtb_python() {
    if [ -x "$ROOT/.venv/bin/python" ] && "$ROOT/.venv/bin/python" -c 'import confluent_kafka, yaml, ywtb.common' 2>/dev/null; then
        "$ROOT/.venv/bin/python" "$@"
    else
        command -v uv >/dev/null || die "uv not found on PATH (needed for the Python tooling)"
        (cd "$ROOT" && uv run --quiet python "$@")
    fi
}

# usage_cmd SCRIPT: standard dispatch of start|stop|status|restart
run_command() {
    local cmd="${1:-}"
    case "$cmd" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart) do_stop && do_start ;;
    *)
        echo "usage: $(basename "$0") start|stop|status|restart" >&2
        exit 2
        ;;
    esac
}
