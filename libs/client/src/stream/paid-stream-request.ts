import {
  encodePayment,
  parseChallenge,
  parseErrorCode,
  parseReceipt,
  type Challenge,
  type Hex32,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { checkChallenge } from '../payment/challenge-check';
import type { PaymentWallet, PreparedPayment } from '../payment/payment-wallet';
import type { StreamExchange, StreamTransport } from './stream-transport';

/** Limits and knobs of one paid stream (events or bytes). */
export interface PaidStreamOptions {
  /** Who pays (a `Client`). */
  readonly wallet: PaymentWallet;
  /**
   * The most this stream signs in total, in token base units, on top of the balance the gateway held when it
   * started: the first proof and every top-up together. Once the next top-up would exceed it, no more are sent and
   * the gateway ends the stream when the authorisation is used up.
   */
  readonly budget: bigint;
  /** Open or top up a channel to at most this deposit when none can pay the budget. Default 0: existing channels only. */
  readonly maxDeposit?: bigint;
  /** How the request goes out: `nodeStreamTransport()` (duplex) in Node, `fetchStreamTransport()` elsewhere. */
  readonly transport: StreamTransport;
  /** Default GET. A streamed route takes its input in the URL and headers: the request body carries top-ups. */
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /**
   * Sign the whole budget in the first proof and send no top-ups. Default: true when the transport is not duplex
   * (browsers), else false (one step at a time: the gateway holds at most one step more than it delivered).
   */
  readonly authorizeAll?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PaidStreamProgress) => void;
}

/** What a paid stream is doing. */
export type PaidStreamProgress =
  | { readonly stage: 'paying'; readonly channelId: Hex32; readonly balance: bigint }
  | { readonly stage: 'top-up'; readonly balance: bigint; readonly spent: bigint }
  | { readonly stage: 'budget-spent'; readonly spent: bigint }
  /** The gateway reported a problem: `rdn-error` in an event stream, the `RDN-Error` trailer of a byte stream. */
  | { readonly stage: 'gateway-error'; readonly code: string; readonly message: string };

/** Which unit a stream is read in: one SSE event, or `unitBytes` of the body (docs/protocol.md 7.3). */
export type StreamUnit = 'event' | 'bytes';

/** The stream as it started: free (not a 402), or paid with the first proof accepted. */
export type StartedStream =
  | { readonly kind: 'free'; readonly exchange: StreamExchange }
  | {
      readonly kind: 'paid';
      readonly exchange: StreamExchange;
      readonly challenge: Challenge;
      readonly channelId: Hex32;
      readonly proof: PreparedPayment;
      /** Whether the first proof signed the whole budget (no top-ups follow). */
      readonly authorizeAll: boolean;
    };

const CORRECTABLE = new Set(['BALANCE_STALE', 'INCREMENT_BELOW_PRICE']);

/** Reads (up to 64 KiB of) a body that is not the stream: a refusal's JSON, a corrective answer. */
async function drain(exchange: StreamExchange): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of exchange.body) if (text.length < 65_536) text += decoder.decode(chunk);
  return text;
}

async function refusal(exchange: StreamExchange, code: string | undefined): Promise<ClientError> {
  let message = '';
  try {
    const body = JSON.parse(await drain(exchange)) as { error?: { message?: unknown } };
    if (typeof body?.error?.message === 'string') message = `: ${body.error.message.slice(0, 300)}`;
  } catch {
    // No readable body: the code says enough.
  }
  return new ClientError(
    'PAYMENT_REFUSED',
    `the gateway refused the stream's payment with ${code ?? exchange.status}${message}`,
    { ...(code === undefined ? {} : { gatewayCode: code }), status: exchange.status },
  );
}

function paymentHeaders(challenge: Challenge, proof: PreparedPayment): Record<string, string> {
  return encodePayment({
    sender: proof.sender,
    channelId: proof.channelId,
    balance: proof.balance,
    signature: proof.signature,
    receiver: challenge.receiver,
    channelManager: challenge.channelManager,
    chainId: challenge.chainId,
  });
}

