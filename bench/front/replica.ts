// A stand-in gateway replica for the front bench: answers /health/ready and every other path with a small JSON
// body at once, so what the bench measures is the front, not the gateway behind it.
// usage: PORT=3000 node -r @swc-node/register bench/front/replica.ts
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const body = Buffer.from(
  JSON.stringify({ fortune: 'A bench is only as fair as its stand-ins.', replica: port }),
);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
