// Docker HEALTHCHECK: exit 0 when the service answers GET /health/live on its port, 1 otherwise.
'use strict';

// The services' own default ports, used when PORT is not set.
const DEFAULT_PORTS = { gateway: 3000, ledger: 3001, 'chain-watcher': 3002 };
const port = process.env.PORT || DEFAULT_PORTS[process.env.SERVICE] || 3000;

fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
