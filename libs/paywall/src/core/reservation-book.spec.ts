import { describe, expect, it } from 'vitest';
import { ReservationBook } from './reservation-book';

describe('ReservationBook', () => {
  it('holds the highest in-flight balance per channel until released', () => {
    const book = new ReservationBook();
    expect(book.highest('a')).toBeUndefined();
    const first = book.reserve('a', 10n);
    const second = book.reserve('a', 30n);
    book.reserve('b', 5n);
    expect(book.highest('a')).toBe(30n);
    book.release(second);
    expect(book.highest('a')).toBe(10n);
    book.release(first);
    expect(book.highest('a')).toBeUndefined();
    expect(book.size).toBe(1);
  });

  it('releases one of two equal reservations at a time', () => {
    const book = new ReservationBook();
    const one = book.reserve('a', 10n);
    book.reserve('a', 10n);
    book.release(one);
    expect(book.highest('a')).toBe(10n);
  });
});
