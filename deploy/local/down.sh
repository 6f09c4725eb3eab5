#!/usr/bin/env bash
# Stop what up.sh started: Kafka and anvil. The system PostgreSQL server is shared and stays up.
# Data is kept (.run/kafka, .run/anvil-state.json); delete .run/ for a clean slate.
#
# usage: deploy/local/down.sh      (npm run infra:down)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

status=0
bash "$here/kafka.sh" stop || status=1
bash "$here/anvil.sh" stop || status=1
bash "$here/postgres.sh" stop || status=1
exit "$status"
