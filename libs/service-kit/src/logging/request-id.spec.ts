import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it.each(['abc', 'req-1', '5f0c2a4e-1b7d-4c3e-9a55-0d1f2e3a4b5c', 'trace:span/1@edge+2=x', 'a'.repeat(128)])(
    'keeps the well-formed client id %s',
    (id) => {
      expect(requestIdOf(id)).toBe(id);
    },
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'a b'],
    ['with a quote', 'a"b'],
    ['with a newline', 'a\nb'],
    ['with non-ASCII', 'é'],
    ['repeated', ['a', 'b']],
  ])('replaces a client id that is %s with a random UUID', (_, header) => {
    expect(requestIdOf(header)).toMatch(UUID);
  });

  it('never generates the same id twice', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => requestIdOf(undefined)));
    expect(ids.size).toBe(1000);
  });
});
