import { parseReceipt, RDN_HEADERS, readHeader, type Challenge, type Hex32 } from '@microraiden/protocol';
import { chargedAfter, decideByteTopUp, unitsOfBytes, type ByteStreamTerms } from './byte-top-up';
import { startPaidStream, type PaidStreamOptions, type StartedStream } from './paid-stream-request';
import { parseStreamReceipt, type StreamReceipt } from './stream-authorization';
import type { StreamExchange } from './stream-transport';

/** A paid byte stream: iterate it for the body's bytes, unchanged; top-ups go out on the request body meanwhile. */
export interface PaidByteStream extends AsyncIterable<Uint8Array> {
  /** The response status (2xx for a paid stream; a free route's status as it came). */
  readonly status: number;
  /** The response head (its Content-Type is the upstream's). */
  readonly headers: StreamExchange['headers'];
  /** The channel paying, undefined for a free route. */
  readonly channelId: Hex32 | undefined;
  /** Signed in total by this stream so far (what the budget bounds). */
  readonly spent: bigint;
  /** Body bytes received so far. */
  readonly bytes: number;
  /** Units received so far: `ceil(bytes / unitBytes)`; what the gateway charges unless the connection broke. */
  readonly units: number;
  /**
   * The gateway's receipt once the stream ended: its `RDN-Receipt` trailer, or, where trailers cannot be read
   * (the fetch transport, an HTTP/1.0 hop), the cost of the units received. Null for a free route or a stream this
   * client closed.
   */
  readonly receipt: Promise<StreamReceipt | null>;
  /** Stops reading and drops the connection: the gateway charges the units it wrote before. */
  close(): void;
}

/** One paid byte stream's state while it is read. */
class ByteStreamSession implements PaidByteStream {
  bytes = 0;
  spent: bigint;
  private authorised: bigint;
  private readonly base: bigint;
  private finished = false;
  private topUpsDone = false;
  private resolveReceipt!: (receipt: StreamReceipt | null) => void;
  readonly receipt: Promise<StreamReceipt | null>;

  constructor(
    private readonly started: Extract<StartedStream, { kind: 'paid' }>,
    private readonly terms: ByteStreamTerms,
    private readonly options: PaidStreamOptions,
  ) {
    this.receipt = new Promise((resolve) => (this.resolveReceipt = resolve));
    const { exchange, proof } = started;
    this.spent = proof.balance - proof.base;
    // The head says what the gateway holds (S) and had charged (C) once the first proof was accepted.
    const head = parseReceipt(exchange.headers);
    const receipt = head.ok ? head.value : undefined;
    this.authorised = receipt?.senderBalance ?? proof.balance;
    this.base = receipt === undefined ? proof.base : (receipt.chargedBalance ?? receipt.senderBalance);
  }

  get status(): number {
    return this.started.exchange.status;
  }

  get headers(): StreamExchange['headers'] {
    return this.started.exchange.headers;
  }

  get channelId(): Hex32 {
    return this.started.channelId;
  }

  get units(): number {
    return unitsOfBytes(this.bytes, this.terms.unitBytes);
  }

  close(): void {
    this.finish(null);
    this.started.exchange.abort();
  }

