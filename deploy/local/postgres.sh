#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:15432 with its own data directory (.run/postgres/data).
# Superuser role ywtb/ywtb and database ywtb; tests create their own databases.
# usage: postgres.sh start|stop|status|restart
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

component_dirs postgres

PG_USER=ywtb
PG_PASSWORD=ywtb
PG_DB=ywtb
LOGFILE="$COMP_LOGS/postgres.log"
PATTERN="postgres"

# PostgreSQL refuses to run as root: run it as the `postgres` OS user when we are root.
if [ "$(id -u)" -eq 0 ]; then
    PG_OS_USER=postgres
else
    PG_OS_USER="$(id -un)"
fi

as_pg() {
    if [ "$(id -un)" = "$PG_OS_USER" ]; then
        "$@"
    else
        runuser -u "$PG_OS_USER" -- "$@"
    fi
}

find_pg_bin() {
    local d best="" best_v=0 v
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] || continue
        v="$(basename "$(dirname "$d")")"
        v="${v%%.*}"
        if [ "$v" -gt "$best_v" ]; then
            best="$d"
            best_v="$v"
        fi
    done
    printf '%s' "$best"
}

ensure_installed() {
    PG_BIN="$(find_pg_bin)"
    if [ -z "$PG_BIN" ]; then
        apt_install postgresql postgresql-client
        PG_BIN="$(find_pg_bin)"
        [ -n "$PG_BIN" ] || die "no /usr/lib/postgresql/<ver>/bin/initdb after installing postgresql"
    fi
    PG_VERSION="$(basename "$(dirname "$PG_BIN")")"
    id "$PG_OS_USER" >/dev/null 2>&1 || die "OS user $PG_OS_USER does not exist (it comes with the postgresql package)"
}

# The data directory must be reachable by the postgres OS user. When the repository sits
# somewhere that user cannot traverse (e.g. /root), keep the cluster under /var/tmp and
# point .run/postgres/data at it with a symlink.
prepare_datadir() {
    PGDATA="$COMP_DATA"
    if [ "$PG_OS_USER" = postgres ] && [ "$(id -u)" -eq 0 ]; then
        chown "$PG_OS_USER" "$COMP_DIR" "$COMP_LOGS"
        if ! runuser -u postgres -- test -w "$COMP_DIR"; then
            local alt
            alt="/var/tmp/ywtb-postgres-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
            warn "$COMP_DIR is not reachable by the postgres user; cluster lives in $alt"
            mkdir -p "$alt/data" "$alt/sock"
            chown -R postgres "$alt"
            if [ ! -L "$COMP_DATA" ]; then
                rmdir "$COMP_DATA" 2>/dev/null || true
                ln -sfn "$alt/data" "$COMP_DATA"
            fi
            PGDATA="$alt/data"
            SOCKDIR="$alt/sock"
            LOGFILE="$alt/postgres.log"
            return 0
        fi
        chown "$PG_OS_USER" "$COMP_DATA"
        chmod 700 "$COMP_DATA"
    fi
    SOCKDIR="$COMP_DIR/sock"
    # unix socket paths are limited to ~107 bytes
    if [ "${#SOCKDIR}" -gt 90 ]; then
        SOCKDIR="/tmp"
    else
        mkdir -p "$SOCKDIR"
        [ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER" "$SOCKDIR"
    fi
}

initdb_if_needed() {
    [ -f "$PGDATA/PG_VERSION" ] && return 0
    log "initdb (PostgreSQL $PG_VERSION) in $PGDATA, superuser $PG_USER"
    local pwfile
    pwfile="$(mktemp)"
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER" "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U "$PG_USER" --pwfile="$pwfile" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >>"$COMP_LOGS/initdb.log" 2>&1 || {
        rm -f "$pwfile"
        tail_log "$COMP_LOGS/initdb.log"
        die "initdb failed"
    }
    rm -f "$pwfile"
    cat >>"$PGDATA/postgresql.conf" <<EOF

# ---- deploy/local/postgres.sh (local development only)
listen_addresses = '$YWTB_HOST'
port = $PG_PORT
max_connections = 300
shared_buffers = 128MB
fsync = on
synchronous_commit = off
logging_collector = off
log_min_messages = warning
timezone = 'Asia/Shanghai'
EOF
}

psql_q() {
    PGPASSWORD="$PG_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$YWTB_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"
}

healthy() {
    PGPASSWORD="$PG_PASSWORD" psql -X -qtA -h "$YWTB_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
        -c 'select 1' 2>/dev/null | grep -q '^1$'
}

wait_healthy() { await_healthy "${1:-60}" 0.3 "PostgreSQL on $YWTB_HOST:$PG_PORT does not answer"; }

ensure_database() {
    if [ "$(psql_q -d postgres -tA -c "select 1 from pg_database where datname = '$PG_DB'")" != 1 ]; then
        log "creating database $PG_DB"
        psql_q -d postgres -c "create database $PG_DB owner $PG_USER"
    fi
}

# pid of the postmaster: first line of postmaster.pid, mirrored to .run/postgres/pid
sync_pid() {
    local pm="$PGDATA/postmaster.pid"
    if [ -f "$pm" ]; then
        head -n1 "$pm" >"$COMP_PID"
    fi
}

do_status() {
    PGDATA="$COMP_DATA"
    if pid_alive "$COMP_PID" "$PATTERN" && healthy; then
        echo "postgres: running (pid $(read_pid "$COMP_PID")) on $YWTB_HOST:$PG_PORT"
        return 0
    fi
    if pid_alive "$COMP_PID" "$PATTERN"; then
        echo "postgres: process running (pid $(read_pid "$COMP_PID")) but not answering on $YWTB_HOST:$PG_PORT"
        return 1
    fi
    echo "postgres: stopped"
    return 3
}

do_start() {
    ensure_installed
    prepare_datadir
    command -v psql >/dev/null || apt_install postgresql-client
    if pid_alive "$COMP_PID" "$PATTERN"; then
        log "already running (pid $(read_pid "$COMP_PID")); checking health"
        wait_healthy 30
        ensure_database
        log "ready on $YWTB_HOST:$PG_PORT"
        return 0
    fi
    local t0=$SECONDS
    initdb_if_needed
    # a postmaster.pid left by a crash: pg_ctl handles stale ones, but refuse a live foreign one
    port_must_be_free "$PG_PORT" postgres
    log "starting PostgreSQL $PG_VERSION on $YWTB_HOST:$PG_PORT (data $PGDATA, log $LOGFILE)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOGFILE" -w -t 60 \
        -o "-c unix_socket_directories='$SOCKDIR'" start >&2 || {
        tail_log "$LOGFILE"
        die "pg_ctl start failed"
    }
    sync_pid
    wait_healthy 60
    ensure_database
    log "ready on $YWTB_HOST:$PG_PORT (pid $(read_pid "$COMP_PID"), $((SECONDS - t0))s)"
}

do_stop() {
    PGDATA="$COMP_DATA"
    [ -s "$COMP_PID" ] || sync_pid
    # SIGINT = "fast" shutdown: disconnects clients, checkpoints, exits cleanly
    stop_pid "$COMP_PID" postgres 30 INT 0 "$PATTERN"
}

run_command "$@"
