// The front's HAProxy configuration, generated from the stack's ports (npm run stack) or the compose service names
// (deploy/haproxy/haproxy.cfg, checked for drift by haproxy-config.spec.ts). Why HAProxy and what each retry
// rule protects: deploy/README.md, "Front (HAProxy)".
import { existsSync } from 'node:fs';

/** One gateway replica behind the front. */
export interface FrontServer {
  /** The server's name in HAProxy's logs; its position (1, 2, ...) is the `x-stack-replica` answer header. */
  readonly name: string;
  /** host:port */
  readonly address: string;
}

export interface HaproxyConfigOptions {
  /** host:port the front listens on. */
  readonly bind: string;
  readonly servers: readonly FrontServer[];
  /** Milliseconds between two readiness checks of a replica. */
  readonly checkIntervalMs?: number;
  /**
   * Where HAProxy's own log lines go: `stdout` for a process whose stdout is a log file (the stack) or a container.
   * Only requests that ended in an error are logged, to keep the front's CPU on forwarding.
   */
  readonly log?: 'stdout' | 'none';
  /**
   * A DNS server (host:port) to re-resolve the replicas' names with: compose's 127.0.0.11:53, where a restarted
   * container comes back under a new address. Unset: names are resolved once at start (the stack's are IPs).
   */
  readonly nameserver?: string;
}

/** The answer body of the front's own errors: the gateways' error shape (docs/protocol.md section 7). */
function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, details: {} } });
}

/**
 * The front's own answers. Which of them a client may retry is the point (deploy/README.md, "Retry rules"):
 * 503 is answered before any replica saw the request (always safe to send again); 502 and 504
 * come after the request may have reached a replica (a paid one may have been accepted).
 */
export const FRONT_ERRORS = {
  502: {
    code: 'REPLICA_UNAVAILABLE',
    message: 'The gateway replica failed while answering; a paid request may have been accepted.',
  },
  // The protocol's own code (docs/protocol.md section 8.1: wait Retry-After, retry), so a client needs no new one.
  503: {
    code: 'GATEWAY_UNAVAILABLE',
    message: 'No gateway replica is ready; nothing was forwarded. Retry after Retry-After seconds.',
  },
  504: {
    code: 'REPLICA_TIMEOUT',
    message: 'The gateway replica did not answer in time; a paid request may have been accepted.',
  },
} as const;

// HAProxy's quoted strings: a double-quoted argument, backslash-escaped.
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function backend(name: 'free' | 'paid', options: HaproxyConfigOptions): string[] {
  const inter = options.checkIntervalMs ?? 1000;
  const lines = [
    `backend ${name}`,
    '  balance roundrobin',
    // Readiness, not liveness: a replica whose Kafka or database is gone answers 503 there and leaves the rotation.
    '  option httpchk',
    '  http-check send meth GET uri /health/ready',
    '  http-check expect status 200',
    '  http-response set-header x-stack-replica %[srv_id]',
  ];
  if (name === 'paid') {
    // A paid request is re-sent when its connection failed before the request went out, or (GET/HEAD) when a
    // replica answered 503: a gateway's 503 is never an acceptance (docs/protocol.md section 7) and the same proof
    // is re-sent. A dropped connection or a timeout after the request went out may hide an acceptance: only the
    // client may decide (it holds the proof), so the front answers 502/504.
    lines.push('  retry-on conn-failure 503');
  } else {
    // Unpaid GET and HEAD are idempotent: re-sent after any failure.
    lines.push('  retry-on conn-failure empty-response response-timeout 502 503 504');
  }
  // Other methods (a POST may have done something upstream) are re-sent only on a connection failure.
  lines.push('  http-request disable-l7-retry unless METH_GET || METH_HEAD');
  // fall 2 x inter: a dead replica is out of rotation within ~2 s; until then the retries above cover it.
  // observe layer4 + error-limit: connection failures of real traffic eject it at once, without waiting.
  // A replica whose name does not resolve yet starts as down instead of failing the whole front.
  const dns = options.nameserver === undefined ? '' : ' resolvers dns init-addr last,libc,none';
  for (const server of options.servers) {
    lines.push(
      `  server ${server.name} ${server.address} check inter ${inter} fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down${dns}`,
    );
  }
  return lines;
}

/** The whole haproxy.cfg: one frontend, a `paid` and a `free` backend over the same replicas. */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  if (options.servers.length === 0) throw new Error('haproxyConfig: no servers');
  const logging = (options.log ?? 'stdout') === 'stdout';
  const jsonAnswer = (status: 502 | 503 | 504) =>
    `  http-error status ${status} content-type application/json string ${quoted(errorBody(FRONT_ERRORS[status].code, FRONT_ERRORS[status].message))}${status === 503 ? ' hdr retry-after 1 hdr rdn-error GATEWAY_UNAVAILABLE' : ''}`;
  const lines = [
    '# Generated by deploy/stack/haproxy-config.ts: edit that, not this file.',
    'global',
    logging ? '  log stdout format raw local0 info' : '  # no log',
    '  maxconn 4096',
    // One thread: the front forwards a few thousand requests a second at most on this 2-core machine.
    '  nbthread 1',
    '',
    ...(options.nameserver === undefined
      ? []
      : ['resolvers dns', `  nameserver dns ${options.nameserver}`, '  hold valid 5s', '']),
    'defaults',
    '  mode http',
    logging ? '  log global' : '  no log',
    '  option httplog',
    '  option dontlog-normal',
    '  option http-keep-alive',
    '  option forwardfor',
    '  timeout connect 1s',
    '  timeout client 65s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 65s',
    '  timeout server 60s',
    '  timeout queue 5s',
    '  timeout check 2s',
    // Each retry goes to another replica (redispatch), at most twice.
    '  retries 2',
    '  option redispatch 1',
    jsonAnswer(502),
    jsonAnswer(503),
    jsonAnswer(504),
    '',
    'frontend front',
    `  bind ${options.bind}`,
    '  http-request set-header x-forwarded-host %[req.hdr(host)]',
    `  http-request return status 200 content-type application/json string ${quoted('{"status":"ok"}')} if { path /health/live }`,
    // Ready when a replica can take paid traffic: what an orchestrator in front of the front should ask.
    `  http-request return status 200 content-type application/json string ${quoted('{"status":"ok"}')} if { path /health/ready } { nbsrv(paid) gt 0 }`,
    `  http-request return status 503 content-type application/json string ${quoted(errorBody(FRONT_ERRORS[503].code, FRONT_ERRORS[503].message))} if { path /health/ready }`,
    // Paid: carries a payment header of either wire (docs/protocol.md section 2; x402's PAYMENT-SIGNATURE).
    '  acl paid req.hdr_cnt(rdn-balance-signature) gt 0',
    '  acl paid req.hdr_cnt(payment-signature) gt 0',
    '  use_backend paid if paid',
    '  default_backend free',
    '',
    ...backend('free', options),
    '',
    ...backend('paid', options),
    '',
  ];
  return lines.join('\n');
}

/** Debian's haproxy (apt-get install haproxy), or undefined. HAPROXY_BIN overrides the path. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.HAPROXY_BIN, '/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'];
  return candidates.find(
    (candidate): candidate is string => candidate !== undefined && existsSync(candidate),
  );
}
