#!/usr/bin/env bash
# The machine's own PostgreSQL server (no container): make sure it answers and holds the project's
# databases. It is shared with other users of the machine, so these scripts never stop it.
#
# usage: deploy/local/postgres.sh start|status|stop
#
# Environment (all optional):
#   PGHOST / PGPORT / PGUSER  server and role                        (127.0.0.1 / 5432 / postgres)
#   POSTGRES_DATABASES        databases to create when missing       ("microraiden microraiden_test")
#   POSTGRES_CLUSTER          Debian cluster started when silent      (<newest version>/main)
#   POSTGRES_START_TIMEOUT    seconds to wait for the server         (30)
set -euo pipefail

log_component=postgres
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/log.sh
source "$here/lib/log.sh"

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-postgres}
databases=${POSTGRES_DATABASES:-microraiden microraiden_test}
start_timeout=${POSTGRES_START_TIMEOUT:-30}

answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2; }

# Start the local Debian cluster; only meaningful when the server is on this machine.
start_cluster() {
  [[ $PGHOST == 127.0.0.1 || $PGHOST == localhost ]] || die "$PGHOST:$PGPORT does not answer and is not local"
  command -v pg_ctlcluster >/dev/null || die "$PGHOST:$PGPORT does not answer and pg_ctlcluster is missing"
  local cluster=${POSTGRES_CLUSTER:-}
  if [[ -z $cluster ]]; then
    cluster=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
    [[ -n $cluster ]] || die "no PostgreSQL cluster under /etc/postgresql"
    cluster="$cluster/main"
  fi
  info "server not answering: starting cluster $cluster"
  # shellcheck disable=SC2086 # "version/name" splits into pg_ctlcluster's two arguments
  pg_ctlcluster --skip-systemctl-redirect ${cluster/\// } start
  local waited=0
  until answers; do
    ((waited < start_timeout * 5)) || die "server did not answer within ${start_timeout}s"
    sleep 0.2
    waited=$((waited + 1))
  done
}

ensure_database() {
  local name=$1
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "refusing odd database name '$name'"
  if [[ $(psql -X -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 ]]; then
    info "database $name exists"
  else
    createdb "$name"
    info "created database $name"
  fi
}

cmd_start() {
  command -v pg_isready >/dev/null || die "PostgreSQL client tools are missing (apt-get install postgresql-client)"
  if answers; then info "server answers on $PGHOST:$PGPORT"; else start_cluster; fi
  local name
  for name in $databases; do ensure_database "$name"; done
  info "ready: DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/microraiden_test"
}

cmd_status() {
  if answers; then
    info "server answers on $PGHOST:$PGPORT"
  else
    info "server does not answer on $PGHOST:$PGPORT"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  status) cmd_status ;;
  stop) info "leaving the system server running (it is not ours to stop)" ;;
  *)
    echo "usage: $0 start|status|stop" >&2
    exit 2
    ;;
esac
