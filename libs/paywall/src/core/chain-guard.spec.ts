import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChainGuard, type ChainProbeResult, type ChainVerdict } from './chain-guard';

const INTERVAL = 1_000;
const GRACE = 10_000;
const TIMEOUT = 3_000;

/** What the scripted watcher answers next: a result, a thrown error, or never. */
type Script = ChainProbeResult | Error | 'hang';

const READY: Script = { ready: true };
const down = (reason: string): Script => ({ ready: false, reason });

let script: Script;
let calls: number;
let inFlight: number;
let maxInFlight: number;
let changes: ChainVerdict[];
let guard: ChainGuard;

function scriptedGuard(): ChainGuard {
  return new ChainGuard({
    intervalMs: INTERVAL,
    graceMs: GRACE,
    timeoutMs: TIMEOUT,
    now: () => Date.now(),
    onChange: (verdict) => changes.push(verdict),
    // Ignores its abort signal on purpose: the guard must not start another probe while one still runs.
    probe: async () => {
      calls += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const answer = script;
        if (answer === 'hang') return await new Promise<never>(() => undefined);
        if (answer instanceof Error) throw answer;
        return answer;
      } finally {
        inFlight -= 1;
      }
    },
  });
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  script = READY;
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  changes = [];
  guard = scriptedGuard();
});

afterEach(() => {
  guard.stop();
  vi.useRealTimers();
});

describe('ChainGuard', () => {
  it('stays open through a not-ready blip shorter than the grace period, and the grace restarts after it', async () => {
    guard.start();
    await advance(INTERVAL);
    expect(guard.verdict()).toEqual({ open: true, notReadyForMs: 0 });

    script = down('chain: RPC did not answer');
    await advance(GRACE - 2 * INTERVAL);
    expect(guard.verdict()).toMatchObject({ open: true, reason: 'chain: RPC did not answer' });
    script = READY;
    await advance(INTERVAL);
    expect(guard.verdict()).toEqual({ open: true, notReadyForMs: 0 });

    // A second blip is judged on its own: the first one's not-ready time does not add up.
    script = down('kafka: broker down');
    await advance(GRACE - INTERVAL);
    expect(guard.verdict().open).toBe(true);
    expect(changes).toEqual([]);
  });

  it('closes with the reason once not ready for longer than the grace period, and reopens at the next ready answer', async () => {
    guard.start();
    await advance(INTERVAL);
    script = down('receiver-eth: receiver holds 0.01 ETH, below MIN_RECEIVER_ETH 0.05');
    await advance(INTERVAL); // first not-ready answer
    await advance(GRACE);
    expect(guard.verdict().open).toBe(true); // exactly the grace: not yet longer
    await advance(1);
    const closed = guard.verdict();
    expect(closed).toEqual({
      open: false,
      notReadyForMs: GRACE + 1,
      reason: 'receiver-eth: receiver holds 0.01 ETH, below MIN_RECEIVER_ETH 0.05',
    });

    await advance(INTERVAL * 5);
    expect(guard.verdict()).toMatchObject({ open: false, notReadyForMs: GRACE + 1 + 5 * INTERVAL });

    script = READY;
    await advance(INTERVAL);
    expect(guard.verdict()).toEqual({ open: true, notReadyForMs: 0 });
    expect(changes.map((v) => v.open)).toEqual([false, true]);
  });

  it('counts a watcher that never answered ready as not ready since start: closed after the grace', async () => {
    script = new Error('connect ECONNREFUSED 127.0.0.1:3002');
    guard.start();
    await advance(GRACE);
    expect(guard.verdict().open).toBe(true);
    await advance(INTERVAL);
    expect(guard.verdict()).toMatchObject({
      open: false,
      reason: 'probing the chain-watcher failed: connect ECONNREFUSED 127.0.0.1:3002',
    });
  });

  it('does not care about boot order: a watcher that comes up within the grace never closes it', async () => {
    script = new Error('connect ECONNREFUSED');
    guard.start();
    await advance(GRACE - INTERVAL);
    script = READY;
    await advance(INTERVAL);
    await advance(GRACE * 3);
    expect(guard.verdict()).toEqual({ open: true, notReadyForMs: 0 });
    expect(changes).toEqual([]);
  });

  it('is closed before the first probe only once the grace has passed (a stalled loop still closes)', () => {
    // Never started: no probe ever answers, and the verdict still moves with the clock.
    expect(guard.verdict().open).toBe(true);
    vi.setSystemTime(Date.now() + GRACE + 1);
    expect(guard.verdict()).toMatchObject({
      open: false,
      reason: 'the chain-watcher has not answered ready since this gateway started',
    });
  });

  it('counts a hanging probe as not ready after the timeout and never runs two probes at once', async () => {
    guard.start();
    await advance(INTERVAL);
    expect(calls).toBe(2);
    script = 'hang';
    await advance(INTERVAL); // the hanging probe starts
    const started = calls;
    await advance(TIMEOUT);
    expect(guard.verdict()).toMatchObject({
      open: true,
      reason: `the chain-watcher did not answer within ${TIMEOUT} ms`,
    });
    await advance(GRACE + 1);
    expect(guard.verdict()).toMatchObject({ open: false });
    // The probe ignored its abort and still hangs: no second probe was started on top of it.
    expect(calls).toBe(started);
    expect(maxInFlight).toBe(1);
  });

  it('starts the next probe once a slow one settles, and stops probing after stop()', async () => {
    let release: (() => void) | undefined;
    let slowCalls = 0;
    guard = new ChainGuard({
      intervalMs: INTERVAL,
      graceMs: GRACE,
      timeoutMs: TIMEOUT,
      now: () => Date.now(),
      probe: () => {
        slowCalls += 1;
        return new Promise((resolve) => (release = () => resolve({ ready: true })));
      },
    });
    guard.start();
    await advance(INTERVAL * 2.5);
    expect(slowCalls).toBe(1);
    release?.();
    await advance(INTERVAL);
    expect(slowCalls).toBe(2);
    release?.();
    guard.stop();
    await advance(INTERVAL * 10);
    expect(slowCalls).toBe(2);
  });

  it('clips long reasons to 300 characters', async () => {
    script = down(`kafka: ${'x'.repeat(1_000)}`);
    guard.start();
    await advance(GRACE + INTERVAL);
    const verdict = guard.verdict();
    expect(verdict.open).toBe(false);
    expect(verdict.reason?.length).toBeLessThanOrEqual(300);
    expect(verdict.reason).toMatch(/^kafka: x+…$/);
  });
});
