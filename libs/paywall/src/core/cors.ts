import {
  PROTOCOL_ERRORS,
  RDN_HEADERS,
  X402_PAYMENT_REQUIRED_HEADER,
  X402_PAYMENT_RESPONSE_HEADER,
  X402_PAYMENT_SIGNATURE_HEADER,
} from '@microraiden/protocol';

/**
 * Response headers a page's script must be able to read to pay (docs/protocol.md 5.5): every RDN-* header (challenge,
 * receipt, error, µRaiden's booleans), both x402 answers and Retry-After. None is CORS-safelisted, so without
 * Access-Control-Expose-Headers a browser hides them and a paying page cannot work.
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  ...new Set([
    RDN_HEADERS.gatewayPath,
    RDN_HEADERS.receiver,
    RDN_HEADERS.contract,
    RDN_HEADERS.token,
    RDN_HEADERS.price,
    RDN_HEADERS.chainId,
    RDN_HEADERS.priceMode,
    RDN_HEADERS.unitPrice,
    RDN_HEADERS.unitBytes,
    RDN_HEADERS.channelId,
    RDN_HEADERS.senderBalance,
    RDN_HEADERS.cost,
    RDN_HEADERS.chargedBalance,
    RDN_HEADERS.error,
    ...Object.values(PROTOCOL_ERRORS).flatMap((spec) =>
      spec.uraidenHeader === null ? [] : [spec.uraidenHeader],
    ),
    X402_PAYMENT_REQUIRED_HEADER,
    X402_PAYMENT_RESPONSE_HEADER,
    'Retry-After',
  ]),
];

/** Request headers a payment sends: always allowed in a preflight, whatever else it asks for. */
export const CORS_PAYMENT_HEADERS: readonly string[] = [
  RDN_HEADERS.sender,
  RDN_HEADERS.channelId,
  RDN_HEADERS.balance,
  RDN_HEADERS.balanceSignature,
  RDN_HEADERS.receiver,
  RDN_HEADERS.contract,
  RDN_HEADERS.chainId,
  X402_PAYMENT_SIGNATURE_HEADER,
];

/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;
type ResponseHeaders = Record<string, string | string[]>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** An OPTIONS request a browser sends before a cross-origin request it may not send unasked. */
export function isCorsPreflight(method: string, headers: RequestHeaders): boolean {
  return (
    method.toUpperCase() === 'OPTIONS' &&
    single(headers.origin) !== undefined &&
    single(headers['access-control-request-method']) !== undefined
  );
}

/**
 * The gateway's own answer to a preflight, never forwarded: any origin, the method asked for, the headers asked
 * for plus the payment headers. Without credentials (`*` forbids them) this allows no request a non-browser
 * client could not send anyway: payments travel in headers, never in cookies.
 */
export function corsPreflight(headers: RequestHeaders): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const method = single(headers['access-control-request-method'])?.trim() ?? '';
  const asked = (single(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => TOKEN.test(name));
  const allowed = new Map<string, string>();
  for (const name of [...CORS_PAYMENT_HEADERS, ...asked])
    if (!allowed.has(name.toLowerCase())) allowed.set(name.toLowerCase(), name);
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': '*',
      ...(TOKEN.test(method) ? { 'Access-Control-Allow-Methods': method } : {}),
      'Access-Control-Allow-Headers': [...allowed.values()].join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'Content-Length': '0',
    },
    body: '',
  };
}

function findName(headers: ResponseHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((key) => key.toLowerCase() === lower);
}

/**
 * `headers` of an answer to a cross-origin request (one with `Origin`) made readable: `*` as the allowed origin
 * unless the upstream chose one (its credentialed CORS stays its own), and the protocol's headers merged into
 * whatever the upstream exposes. Same-origin answers are returned unchanged.
 */
export function withCorsHeaders(requestHeaders: RequestHeaders, headers: ResponseHeaders): ResponseHeaders {
  if (single(requestHeaders.origin) === undefined) return headers;
  const out: ResponseHeaders = { ...headers };
  if (findName(out, 'Access-Control-Allow-Origin') === undefined) out['Access-Control-Allow-Origin'] = '*';
  const existingName = findName(out, 'Access-Control-Expose-Headers');
  const existing = existingName === undefined ? '' : (single(out[existingName]) ?? '');
  if (existingName !== undefined) delete out[existingName];
  const exposed = new Map<string, string>();
  for (const name of [...existing.split(','), ...CORS_EXPOSED_HEADERS]) {
    const trimmed = name.trim();
    if (trimmed !== '') exposed.set(trimmed.toLowerCase(), trimmed);
  }
  out['Access-Control-Expose-Headers'] = [...exposed.values()].join(', ');
  return out;
}
