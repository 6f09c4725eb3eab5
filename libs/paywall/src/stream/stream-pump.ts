import type { Hex } from '@microraiden/protocol';
import { RDN_HEADERS } from '@microraiden/protocol';
import { sseEvent } from './sse-splitter';
import {
  stepStream,
  topUpTerms,
  type StreamDecision,
  type StreamInput,
  type StreamMeter,
  type StreamSettlement,
} from '../core/stream-meter';
import type { TopUpLine } from './top-up-lines';

/**
 * One piece of what the upstream produced, as it goes out: an SSE event (SseBlock: a unit when it has data) or a unit
 * of a byte-metered stream (ByteUnit).
 */
export interface StreamBlock {
  readonly text: string | Uint8Array;
  readonly unit: boolean;
}

/** A top-up's acceptance as the meter decided it. */
export type TopUpCommit = Extract<StreamDecision, { kind: 'commit-top-up' }>;

/** The verdict on a top-up proof before the meter judges its amount. */
export type TopUpVerdict =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** What the stream's end committed, for `rdn-receipt`. */
export interface StreamReceipt {
  readonly channelId: string;
  /** S after the stream. */
  readonly balance: bigint;
  /** C after the final charge. */
  readonly chargedBalance: bigint;
  /** This stream's charge: units * unitPrice. */
  readonly cost: bigint;
  readonly units: number;
}

/** The paywall's side of one stream (bound to its channel): verification and the durable commits. */
export interface StreamPort {
  /** Signature, channel and deposit of a top-up for its balance, under the meter's `terms`. */
  verifyTopUp(
    proof: { readonly balance: bigint; readonly signature: Hex },
    terms: ReturnType<typeof topUpTerms>,
  ): Promise<TopUpVerdict>;
  /** Accepts the top-up and charges the units delivered since the last commit, in one statement; true once committed. */
  commitTopUp(commit: TopUpCommit, signature: Hex): Promise<boolean>;
  /** Commits the final charge (`balance-proof.charged`); the receipt, or undefined when it could not commit. */
  settle(settlement: StreamSettlement): Promise<StreamReceipt | undefined>;
}

/** The client's end of the response. */
export interface StreamClient {
  /** Writes to the client; resolves when the socket took it (its backpressure). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Ends the response; `trailers` (a byte-metered stream's receipt) go out as HTTP trailers where the client can. */
  end(trailers?: Readonly<Record<string, string>>): void;
  /** Aborts when the client went away. */
  readonly gone: AbortSignal;
}

/** How a stream ended. */
export interface StreamOutcome {
  readonly settlement: StreamSettlement;
  /** Undefined when the final charge could not be committed (the database failed). */
  readonly receipt: StreamReceipt | undefined;
}

/** Inputs of {@link pumpStream}. */
export interface StreamPumpOptions {
  readonly meter: StreamMeter;
  readonly port: StreamPort;
  /**
   * The upstream's events (or byte units when the meter's pricing has `unitBytes`), pulled one at a time: not pulling
   * is the backpressure that pauses it.
   */
  readonly upstream: AsyncIterable<StreamBlock>;
  readonly topUps: AsyncIterable<TopUpLine>;
  readonly client: StreamClient;
  /** How long a pause waits for a top-up (STREAM_TOPUP_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Reports failures that are not the client's (a commit the database refused). */
  readonly log?: (message: string, extra: Record<string, string | number>) => void;
}

/** JSON of an amount-bearing object: amounts as decimal strings, like every amount on the wire. */
function wire(data: Record<string, bigint | number | string>): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]),
  );
}

/** Keeps a text to what a header value may carry (visible ASCII and spaces): trailers are header fields. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

/**
 * The shell around the stream meter: pulls the upstream one event (or byte unit) at a time, writes units the
 * authorisation covers, pauses (with `rdn-authorize` in an SSE stream), verifies and commits top-up lines one at a
 * time, times a pause out, and on the end (upstream done, client gone, timeout, authorisation spent, a byte stream's
 * refused top-up) commits the final charge and, if the client is still there, sends the receipt: `rdn-receipt` in an
 * SSE stream, the `RDN-Receipt` trailer in a byte stream, whose body has no room for the gateway's own messages. Every
 * input goes through one synchronous `apply`, so the meter sees them in one order.
 */
