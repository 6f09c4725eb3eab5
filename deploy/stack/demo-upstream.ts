// The local stack's demo API behind the gateways: a fortune cookie and an echo (both priced in routes.json)
// and a free hello at `/`. It knows nothing about payments: the gateway in front of it does.
// usage: PORT=8081 node -r @swc-node/register deploy/stack/demo-upstream.ts
import { createServer, type ServerResponse } from 'node:http';
import { z } from 'zod';

const FORTUNES = [
  'A penny signed off-chain is a penny earned on-chain.',
  'Your channel will stay open as long as your deposit lasts.',
  'The receiver who keeps the latest proof never loses a dispute.',
  'Cumulative balances forgive lost packets.',
  'One transaction to open, none per request.',
] as const;

const port = z.coerce.number().int().min(1).max(65_535).default(8081).parse(process.env.PORT);

function json(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

let served = 0;
const server = createServer((req, res) => {
  req.resume();
  const url = new URL(req.url ?? '/', 'http://upstream');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    json(res, 405, { error: 'only GET' });
    return;
  }
  switch (url.pathname) {
    case '/':
      json(res, 200, { hello: 'microraiden demo upstream', paid: ['/api/fortune', '/api/echo'] });
      return;
    case '/api/fortune':
      served += 1;
      json(res, 200, { fortune: FORTUNES[served % FORTUNES.length], number: served });
      return;
    case '/api/echo':
      json(res, 200, { query: Object.fromEntries(url.searchParams) });
      return;
    default:
      json(res, 404, { error: 'not found', path: url.pathname });
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`demo upstream listening on http://127.0.0.1:${port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
