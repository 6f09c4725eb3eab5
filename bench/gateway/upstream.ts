// The benchmark's upstream API: a keep-alive HTTP server answering a small JSON body, in its own process.
// usage: node -r @swc-node/register bench/gateway/upstream.ts   (prints its port on stdout)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(JSON.stringify({ city: 'Berlin', tempC: 21, source: 'bench-upstream' }));
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