class StreamPump {
  private meter: StreamMeter;
  /** SSE: the gateway's messages go inline as events. Byte-metered: they go in the trailers, refusals end it. */
  private readonly inline: boolean;
  /** The unit the upstream produced last (forwarded, or held). */
  private unit: string | Uint8Array = '';
  /** A byte stream's refused top-up, reported in the trailers. */
  private refusal: { readonly code: string; readonly message: string } | undefined;
  /** The last write to the client: the upstream is pulled again only once it is flushed. */
  private flushed: Promise<void> = Promise.resolve();
  private resumeGate: ((go: boolean) => void) | undefined;
  private topUpSettled: (() => void) | undefined;
  private signature: Hex | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly outcome: Promise<StreamOutcome>;
  private resolveOutcome!: (outcome: StreamOutcome) => void;

  constructor(private readonly options: StreamPumpOptions) {
    this.meter = options.meter;
    this.inline = options.meter.pricing.unitBytes === undefined;
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
  }

  run(): Promise<StreamOutcome> {
    const { gone } = this.options.client;
    if (gone.aborted) this.apply({ kind: 'client-gone' });
    else gone.addEventListener('abort', () => this.apply({ kind: 'client-gone' }), { once: true });
    void this.readTopUps();
    void this.readUpstream();
    return this.outcome;
  }

  private write(chunk: string | Uint8Array): void {
    if (this.options.client.gone.aborted) return;
    const previous = this.flushed;
    this.flushed = previous.then(() => this.options.client.write(chunk)).catch(() => undefined);
  }

  /** A top-up refused: an SSE stream says so (`rdn-error`) and waits on; a byte stream ends (see StreamEndReason). */
  private refuse(code: string, message: string): void {
    if (this.inline) return this.write(sseEvent('rdn-error', { code, message }));
    this.refusal ??= { code, message };
    this.apply({ kind: 'top-up-refused' });
  }

  private async readUpstream(): Promise<void> {
    try {
      for await (const block of this.options.upstream) {
        if (this.meter.ended) return;
        if (!block.unit) {
          this.write(block.text);
        } else {
          this.unit = block.text;
          const decision = this.apply({ kind: 'unit' });
          if (decision.kind === 'pause' && !(await new Promise<boolean>((go) => (this.resumeGate = go))))
            return;
          if (decision.kind === 'finish') return;
        }
        await this.flushed;
      }
      this.apply({ kind: 'upstream-end' });
    } catch (err) {
      this.options.log?.('stream upstream failed', { error: (err as Error)?.message ?? String(err) });
      this.apply({ kind: 'upstream-failed' });
    }
  }

  private async readTopUps(): Promise<void> {
    try {
      for await (const line of this.options.topUps) {
        if (this.meter.ended || this.meter.ending !== undefined) return;
        if (line.kind === 'malformed') {
          this.refuse('TOP_UP_MALFORMED', line.reason);
          continue;
        }
        const verdict = await this.options.port.verifyTopUp(line, topUpTerms(this.meter));
        if (this.meter.ending !== undefined) return;
        if (!verdict.ok) {
          this.refuse(verdict.code, verdict.message);
          continue;
        }
        const settled = new Promise<void>((resolve) => (this.topUpSettled = resolve));
        this.signature = line.signature;
        if (this.apply({ kind: 'top-up', balance: line.balance }).kind === 'commit-top-up') await settled;
      }
    } catch {
      // The request body broke off: the client is gone, which its own signal reports.
    }
    this.apply({ kind: 'top-ups-ended' });
  }

  private apply(input: StreamInput): StreamDecision {
    const { meter, decision } = stepStream(this.meter, input);
    this.meter = meter;
    this.execute(decision);
    return decision;
  }

