/**
 * A push-to-pull bridge: a producer pushes items, one consumer pulls them with `for await`. `size` tells the producer
 * how far ahead it is (its backpressure); `drained` fires whenever the consumer has taken everything.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private onDrained: (() => void) | undefined;

  /** Items pushed and not yet pulled. */
  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Called each time the consumer empties the queue. */
  whenDrained(listener: () => void): void {
    this.onDrained = listener;
  }

  push(item: T): void {
    if (this.closed) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** No more items: the consumer's loop ends once it took the ones queued. */
  close(): void {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** Drops what is queued and closes (the consumer stopped for good). */
  discard(): void {
    this.items.length = 0;
    this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length > 0) {
          const value = this.items.shift() as T;
          if (this.items.length === 0) this.onDrained?.();
          return Promise.resolve({ value, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        this.onDrained?.();
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.discard();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
