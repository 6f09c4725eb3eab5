import { describe, expect, it } from 'vitest';
import { columnArrays, unnestFrom, type UnnestColumn } from './unnest-columns';

const COLUMNS: UnnestColumn[] = [
  ['offset', 'bigint'],
  ['reason', 'text'],
];

describe('columnArrays', () => {
  it('transposes rows into one array per column, in column order, missing values as null', () => {
    const rows = [
      { offset: '1', reason: 'a', ignored: true },
      { offset: '2', reason: undefined },
      { offset: '3', reason: null },
    ];
    expect(columnArrays(rows, COLUMNS)).toEqual([
      ['1', '2', '3'],
      ['a', null, null],
    ]);
  });

  it('sends jsonb values as their JSON text (an array stays one value, not a nested SQL array)', () => {
    const rows = [{ facts: [{ a: '1' }] }, { facts: null }];
    expect(columnArrays(rows, [['facts', 'jsonb']])).toEqual([['[{"a":"1"}]', null]]);
  });

  it('gives empty columns for no rows', () => {
    expect(columnArrays([], COLUMNS)).toEqual([[], []]);
  });
});

describe('unnestFrom', () => {
  it('casts each parameter to its array type and names the columns (quoted) under the alias', () => {
    expect(unnestFrom(COLUMNS, 'x', 3)).toBe('unnest($3::bigint[], $4::text[]) AS x("offset", "reason")');
  });
});
