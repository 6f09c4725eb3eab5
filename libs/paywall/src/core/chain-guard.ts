/** One answer of the chain-watcher's readiness. */
export type ChainProbeResult = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** Asks whether the chain-watcher is ready; `signal` aborts when the guard stops waiting for it. */
export type ChainProbe = (signal: AbortSignal) => Promise<ChainProbeResult>;

/** Whether the paywall may accept payments now, and since when (and why) the watcher is not ready. */
export type ChainVerdict =
  | {
      readonly open: true;
      /** Milliseconds the watcher has been not ready, still within the grace period (0 when ready). */
      readonly notReadyForMs: number;
      readonly reason?: string;
    }
  | { readonly open: false; readonly notReadyForMs: number; readonly reason: string };

/** What the paywall needs of a {@link ChainGuard} (tests pass a stub). */
export interface ChainGuardView {
  verdict(): ChainVerdict;
}

/** Construction parameters of {@link ChainGuard}. */
export interface ChainGuardOptions {
  readonly probe: ChainProbe;
  /** Between the starts of two probes. */
  readonly intervalMs?: number;
  /** How long the watcher may be continuously not ready before payments are refused. */
  readonly graceMs?: number;
  /** A probe not answered within this long counts as not ready (and is aborted). */
  readonly timeoutMs?: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
  /** Told after a probe when the guard closed or opened again (for a log line); must not throw. */
  readonly onChange?: (verdict: ChainVerdict) => void;
}

const MAX_REASON_CHARS = 300;
const NEVER_READY = 'the chain-watcher has not answered ready since this gateway started';

/** Cuts `text` to the length a reason may have in logs, bodies and health details. */
export function clipReason(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_REASON_CHARS ? flat : `${flat.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/**
 * Refuses payments while nothing defends the receiver's channels (docs/protocol.md 8.2): polls the chain-watcher's
 * readiness in the background and answers {@link verdict} from memory, so the paywall's hot path does no I/O. A
 * blip shorter than the grace period changes nothing; a watcher not ready for longer closes the guard until its
 * next ready answer. Until the first ready answer the watcher counts as not ready since start, so boot order does
 * not matter but a watcher that never comes up closes the guard after the grace period.
 */
export class ChainGuard implements ChainGuardView {
  private readonly intervalMs: number;
  private readonly graceMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private notReadySince: number | undefined;
  private reason: string = NEVER_READY;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = true;
  private abort: AbortController | undefined;
  private wasOpen = true;

  constructor(private readonly options: ChainGuardOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.graceMs = options.graceMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 4_000;
    this.now = options.now ?? (() => performance.now());
    this.notReadySince = this.now();
  }

  /** Starts polling (the first probe at once); the grace period counts from here. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.notReadySince !== undefined) this.notReadySince = this.now();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
    void this.poll();
  }

  /** Stops polling and aborts a probe in flight. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort?.abort();
  }

  /** Open unless the watcher has been continuously not ready for longer than the grace period. */
  verdict(): ChainVerdict {
    if (this.notReadySince === undefined) return { open: true, notReadyForMs: 0 };
    const notReadyForMs = Math.max(0, this.now() - this.notReadySince);
    if (notReadyForMs > this.graceMs) return { open: false, notReadyForMs, reason: this.reason };
    return { open: true, notReadyForMs, reason: this.reason };
  }

  // A probe still running (hung despite its abort) blocks the next one: never two at once. The verdict still
  // closes meanwhile, because it is computed from the time of the first not-ready answer.
  private async poll(): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    const abort = new AbortController();
    this.abort = abort;
    let timeout: NodeJS.Timeout | undefined;
    const probe = this.runProbe(abort.signal);
    try {
      const timedOut = new Promise<ChainProbeResult>((resolve) => {
        timeout = setTimeout(() => {
          abort.abort();
          resolve({
            ready: false,
            reason: `the chain-watcher did not answer within ${this.timeoutMs} ms`,
          });
        }, this.timeoutMs);
      });
      this.record(await Promise.race([probe, timedOut]));
    } finally {
      clearTimeout(timeout);
    }
    await probe;
    this.inFlight = false;
  }

  private async runProbe(signal: AbortSignal): Promise<ChainProbeResult> {
    try {
      return await this.options.probe(signal);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { ready: false, reason: `probing the chain-watcher failed: ${why}` };
    }
  }

  private record(result: ChainProbeResult): void {
    if (this.stopped) return;
    if (result.ready) {
      this.notReadySince = undefined;
    } else {
      this.notReadySince ??= this.now();
      this.reason = clipReason(result.reason);
    }
    const verdict = this.verdict();
    if (verdict.open === this.wasOpen) return;
    this.wasOpen = verdict.open;
    try {
      this.options.onChange?.(verdict);
    } catch {
      // A failing log line must not stop the guard.
    }
  }
}
