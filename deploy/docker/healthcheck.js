// Docker HEALTHCHECK: exit 0 when the program answers its health path on its port, 1 otherwise.
//   node deploy/docker/healthcheck.js [path]     (default /health/live; compose passes /health/ready)
'use strict';

// The programs' own default ports, used when PORT is not set.
const DEFAULT_PORTS = {
  gateway: 3000,
  ledger: 3001,
  'chain-watcher': 3002,
  front: 8080,
  'demo-upstream': 8081,
};
// The demo upstream knows nothing of health endpoints: its free index page is its sign of life.
const PATHS = { 'demo-upstream': '/' };
const port = process.env.PORT || DEFAULT_PORTS[process.env.SERVICE] || 3000;
const healthPath = process.argv[2] || PATHS[process.env.SERVICE] || '/health/live';

fetch(`http://127.0.0.1:${port}${healthPath}`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
