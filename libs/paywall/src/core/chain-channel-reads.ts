import type { Hex32 } from '@microraiden/protocol';
import type { ChainChannelState } from './pending-deposit-decision';

/** Reads one channel from the chain: the I/O port behind {@link ChainChannelReads}. */
export interface ChainChannelReader {
  /** The channel at the latest block, and its creations and top-ups in the last `window` + 1 blocks. */
  read(channelId: Hex32, window: number): Promise<ChainChannelState>;
}

/** Construction parameters of {@link ChainChannelReads}. */
export interface ChainChannelReadsOptions {
  readonly reader: ChainChannelReader;
  /** Confirmations the chain-watcher waits for before it publishes a change (its CONFIRMATIONS). */
  readonly required: number;
  /** A read slower than this counts as failed (default 2000 ms). */
  readonly timeoutMs?: number;
  /** How long a channel's state (or a failed read) is reused (default 1000 ms). */
  readonly cacheMs?: number;
  /** Reads running at once; beyond it a request is answered without one (default 8). */
  readonly maxInFlight?: number;
  /** Channels remembered; the cache is cleared when full (default 10,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
  /** Where a failed read is reported. */
  readonly onError?: (err: unknown) => void;
}

type Entry =
  /** A read running now: every ask shares it. */
  | { readonly running: Promise<ChainChannelState | undefined> }
  /** A finished read, reusable until `until` when useful to the asker. */
  | { readonly state: ChainChannelState; readonly until: number };

/**
 * Chain reads for the rare path of a proof the gateway's own view refuses (unknown channel, deposit too small), kept
 * from becoming a load on the RPC node: concurrent asks for a channel share one read, at most `maxInFlight` reads
 * run at a time, each bounded by `timeoutMs`, and a state read less than `cacheMs` ago is reused when it is `useful`
 * to the asker. The caller says which: a state showing a pending deposit stays true (it only gains confirmations),
 * but one missing a deposit may be outdated by the next block, and reusing it could tell a client that just topped
 * up to top up again. A read that fails, times out or is not started gives undefined: the gateway then answers from
 * its own view, as it does without an RPC node.
 */
export class ChainChannelReads {
  readonly required: number;
  private readonly entries = new Map<string, Entry>();
  private inFlight = 0;
  private readonly now: () => number;

  constructor(private readonly options: ChainChannelReadsOptions) {
    this.required = options.required;
    this.now = options.now ?? Date.now;
  }

  /** The channel's state on chain, or undefined when it could not be read now. */
  stateOf(
    channelId: Hex32,
    useful: (state: ChainChannelState) => boolean,
  ): Promise<ChainChannelState | undefined> {
    const key = channelId.toLowerCase();
    const entry = this.entries.get(key);
    if (entry !== undefined && 'running' in entry) return entry.running;
    if (entry !== undefined && entry.until > this.now() && useful(entry.state))
      return Promise.resolve(entry.state);
    if (this.inFlight >= (this.options.maxInFlight ?? 8)) return Promise.resolve(undefined);
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.clear();
    const running = this.read(channelId).then((state) => {
      if (state === undefined) this.entries.delete(key);
      else this.entries.set(key, { state, until: this.now() + (this.options.cacheMs ?? 1000) });
      return state;
    });
    this.entries.set(key, { running });
    return running;
  }

  private async read(channelId: Hex32): Promise<ChainChannelState | undefined> {
    this.inFlight += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`chain read timed out after ${this.options.timeoutMs ?? 2000} ms`)),
          this.options.timeoutMs ?? 2000,
        );
      });
      return await Promise.race([this.options.reader.read(channelId, this.required), timeout]);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    } finally {
      clearTimeout(timer);
      this.inFlight -= 1;
    }
  }
}
