import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { armShutdownDeadline } from './shutdown-deadline';

describe('armShutdownDeadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setUp() {
    const signals = new EventEmitter();
    const lines: string[] = [];
    const exit = vi.fn();
    const disarm = armShutdownDeadline(
      'gateway',
      { log: (m) => lines.push(`info ${m}`), error: (m) => lines.push(`error ${m}`) },
      1_000,
      exit,
      signals,
    );
    return { signals, lines, exit, disarm };
  }

  it('logs the signal and exits 1 when the graceful stop overruns the deadline', () => {
    const { signals, lines, exit } = setUp();
    signals.emit('SIGTERM', 'SIGTERM');
    expect(lines).toEqual(['info gateway: SIGTERM received, stopping (at most 1000 ms)']);
    vi.advanceTimersByTime(999);
    expect(exit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines[1]).toMatch(/^error gateway: graceful stop did not finish within 1000 ms/);
  });

  it('does nothing before a signal, and nothing once disarmed', () => {
    const { signals, exit, disarm } = setUp();
    vi.advanceTimersByTime(10_000);
    disarm();
    signals.emit('SIGINT', 'SIGINT');
    vi.advanceTimersByTime(10_000);
    expect(exit).not.toHaveBeenCalled();
  });
});
