// The compose stack's front configuration (deploy/haproxy/haproxy.cfg), from the same generator as the local
// stack's. haproxy-config.spec.ts fails when the committed file drifts; this rewrites it:
//   node -r @swc-node/register deploy/stack/haproxy-compose.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { haproxyConfig } from './haproxy-config';

export const COMPOSE_HAPROXY_FILE = path.resolve(__dirname, '../haproxy/haproxy.cfg');

/** docker-compose.yml's front: on 8080 in its container, over gateway-1 and gateway-2 (port 3000 each). */
export function composeHaproxyConfig(): string {
  return haproxyConfig({
    bind: '0.0.0.0:8080',
    servers: [
      { name: 'gateway-1', address: 'gateway-1:3000' },
      { name: 'gateway-2', address: 'gateway-2:3000' },
    ],
    // Docker's embedded DNS: a restarted gateway container comes back under a new address.
    nameserver: '127.0.0.11:53',
  });
}

if (require.main === module) {
  writeFileSync(COMPOSE_HAPROXY_FILE, composeHaproxyConfig());
  process.stdout.write(`wrote ${COMPOSE_HAPROXY_FILE}\n`);
}