/** Sends the paid request; one re-sign on a corrective answer (BALANCE_STALE / INCREMENT_BELOW_PRICE with a receipt). */
async function openPaid(
  url: URL,
  options: PaidStreamOptions & { readonly authorizeAll: boolean },
  challenge: Challenge,
  channelId: Hex32,
  first: bigint,
): Promise<{ exchange: StreamExchange; proof: PreparedPayment }> {
  const { wallet, transport } = options;
  const duplex = transport.duplex && !options.authorizeAll;
  for (let attempt = 1; ; attempt++) {
    const proof = await wallet.preparePayment({ channelId, price: first, maxIncrement: options.budget });
    options.onProgress?.({ stage: 'paying', channelId, balance: proof.balance });
    const exchange = await transport.open(url, {
      method: options.method ?? 'GET',
      headers: {
        ...options.headers,
        ...paymentHeaders(challenge, proof),
        ...(duplex ? { 'content-type': 'application/x-ndjson' } : {}),
      },
      keepBodyOpen: duplex,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const receipt = parseReceipt(exchange.headers);
    const ours = receipt.ok && receipt.value?.channelId === channelId ? receipt.value : undefined;
    if (ours !== undefined) {
      const balance = ours.senderBalance;
      await wallet.recordReceiverBalance({
        channelId,
        balance,
        chargedBalance: ours.chargedBalance ?? balance,
      });
    }
    if (exchange.status >= 200 && exchange.status < 300) return { exchange, proof };
    const code = parseErrorCode(exchange.headers);
    if (attempt === 1 && ours !== undefined && code !== undefined && CORRECTABLE.has(code)) {
      exchange.endRequest();
      await drain(exchange);
      continue;
    }
    exchange.endRequest();
    throw await refusal(exchange, code);
  }
}

/**
 * Refuses a route read in the wrong unit before anything is signed: an event stream read as bytes (or any route not
 * streamed) would get no top-ups, a byte stream read as events would be misparsed.
 */
function checkStreamUnit(challenge: Challenge, unit: StreamUnit): void {
  const routeUnit: StreamUnit | undefined =
    challenge.priceMode !== 'stream' ? undefined : challenge.unitBytes === undefined ? 'event' : 'bytes';
  if (unit === routeUnit || (unit === 'event' && routeUnit === undefined)) return;
  const what =
    routeUnit === 'bytes'
      ? `metered per ${challenge.unitBytes} bytes of its body (RDN-Unit-Bytes): read it with streamBytes`
      : routeUnit === 'event'
        ? 'metered per server-sent event (no RDN-Unit-Bytes): read it with stream'
        : `not streamed (RDN-Price-Mode: ${challenge.priceMode ?? 'fixed'}): pay it with fetch`;
  throw new ClientError('CHALLENGE_MISMATCH', `the route is ${what}`, {
    field: 'stream unit',
    expected: unit,
    received: routeUnit ?? challenge.priceMode ?? 'fixed',
  });
}

/**
 * Starts a paid stream: the unpaid request meets the 402 challenge, the channel is found or funded, and the paid
 * request goes out with a proof for one step (or the whole budget, without a duplex transport or with
 * `authorizeAll`). A route that does not answer 402 comes back as `free`, its response as it came.
 */
export async function startPaidStream(
  url: string | URL,
  options: PaidStreamOptions,
  unit: StreamUnit,
): Promise<StartedStream> {
  const { wallet, budget, transport } = options;
  if (typeof budget !== 'bigint' || budget < 1n) {
    throw new ClientError('INVALID_AMOUNT', 'budget must be a bigint >= 1');
  }
  const target = new URL(url);
  const unpaid = await transport.open(target, {
    method: options.method ?? 'GET',
    headers: { ...options.headers },
    keepBodyOpen: false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (unpaid.status !== 402) return { kind: 'free', exchange: unpaid };
  const parsed = parseChallenge(unpaid.headers);
  await drain(unpaid);
  if (!parsed.ok) throw parsed.error;
  const challenge = parsed.value;
  checkChallenge(challenge, await wallet.paymentIdentity(), budget);
  checkStreamUnit(challenge, unit);
  const authorizeAll = options.authorizeAll ?? !transport.duplex;
  const channelId = await wallet.fundChannel({
    receiver: challenge.receiver,
    amount: budget,
    maxDeposit: options.maxDeposit ?? 0n,
  });
  const first = authorizeAll ? budget : challenge.price;
  const paid = await openPaid(target, { ...options, authorizeAll }, challenge, channelId, first);
  return { kind: 'paid', ...paid, challenge, channelId, authorizeAll };
}
