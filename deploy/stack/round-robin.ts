// A tiny round-robin front for the local stack's gateway replicas: keep-alive to each replica, headers passed
// through both ways, 502 with a JSON body when the chosen replica does not answer (which replica and why go to
// stderr only: a public answer names no internal address), and requests Node's parser refuses (a 100 KB header)
// answered as the gateways answer them. It does not retry on the
// other replica: a paid request may have reached the first one, and only the client may decide to re-send.
// usage: PORT=8080 [HOST=127.0.0.1] TARGETS=http://127.0.0.1:3000,http://127.0.0.1:3003 node -r @swc-node/register deploy/stack/round-robin.ts
import { Agent, createServer, request, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { answerClientError } from '@microraiden/service-kit';
import { z } from 'zod';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(8080),
    /** 127.0.0.1 for the local stack; the compose stack's front listens on 0.0.0.0 inside its container. */
    HOST: z.string().min(1).default('127.0.0.1'),
    TARGETS: z
      .string()
      .transform((value) => value.split(',').map((target) => target.trim()))
      .pipe(z.array(z.url({ protocol: /^http$/ })).min(1)),
  })
  .parse(process.env);

const targets = env.TARGETS.map((target) => new URL(target));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

// Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, never the next one.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: NodeJS.Dict<string | string[]>): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(name) || value === undefined) continue;
    // A single line as a string: Node's agent insists on a string Host.
    kept[name] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  return kept;
}

function badGateway(res: ServerResponse, replica: string, reason: string): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: 'replica did not answer', replica, reason })}\n`,
  );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(
    JSON.stringify({
      error: {
        code: 'REPLICA_UNAVAILABLE',
        message: 'The gateway replica did not answer; retry.',
        details: {},
      },
    }),
  );
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

let next = 0;
const server = createServer((req, res) => {
  if (req.url === '/health/live') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', replicas: targets.length }));
    return;
  }
  const index = next;
  next = (next + 1) % targets.length;
  const target = targets[index]!;
  const upstream = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: {
        // Each header line passed on as its own line: joining a repeat into `a, a` would change its meaning
        // (docs/protocol.md section 2 counts a payment header repeated with the same value once).
        ...endToEnd(req.headersDistinct),
        'x-forwarded-for': req.socket.remoteAddress ?? '',
        'x-forwarded-host': req.headers.host ?? '',
      },
    },
    (answer) => {
      // Which replica served: lets the smoke check (and a curious human) see the rotation.
      res.writeHead(answer.statusCode ?? 502, {
        ...endToEnd(answer.headers),
        'x-stack-replica': String(index + 1),
      });
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => badGateway(res, target.origin, err.message));
  req.pipe(upstream);
});
server.on('clientError', answerClientError);
server.keepAliveTimeout = 65_000;
server.listen(env.PORT, env.HOST, () => {
  process.stdout.write(`round-robin front on http://${env.HOST}:${env.PORT} -> ${env.TARGETS.join(', ')}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    agent.destroy();
  });
}
