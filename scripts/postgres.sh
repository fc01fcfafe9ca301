#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL server on loopback for the store tests, then print a
# SQLAlchemy URL for a fresh test database on stdout. Prints nothing and exits 0 when PostgreSQL truly cannot be
# installed or started (the PostgreSQL tests then skip and say why); every step's reason goes to stderr.
set -u
log() { echo "postgres.sh: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)"; exit 0
    fi
    log "installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -q && apt-get install -y -q postgresql) >&2 || { log "apt-get install postgresql failed"; exit 0; }
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! command -v pg_lsclusters >/dev/null 2>&1; then log "pg_lsclusters missing"; exit 0; fi
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main >&2 || { log "cannot create cluster $version/main"; exit 0; }
fi
# loopback only
conf="/etc/postgresql/$version/main/postgresql.conf"
if [ -f "$conf" ] && ! grep -q "^listen_addresses = '127.0.0.1'" "$conf"; then
    echo "listen_addresses = '127.0.0.1'" >> "$conf"
fi
if ! pg_lsclusters -h | grep "^$version main" | grep -q online; then
    pg_ctlcluster "$version" main start >&2 || { log "cannot start cluster $version/main"; exit 0; }
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
runas() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
for _ in 1 2 3 4 5 6 7 8 9 10; do
    runas "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
done
runas "psql -p $port -qtAc \"select 1 from pg_roles where rolname='midan'\"" 2>/dev/null | grep -q 1 || \
    runas "psql -p $port -qc \"create role midan login password 'midan'\"" >&2 || { log "cannot create role"; exit 0; }
runas "psql -p $port -qtAc \"select 1 from pg_database where datname='midan_test'\"" 2>/dev/null | grep -q 1 || \
    runas "psql -p $port -qc 'create database midan_test owner midan'" >&2 || { log "cannot create database"; exit 0; }
echo "postgresql+psycopg://midan:midan@127.0.0.1:$port/midan_test"
