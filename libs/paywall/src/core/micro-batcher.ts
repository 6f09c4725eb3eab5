/** Runs a batch of inputs at once and gives one result per input, in input order. */
export type BatchRunner<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

interface Pending<I, O> {
  readonly input: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/** Options of {@link MicroBatcher}. */
export interface MicroBatcherOptions<I> {
  /** Largest batch; more waiting inputs go into the next one. */
  readonly maxBatch: number;
  /**
   * Inputs with the same key never share a batch and never run while a batch holding that key is in flight
   * (they wait for a later one), for runners that must see at most one input per row.
   */
  readonly keyOf?: (input: I) => string;
  /** Batches run concurrently (default 1): more overlaps database round trips at the price of connections. */
  readonly maxInFlight?: number;
}

/**
 * Coalesces calls made while a batch is in flight (or within the same event-loop turn) into one runner call, so N
 * concurrent requests cost one database round trip instead of N. A lone call runs at once (next turn), so a
 * serial client pays no waiting time.
 */
export class MicroBatcher<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly busyKeys = new Set<string>();

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions<I>,
  ) {}

  /** Queues `input` for the next batch and resolves with its result. */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // Calls arriving while the batches in flight run accumulate into the next one.
    if (this.scheduled || this.inFlight >= (this.options.maxInFlight ?? 1)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch: Array<Pending<I, O>> = [];
    const rest: Array<Pending<I, O>> = [];
    const keys = new Set<string>();
    for (const pending of this.queue) {
      const key = this.options.keyOf?.(pending.input);
      if (
        batch.length >= this.options.maxBatch ||
        (key !== undefined && (keys.has(key) || this.busyKeys.has(key)))
      ) {
        rest.push(pending);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(pending);
    }
    this.queue = rest;
    if (batch.length === 0) return; // everything waits for a key in flight; its batch reschedules
    for (const key of keys) this.busyKeys.add(key);
    this.inFlight += 1;
    this.schedule();
    try {
      const outputs = await this.run(batch.map((p) => p.input));
      batch.forEach((pending, i) => pending.resolve(outputs[i] as O));
    } catch (err) {
      for (const pending of batch) pending.reject(err);
    } finally {
      this.inFlight -= 1;
      for (const key of keys) this.busyKeys.delete(key);
      if (this.queue.length > 0) this.schedule();
    }
  }
}
