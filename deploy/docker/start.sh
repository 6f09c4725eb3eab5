#!/bin/sh
# Container entry: run the service named by SERVICE. exec, so tini's signals reach node directly.
set -eu
service=${SERVICE:?set SERVICE to gateway, ledger or chain-watcher}
main="dist/services/$service/src/main.js"
if [ ! -f "$main" ]; then
  echo "unknown SERVICE '$service': $main does not exist (expected gateway, ledger or chain-watcher)" >&2
  exit 64
fi
exec node "$main"
