import { describe, expect, it } from 'vitest';
import { ByteUnitCutter, byteUnitsOf } from './byte-units';

const bytes = (...values: number[]) => Uint8Array.from(values);
const lengths = (units: readonly { text: Uint8Array }[]) => units.map((u) => u.text.byteLength);

describe('ByteUnitCutter', () => {
  it('cuts at unit boundaries whatever the chunking, and ends with the short last unit', () => {
    const cutter = new ByteUnitCutter(4);
    const out = [
      ...cutter.push(bytes(1, 2)),
      ...cutter.push(bytes(3, 4, 5, 6, 7, 8, 9, 10, 11)),
      ...cutter.push(bytes()),
      ...cutter.push(bytes(12)),
      ...cutter.end(),
    ];
    expect(out.map((u) => [...u.text])).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ]);
    expect(out.every((u) => u.unit)).toBe(true);
    const partial = new ByteUnitCutter(4);
    expect(lengths([...partial.push(bytes(1, 2, 3, 4, 5)), ...partial.end()])).toEqual([4, 1]);
  });

  it('yields no empty unit when the body ends on a boundary (or is empty)', () => {
    const cutter = new ByteUnitCutter(3);
    expect(lengths([...cutter.push(bytes(1, 2, 3, 4, 5, 6)), ...cutter.end()])).toEqual([3, 3]);
    expect(new ByteUnitCutter(3).end()).toEqual([]);
  });

  it('keeps a held tail safe from the producer reusing its buffer', () => {
    const cutter = new ByteUnitCutter(4);
    const reused = bytes(1, 2);
    cutter.push(reused);
    reused.set([9, 9]);
    expect([...cutter.push(bytes(3, 4))[0]!.text]).toEqual([1, 2, 3, 4]);
  });

  it('counts a string as its UTF-8 bytes', () => {
    const cutter = new ByteUnitCutter(2);
    expect(lengths([...cutter.push('é€'), ...cutter.end()])).toEqual([2, 2, 1]);
  });

  it('refuses a unit size below 1', () => {
    expect(() => new ByteUnitCutter(0)).toThrow(RangeError);
  });
});

describe('byteUnitsOf', () => {
  it('reads the body only as the consumer pulls', async () => {
    let pulled = 0;
    async function* body() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield new Uint8Array(10);
      }
    }
    const units = byteUnitsOf(body(), 25);
    const seen: number[] = [];
    for await (const unit of units) {
      seen.push(unit.text.byteLength);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([25, 25]);
    expect(pulled).toBe(5);
  });

  it('charges ceil(bytes / unitBytes) units for a whole body', async () => {
    const units = [];
    for await (const unit of byteUnitsOf([new Uint8Array(1000), new Uint8Array(25)], 100)) units.push(unit);
    expect(units).toHaveLength(11);
    expect(units.at(-1)!.text.byteLength).toBe(25);
  });
});
