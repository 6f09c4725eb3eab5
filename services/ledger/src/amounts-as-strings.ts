/** A value as JSON sends it: bigint amounts become base-10 strings (JSON numbers would lose precision). */
export type Json<T> = T extends bigint
  ? string
  : T extends Date
    ? string
    : T extends Array<infer U>
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** Convert bigints (amounts) to base-10 strings and dates to ISO strings, deeply. */
export function amountsAsStrings<T>(value: T): Json<T> {
  if (typeof value === 'bigint') return value.toString() as Json<T>;
  if (value instanceof Date) return value.toISOString() as Json<T>;
  if (Array.isArray(value)) return value.map(amountsAsStrings) as Json<T>;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, amountsAsStrings(v)])) as Json<T>;
  return value as Json<T>;
}
