#!/usr/bin/env bash
# Start the whole local stack without Docker: PostgreSQL (system server), anvil and Kafka (KRaft on the
# JVM), then print the environment the services and the integration tests read.
#
# usage: deploy/local/up.sh        (npm run infra:up)
# The per-service variables of postgres.sh, kafka.sh and anvil.sh apply (KAFKA_PORT, ANVIL_PORT, ...).
# The same environment is written to .run/env for `source .run/env` (CI does that).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
started=$(date +%s.%N)

bash "$here/postgres.sh" start
bash "$here/anvil.sh" start
bash "$here/kafka.sh" start

env_file="$repo/.run/env"
mkdir -p "$(dirname "$env_file")"
{
  echo "KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}"
  echo "DATABASE_URL=postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/microraiden_test"
  echo "RPC_URL=http://127.0.0.1:${ANVIL_PORT:-8545}"
} >"$env_file.tmp"
mv "$env_file.tmp" "$env_file"

elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
printf '\nLocal stack is up (%ss). Use it with:\n\n' "$elapsed"
sed 's/^/export /' "$env_file"
printf '\n(or: set -a; source %s; set +a)\n' "$env_file"
printf 'Services default to the database .../microraiden; stop the stack with deploy/local/down.sh.\n'
