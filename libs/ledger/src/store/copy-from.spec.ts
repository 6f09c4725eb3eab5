import { describe, expect, it } from 'vitest';
import { copyField } from './copy-from';

describe('copyField', () => {
  it('writes null as \\N and plain text and numbers as they are', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('0xab')).toBe('0xab');
    expect(copyField(42)).toBe('42');
  });

  it("escapes the four characters COPY's text format gives a meaning", () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    // A literal "\N" in a value must not read back as null.
    expect(copyField('\\N')).toBe('\\\\N');
  });
});
