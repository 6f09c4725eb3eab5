/**
 * Runs tasks one after another in this JS realm: the exclusion a store without a cross-process lock
 * (memory, localStorage) gives its read-modify-writes.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    // The chain must survive a failed task; the caller still sees the failure.
    this.tail = next.catch(() => undefined);
    return next;
  }
}
