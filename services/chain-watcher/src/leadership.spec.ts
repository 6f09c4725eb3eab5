import type { SessionLock } from '@microraiden/persistence';
import { sleep } from '@microraiden/service-kit';
import { describe, expect, it } from 'vitest';
import { leadWhileLocked, type Leadership } from './leadership';

/** A lock that answers tryAcquire from a script and loses its session when told. */
function fakeLock(acquireAnswers: Array<boolean | Error>) {
  const state = { held: false, released: 0 };
  const lock = {
    tryAcquire: async () => {
      const answer = acquireAnswers.shift() ?? true;
      if (answer instanceof Error) throw answer;
      state.held = answer;
      return answer;
    },
    stillHeld: async () => state.held,
    release: async () => void (state.released += 1),
  };
  return { lock: lock as unknown as SessionLock, state };
}

function recorder(stop: AbortController, actFor: (term: AbortSignal, round: number) => Promise<void>) {
  const events: string[] = [];
  let round = 0;
  const leadership: Leadership = {
    pollMs: 5,
    onStandby: (reason) => events.push(reason.held ? 'standby' : `error: ${reason.error.message}`),
    onLeading: () => events.push('leading'),
    onStepDown: (lost) => events.push(lost ? 'lost' : 'stopped'),
    act: (term) => actFor(term, ++round),
  };
  return { events, leadership, stop };
}

describe('leadWhileLocked', () => {
  it('waits on standby while the lock is held elsewhere or cannot be asked, then acts until stopped', async () => {
    const stop = new AbortController();
    const { lock, state } = fakeLock([false, new Error('db down'), true]);
    const { events, leadership } = recorder(stop, async (term) => {
      stop.abort();
      await sleep(60_000, term);
    });
    await leadWhileLocked(lock, stop.signal, leadership);
    expect(events).toEqual(['standby', 'error: db down', 'leading', 'stopped']);
    expect(state.released).toBe(1);
  });

  it('ends the acting term when the lock session is lost, then leads again once it gets the lock back', async () => {
    const stop = new AbortController();
    const { lock, state } = fakeLock([true, true]);
    const { events, leadership } = recorder(stop, async (term, round) => {
      if (round === 1)
        state.held = false; // the database session died
      else stop.abort();
      await sleep(60_000, term);
    });
    await leadWhileLocked(lock, stop.signal, leadership);
    expect(events).toEqual(['leading', 'lost', 'leading', 'stopped']);
  });
});
