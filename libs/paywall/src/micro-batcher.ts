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
   * Inputs with the same key never share a batch (they wait for the next one), for runners that must see at
   * most one input per row.
   */
  readonly keyOf?: (input: I) => string;
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
    // One batch in flight at a time: calls arriving meanwhile accumulate into the next one.
    if (this.scheduled || this.inFlight > 0) return;
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
      if (batch.length >= this.options.maxBatch || (key !== undefined && keys.has(key))) {
        rest.push(pending);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(pending);
    }
    this.queue = rest;
    this.inFlight += 1;
    try {
      const outputs = await this.run(batch.map((p) => p.input));
      batch.forEach((pending, i) => pending.resolve(outputs[i] as O));
    } catch (err) {
      for (const pending of batch) pending.reject(err);
    } finally {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
