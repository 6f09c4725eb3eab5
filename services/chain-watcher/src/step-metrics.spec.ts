import { describe, expect, it } from 'vitest';
import { processedBlockOf } from './step-metrics';

describe('processedBlockOf', () => {
  it('is where the step left the watcher: advanced to, idle at, or the reorg ancestor; none while unstable', () => {
    expect(processedBlockOf({ kind: 'advanced', head: 20, from: 5, to: 10, queued: 1 })).toBe(10);
    expect(processedBlockOf({ kind: 'idle', head: 20, checkpoint: 18 })).toBe(18);
    expect(processedBlockOf({ kind: 'reorg', head: 20, ancestor: 12, depth: 3, retracted: 2 })).toBe(12);
    expect(processedBlockOf({ kind: 'unstable', head: 20, reason: 'moved' })).toBeUndefined();
  });
});
