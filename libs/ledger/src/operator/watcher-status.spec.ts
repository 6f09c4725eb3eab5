import { describe, expect, it } from 'vitest';
import { watcherStatusOf } from './watcher-status';

describe('watcherStatusOf', () => {
  it('reads a ready answer with each check and its facts', () => {
    const status = watcherStatusOf(200, {
      status: 'ok',
      details: { chain: { status: 'up', blockNumber: 1234 }, startup: { status: 'up', role: 'leading' } },
    });
    expect(status).toEqual({
      state: 'ready',
      checks: [
        { name: 'chain', up: true, detail: 'blockNumber 1234' },
        { name: 'startup', up: true, detail: 'role leading' },
      ],
    });
  });

  it('reads a 503 as not ready, with the failing check and its public reason', () => {
    const status = watcherStatusOf(503, {
      status: 'error',
      details: { kafka: { status: 'down', message: 'unavailable (ECONNREFUSED)' } },
    });
    expect(status).toEqual({
      state: 'not-ready',
      checks: [{ name: 'kafka', up: false, detail: 'unavailable (ECONNREFUSED)' }],
    });
  });

  it('calls anything else a bad answer, and cuts long details', () => {
    expect(watcherStatusOf(200, '<html>')).toEqual({ state: 'unreachable', reason: 'bad-answer' });
    const long = watcherStatusOf(503, { details: { x: { status: 'down', message: 'y'.repeat(500) } } });
    expect(long.state === 'not-ready' && long.checks[0]!.detail.length).toBe(160);
  });
});
