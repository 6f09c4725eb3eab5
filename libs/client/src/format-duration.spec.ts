import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration';

describe('formatDuration', () => {
  it.each([
    [0n, '0s'],
    [59n, '59s'],
    [3_600n, '1h'],
    [3_599n, '59m 59s'],
    [129_600n, '1d 12h'],
  ])('%s seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