  private finish(receipt: StreamReceipt | null): void {
    if (this.finished) return;
    this.finished = true;
    this.started.exchange.endRequest();
    this.resolveReceipt(receipt);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of this.started.exchange.body) {
        this.bytes += chunk.byteLength;
        if (!this.finished) await this.topUp();
        yield chunk;
      }
      if (!this.finished) this.finish(await this.endReceipt());
    } catch (err) {
      if (!this.finished) throw err;
    } finally {
      this.finish(null);
    }
  }

  /** Writes the top-up line(s) the bytes received call for; closes the request body once the budget is spent. */
  private async topUp(): Promise<void> {
    const { wallet, onProgress, budget } = this.options;
    const { exchange, channelId, authorizeAll } = this.started;
    if (authorizeAll || this.topUpsDone) return;
    for (;;) {
      const position = { authorised: this.authorised, base: this.base, bytes: this.bytes, spent: this.spent };
      const step = decideByteTopUp(this.terms, position, budget);
      if (step.kind === 'wait') return;
      if (step.kind === 'stop') {
        onProgress?.({ stage: 'budget-spent', spent: this.spent });
        this.finishTopUps();
        return;
      }
      // Sign exactly S + step: the wallet signs `price` over the charged balance it knows, so tell it C (units
      // received) and ask for the difference.
      const charged = chargedAfter(this.terms, position);
      await wallet.recordReceiverBalance({ channelId, balance: this.authorised, chargedBalance: charged });
      const increment = step.balance - charged;
      const proof = await wallet.preparePayment({ channelId, price: increment, maxIncrement: increment });
      this.spent += proof.balance - this.authorised;
      this.authorised = proof.balance;
      onProgress?.({ stage: 'top-up', balance: proof.balance, spent: this.spent });
      exchange.send(`${JSON.stringify({ balance: proof.balance.toString(), signature: proof.signature })}\n`);
    }
  }

  private finishTopUps(): void {
    if (this.topUpsDone) return;
    this.topUpsDone = true;
    this.started.exchange.endRequest();
  }

  /** The receipt at the body's end: the trailer, else what the units received cost (docs/protocol.md 7.3). */
  private async endReceipt(): Promise<StreamReceipt> {
    const { exchange, channelId } = this.started;
    const trailers = exchange.trailers();
    const error = trailer(trailers, RDN_HEADERS.error);
    if (error !== undefined) {
      const message = trailer(trailers, 'RDN-Error-Message') ?? '';
      this.options.onProgress?.({ stage: 'gateway-error', code: error, message });
    }
    const sent = trailer(trailers, 'RDN-Receipt');
    const fromTrailer = sent === undefined ? undefined : parseStreamReceipt(sent);
    const units = this.units;
    const chargedBalance = this.base + BigInt(units) * this.terms.unitPrice;
    const receipt = fromTrailer ?? {
      channelId,
      balance: this.authorised,
      chargedBalance,
      cost: chargedBalance - this.base,
      units,
    };
    await this.options.wallet.recordReceiverBalance({
      channelId,
      balance: receipt.balance,
      chargedBalance: receipt.chargedBalance,
    });
    return receipt;
  }
}

/** A trailer's value; undefined when absent or unreadable (a trailer is advice: the bytes counted are the fallback). */
function trailer(trailers: StreamExchange['headers'] | undefined, name: string): string | undefined {
  const read = readHeader(trailers, name, 4096);
  return read.ok ? read.value : undefined;
}

/** The route's byte terms; startPaidStream checked it is a byte-metered stream. */
function termsOf(challenge: Challenge): ByteStreamTerms {
  return {
    unitPrice: challenge.unitPrice ?? challenge.price,
    unitBytes: challenge.unitBytes ?? 1,
    step: challenge.price,
  };
}

/** A free route's body as it came: no channel, no receipt. */
function freeStream(exchange: StreamExchange): PaidByteStream {
  let bytes = 0;
  return {
    status: exchange.status,
    headers: exchange.headers,
    channelId: undefined,
    spent: 0n,
    get bytes() {
      return bytes;
    },
    units: 0,
    receipt: Promise.resolve(null),
    close: () => exchange.abort(),
    async *[Symbol.asyncIterator]() {
      for await (const chunk of exchange.body) {
        bytes += chunk.byteLength;
        yield chunk;
      }
    },
  };
}

/**
 * Reads a byte-metered streamed resource (`RDN-Unit-Bytes`: a file, NDJSON, any body) paid per unit of bytes within
 * `budget`: the paid request carries a proof for one step (or the whole budget without a duplex transport); while
 * the body arrives, the client counts its bytes and writes a top-up line for S + step on the same request's body once
 * at most half a step is left, as long as the budget allows. The iterable yields the body unchanged; `receipt`
 * resolves with the gateway's `RDN-Receipt` trailer. A route metered per event is refused before anything is signed
 * (CHALLENGE_MISMATCH): read it with `paidStream`. See docs/protocol.md 7.3, "Byte-metered streams".
 *
 * @example
 * const download = await paidByteStream('http://localhost:3000/files/big.bin', {
 *   wallet: client,
 *   budget: 10n ** 15n,
 *   transport: nodeStreamTransport(),
 * });
 * for await (const chunk of download) file.write(chunk);
 * console.log((await download.receipt)?.cost);
 */
export async function paidByteStream(url: string | URL, options: PaidStreamOptions): Promise<PaidByteStream> {
  const started = await startPaidStream(url, options, 'bytes');
  if (started.kind === 'free') return freeStream(started.exchange);
  return new ByteStreamSession(started, termsOf(started.challenge), options);
}
