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
import { ServerSentEventReader, type ServerSentEvent } from './sse-messages';
import {
  decideTopUp,
  parseAuthorizeRequest,
  parseStreamReceipt,
  type StreamReceipt,
} from './stream-authorization';
import type { StreamExchange, StreamTransport } from './stream-transport';

/** Limits and knobs of one paid stream. */
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
  /** The gateway reported a problem in the stream (`rdn-error`): a refused top-up, a malformed line. */
  | { readonly stage: 'gateway-error'; readonly code: string; readonly message: string };

/** A paid stream: iterate it for the upstream's events; the gateway's own (`rdn-*`) are handled inside. */
export interface PaidStream extends AsyncIterable<ServerSentEvent> {
  /** The response status (2xx for a paid stream; a free route's status as it came). */
  readonly status: number;
  /** The channel paying, undefined for a free route. */
  readonly channelId: Hex32 | undefined;
  /** Signed in total by this stream so far (what the budget bounds). */
  readonly spent: bigint;
  /** The gateway's final receipt once the stream ended; null when it sent none (free route, cut off). */
  readonly receipt: Promise<StreamReceipt | null>;
  /** Stops reading and drops the connection: the gateway charges the units it wrote before. */
  close(): void;
}

const CORRECTABLE = new Set(['BALANCE_STALE', 'INCREMENT_BELOW_PRICE']);

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

/** One stream's state while it is read. */
class StreamSession implements PaidStream {
  spent = 0n;
  private finished = false;
  private resolveReceipt!: (receipt: StreamReceipt | null) => void;
  readonly receipt: Promise<StreamReceipt | null>;

  constructor(
    private readonly exchange: StreamExchange,
    private readonly options: PaidStreamOptions,
    readonly channelId: Hex32 | undefined,
    private readonly canTopUp: boolean,
  ) {
    this.receipt = new Promise((resolve) => (this.resolveReceipt = resolve));
  }

  get status(): number {
    return this.exchange.status;
  }

  close(): void {
    this.finish(null);
    this.exchange.abort();
  }

  private finish(receipt: StreamReceipt | null): void {
    if (this.finished) return;
    this.finished = true;
    this.exchange.endRequest();
    this.resolveReceipt(receipt);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ServerSentEvent> {
    const reader = new ServerSentEventReader();
    try {
      for await (const chunk of this.exchange.body) {
        for (const event of reader.push(chunk)) {
          if (!event.event.startsWith('rdn-') || this.channelId === undefined) yield event;
          else await this.gatewayEvent(event);
        }
      }
    } catch (err) {
      if (!this.finished) throw err;
    } finally {
      this.finish(null);
    }
  }

  private async gatewayEvent(event: ServerSentEvent): Promise<void> {
    const { wallet, onProgress } = this.options;
    const channelId = this.channelId as Hex32;
    if (event.event === 'rdn-receipt') {
      const receipt = parseStreamReceipt(event.data);
      if (receipt !== undefined && receipt.channelId === channelId) {
        const { balance, chargedBalance } = receipt;
        await wallet.recordReceiverBalance({ channelId, balance, chargedBalance });
      }
      this.finish(receipt ?? null);
    } else if (event.event === 'rdn-error') {
      const { code, message } = JSON.parse(event.data) as { code?: unknown; message?: unknown };
      onProgress?.({ stage: 'gateway-error', code: String(code), message: String(message ?? '') });
    } else if (event.event === 'rdn-authorize') {
      await this.authorize(event.data);
    }
  }

  /** Answers `rdn-authorize` with a top-up line, within the budget; else closes the request body. */
  private async authorize(data: string): Promise<void> {
    if (!this.canTopUp || this.finished) return;
    const { wallet, onProgress, budget } = this.options;
    const channelId = this.channelId as Hex32;
    const request = parseAuthorizeRequest(data);
    const step =
      request === undefined
        ? ({ kind: 'stop', reason: 'malformed' } as const)
        : decideTopUp(request, this.spent, budget);
    if (request === undefined || step.kind === 'stop') {
      onProgress?.({ stage: 'budget-spent', spent: this.spent });
      this.exchange.endRequest();
      return;
    }
    // The gateway holds `balance`: sign exactly `needed` on top of it (signed balances only grow).
    const { balance, chargedBalance } = request;
    await wallet.recordReceiverBalance({ channelId, balance, chargedBalance });
    const proof = await wallet.preparePayment({
      channelId,
      price: step.increment,
      maxIncrement: step.increment,
    });
    this.spent += proof.balance - request.balance;
    onProgress?.({ stage: 'top-up', balance: proof.balance, spent: this.spent });
    this.exchange.send(
      `${JSON.stringify({ balance: proof.balance.toString(), signature: proof.signature })}\n`,
    );
  }
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
  options: PaidStreamOptions,
  challenge: Challenge,
  channelId: Hex32,
  first: bigint,
): Promise<{ exchange: StreamExchange; proof: PreparedPayment }> {
  const { wallet, transport } = options;
  const duplex = transport.duplex && options.authorizeAll !== true;
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
 * Reads a streamed (SSE) resource paid per event: the first request meets the 402 challenge (`RDN-Price-Mode:
 * stream`, RDN-Price = one step), the paid one carries a proof for one step (or the whole budget with
 * `authorizeAll`), and every `rdn-authorize` the gateway sends while it holds the stream is answered with a top-up
 * line on the same request's body, as long as the budget allows. The iterable yields the upstream's events; `receipt`
 * resolves with the gateway's `rdn-receipt` (what the stream cost). See docs/protocol.md, "Streamed prices".
 *
 * @example
 * const stream = await paidStream('http://localhost:3000/api/complete?prompt=hi', {
 *   wallet: client,
 *   budget: 1_000n,
 *   transport: nodeStreamTransport(),
 * });
 * for await (const event of stream) process.stdout.write(JSON.parse(event.data).token);
 * console.log((await stream.receipt)?.cost);
 */
export async function paidStream(url: string | URL, options: PaidStreamOptions): Promise<PaidStream> {
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
  if (unpaid.status !== 402) return new StreamSession(unpaid, options, undefined, false);
  const parsed = parseChallenge(unpaid.headers);
  await drain(unpaid);
  if (!parsed.ok) throw parsed.error;
  const challenge = parsed.value;
  checkChallenge(challenge, await wallet.paymentIdentity(), budget);
  const authorizeAll = options.authorizeAll ?? !transport.duplex;
  const channelId = await wallet.fundChannel({
    receiver: challenge.receiver,
    amount: budget,
    maxDeposit: options.maxDeposit ?? 0n,
  });
  const first = authorizeAll ? budget : challenge.price;
  const { exchange, proof } = await openPaid(
    target,
    { ...options, authorizeAll },
    challenge,
    channelId,
    first,
  );
  const session = new StreamSession(exchange, options, channelId, transport.duplex && !authorizeAll);
  session.spent = proof.balance - proof.base;
  return session;
}
