#!/bin/sh
# Container entry: run the program named by SERVICE. exec, so tini's signals reach node directly.
#   gateway | ledger | chain-watcher   the services (dist/services/<name>/src/main.js)
#   front                              the round-robin front of the gateway replicas (deploy/stack/round-robin.ts)
#   demo-upstream                      the demos the gateways sell (examples/demo-upstream.ts)
set -eu
service=${SERVICE:?set SERVICE to gateway, ledger, chain-watcher, front or demo-upstream}
case "$service" in
  front) main="dist/deploy/stack/round-robin.js" ;;
  demo-upstream) main="dist/examples/demo-upstream.js" ;;
  *) main="dist/services/$service/src/main.js" ;;
esac
if [ ! -f "$main" ]; then
  echo "unknown SERVICE '$service': $main does not exist (expected gateway, ledger, chain-watcher, front or demo-upstream)" >&2
  exit 64
fi
exec node "$main"
