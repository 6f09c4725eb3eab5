import type { Hex32 } from '@microraiden/protocol';
import { startPaidStream, type PaidStreamOptions, type PaidStreamProgress } from './paid-stream-request';
import { ServerSentEventReader, type ServerSentEvent } from './sse-messages';
import {
  decideTopUp,
  parseAuthorizeRequest,
  parseStreamReceipt,
  type StreamReceipt,
} from './stream-authorization';
import type { StreamExchange } from './stream-transport';

export type { PaidStreamOptions, PaidStreamProgress };

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

/**
 * Reads a streamed (SSE) resource paid per event: the first request meets the 402 challenge (`RDN-Price-Mode:
 * stream`, RDN-Price = one step), the paid one carries a proof for one step (or the whole budget with
 * `authorizeAll`), and every `rdn-authorize` the gateway sends while it holds the stream is answered with a top-up
 * line on the same request's body, as long as the budget allows. The iterable yields the upstream's events; `receipt`
 * resolves with the gateway's `rdn-receipt` (what the stream cost). See docs/protocol.md, "Streamed prices". A route
 * metered per bytes (`RDN-Unit-Bytes`) is refused before anything is signed (CHALLENGE_MISMATCH): read it with
 * `paidByteStream`.
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
  const started = await startPaidStream(url, options, 'event');
  if (started.kind === 'free') return new StreamSession(started.exchange, options, undefined, false);
  const { exchange, channelId, proof, authorizeAll } = started;
  const session = new StreamSession(exchange, options, channelId, options.transport.duplex && !authorizeAll);
  session.spent = proof.balance - proof.base;
  return session;
}
