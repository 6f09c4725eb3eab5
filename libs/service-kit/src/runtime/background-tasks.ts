/**
 * The background work a runtime started, so `stop` can wait for all of it to end (each task watches the stop
 * signal itself). A task that fails is told to `onError`; it never becomes an unhandled rejection.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (what: string, err: unknown) => void) {}

  /** Runs `task` in the background. */
  run(what: string, task: () => Promise<void>): void {
    const running: Promise<void> = task()
      .catch((err: unknown) => this.onError(what, err))
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Resolves once every task started so far, and every task they started meanwhile, has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