  private execute(decision: StreamDecision): void {
    switch (decision.kind) {
      case 'forward':
        return this.write(this.unit);
      case 'pause': {
        // A byte stream's client knows from the head and its byte count when to top up: it is not asked.
        if (this.inline) this.write(sseEvent('rdn-authorize', wire({ ...decision.authorize })));
        clearTimeout(this.timer);
        const pause = decision.pause;
        this.timer = setTimeout(() => this.apply({ kind: 'timeout', pause }), this.options.timeoutMs);
        this.timer.unref?.();
        return;
      }
      case 'commit-top-up':
        return void this.commitTopUp(decision, this.signature as Hex);
      case 'refuse-top-up':
        return this.refuse(decision.code, REFUSALS[decision.code]);
      case 'resume':
        clearTimeout(this.timer);
        this.write(this.unit);
        return this.openGate(true);
      case 'finish':
        clearTimeout(this.timer);
        this.openGate(false);
        return void this.finish(decision.settlement);
      case 'wait':
        return;
      default: {
        const unhandled: never = decision;
        throw new Error(`unhandled stream decision ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private openGate(go: boolean): void {
    const gate = this.resumeGate;
    this.resumeGate = undefined;
    gate?.(go);
  }

  private async commitTopUp(commit: TopUpCommit, signature: Hex): Promise<void> {
    let committed = false;
    try {
      committed = await this.options.port.commitTopUp(commit, signature);
    } catch (err) {
      this.options.log?.('stream top-up commit failed', { error: (err as Error)?.message ?? String(err) });
    }
    const message =
      'The top-up was not accepted (the channel moved, or the gateway is unavailable); sign again.';
    if (!committed && this.inline)
      this.write(sseEvent('rdn-error', { code: 'TOP_UP_NOT_ACCEPTED', message }));
    const settled = this.topUpSettled;
    this.topUpSettled = undefined;
    this.apply({ kind: 'top-up-settled', committed });
    if (!committed && !this.inline) this.refuse('TOP_UP_NOT_ACCEPTED', message);
    settled?.();
  }

  private async finish(settlement: StreamSettlement): Promise<void> {
    let receipt: StreamReceipt | undefined;
    try {
      receipt = await this.options.port.settle(settlement);
    } catch (err) {
      this.options.log?.('stream final charge failed', { error: (err as Error)?.message ?? String(err) });
    }
    if (!this.options.client.gone.aborted) {
      const unrecorded = { code: 'GATEWAY_UNAVAILABLE', message: 'The final charge was not recorded.' };
      if (this.inline) {
        this.write(
          receipt === undefined
            ? sseEvent('rdn-error', unrecorded)
            : sseEvent('rdn-receipt', wire({ ...receipt })),
        );
        await this.flushed;
        this.options.client.end();
      } else {
        await this.flushed;
        this.options.client.end(trailersOf(receipt, receipt === undefined ? unrecorded : this.refusal));
      }
    }
    this.topUpSettled?.();
    this.resolveOutcome({ settlement, receipt });
  }
}

/** A byte stream's trailers: `RDN-Receipt` (the JSON of `rdn-receipt`) and, when it ended on a problem, `RDN-Error`. */
function trailersOf(
  receipt: StreamReceipt | undefined,
  error: { readonly code: string; readonly message: string } | undefined,
): Record<string, string> {
  const trailers: Record<string, string> = {};
  if (receipt !== undefined) trailers[RDN_HEADERS.streamReceipt] = JSON.stringify(wire({ ...receipt }));
  if (error !== undefined) {
    trailers[RDN_HEADERS.error] = headerSafe(error.code);
    trailers[RDN_HEADERS.errorMessage] = headerSafe(error.message);
  }
  return trailers;
}

/** The trailers a byte-metered stream declares in its head (`Trailer:`), so that the client keeps them. */
export const BYTE_STREAM_TRAILERS = [
  RDN_HEADERS.streamReceipt,
  RDN_HEADERS.error,
  RDN_HEADERS.errorMessage,
].join(', ');

const REFUSALS = {
  BALANCE_STALE: 'The top-up is not above the balance already accepted.',
  INCREMENT_BELOW_PRICE: 'The top-up does not pay for one step on top of what was delivered.',
  TOP_UP_BUSY: 'Another top-up is being accepted; send one at a time.',
} as const;

/** Runs one metered stream to its end; never rejects. */
export function pumpStream(options: StreamPumpOptions): Promise<StreamOutcome> {
  return new StreamPump(options).run();
}
