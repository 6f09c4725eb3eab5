import { RDN_HEADERS } from '@microraiden/protocol';

/** One answered request as the payment log sees it: what came in, what went out, how long it took. */
export interface AnsweredRequest {
  readonly requestId: string;
  readonly method: string;
  /** Path without the query string (a query may carry a client's secrets). */
  readonly path: string;
  readonly requestHeaders: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string | readonly string[] | number | undefined>>;
  readonly latencyMs: number;
}

/** How a request that concerned a payment ended. */
export type PaymentOutcome =
  /** Charged: the receipt's RDN-Cost is above zero. */
  | 'paid'
  /** A payment was offered and refused (RDN-Error names why), or the upstream failed and nothing was charged. */
  | 'not_charged'
  /** 402 to a request that offered no payment: the challenge. */
  | 'payment_required';

/** The fields of one payment log line (pino merges them into the JSON line). */
export interface PaymentLogFields {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly outcome: PaymentOutcome;
  /** RDN-Error of the answer, when it refused. */
  readonly code?: string;
  /** Charged amount in base units (decimal string), when a receipt came back. */
  readonly charged?: string;
  /** The same amount in token units (`0.001 MTK`), when the gateway knows the token's symbol and decimals. */
  readonly chargedTokens?: string;
  /** The paying channel: its sender and id (the id stands for sender, receiver and opening block). */
  readonly sender?: string;
  readonly channelId?: string;
  readonly latencyMs: number;
}

function header(
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const first = Array.isArray(value) ? (value as readonly string[])[0] : value;
    return first === undefined ? undefined : String(first);
  }
  return undefined;
}

const BASE_UNITS = /^(0|[1-9][0-9]{0,77})$/;
const SAFE_TOKEN = /^[A-Za-z0-9x]{1,66}$/;

/**
 * The log line of a request that concerned a payment (it offered one, or got a 402), from what went in and out;
 * undefined for any other request (free routes, 404s): those are counted by the metrics only. Only shapes the
 * protocol allows are copied from client headers, so a client cannot write arbitrary text into the log.
 */
export function paymentLogFields(
  answered: AnsweredRequest,
  tokenUnits?: (baseUnits: bigint) => string,
): PaymentLogFields | undefined {
  const signature = header(answered.requestHeaders, RDN_HEADERS.balanceSignature);
  const offered = signature !== undefined;
  if (!offered && answered.status !== 402) return undefined;
  const cost = header(answered.responseHeaders, RDN_HEADERS.cost);
  const charged = cost !== undefined && BASE_UNITS.test(cost) ? cost : undefined;
  const code = header(answered.responseHeaders, RDN_HEADERS.error);
  const sender = header(answered.requestHeaders, RDN_HEADERS.sender);
  const channelId = header(answered.requestHeaders, RDN_HEADERS.channelId);
  const outcome: PaymentOutcome =
    charged !== undefined && charged !== '0' ? 'paid' : offered ? 'not_charged' : 'payment_required';
  return {
    requestId: answered.requestId,
    method: answered.method,
    path: answered.path,
    status: answered.status,
    outcome,
    ...(code !== undefined && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? { code } : {}),
    ...(charged === undefined ? {} : { charged }),
    ...(charged !== undefined && tokenUnits !== undefined
      ? { chargedTokens: tokenUnits(BigInt(charged)) }
      : {}),
    ...(sender !== undefined && SAFE_TOKEN.test(sender) ? { sender } : {}),
    ...(channelId !== undefined && SAFE_TOKEN.test(channelId) ? { channelId } : {}),
    latencyMs: Math.round(answered.latencyMs * 10) / 10,
  };
}

/**
 * At most `perSecond` lines per wall-clock second; the rest are counted, and the next line logged reports how many
 * were left out (`unlogged`), so a flood of payments costs bounded log volume and nothing is silently lost from the
 * totals. `perSecond` 0 logs none. The metrics count every request regardless.
 */
export class PaymentLogSampler {
  private second = -1;
  private usedThisSecond = 0;
  private skipped = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether to log this line; if so, how many lines were left out since the last one logged. */
  take(): { log: false } | { log: true; unlogged: number } {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.usedThisSecond = 0;
    }
    if (this.usedThisSecond >= this.perSecond) {
      this.skipped += 1;
      return { log: false };
    }
    this.usedThisSecond += 1;
    const unlogged = this.skipped;
    this.skipped = 0;
    return { log: true, unlogged };
  }
}
