import { describe, expect, it } from 'vitest';
import { relativeTime, utcMinute } from './human-time';

const now = new Date('2026-12-03T13:45:30.000Z');

describe('human time', () => {
  it('shows the UTC minute', () => {
    expect(utcMinute('2026-12-03T13:45:30.123Z')).toBe('2026-12-03 13:45 UTC');
  });

  it.each([
    ['2026-12-03T13:45:28.000Z', 'just now'],
    ['2026-12-03T13:45:00.000Z', '30 s ago'],
    ['2026-12-03T13:42:30.000Z', '3 min ago'],
    ['2026-12-03T10:40:00.000Z', '3 h ago'],
    ['2026-11-30T13:45:30.000Z', '3 d ago'],
    ['2026-12-03T14:45:30.000Z', 'in 1 h'],
  ])('says %s is %s', (iso, words) => {
    expect(relativeTime(iso, now)).toBe(words);
  });
});
