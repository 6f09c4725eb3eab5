// Amounts as people read them: the token's decimals and symbol, with the exact base units beside where a careful
// reader checks figures. bigint arithmetic and padding only, never a float, so amounts above 2^53 stay exact.

/** A token as people read its amounts: its ERC-20 `symbol()` and `decimals()`. */
export interface TokenUnits {
  readonly symbol: string;
  readonly decimals: number;
}

function checkDecimals(decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new RangeError(`decimals must be an integer in [0, 255], got ${decimals}`);
  }
  return 10n ** BigInt(decimals);
}

/** Base units as exact token units without trailing zeros (`1500000000000000`, 18 -> `0.0015`). */
export function formatUnits(amount: bigint, decimals: number): string {
  const scale = checkDecimals(decimals);
  const sign = amount < 0n ? '-' : '';
  const magnitude = amount < 0n ? -amount : amount;
  if (decimals === 0) return `${sign}${magnitude}`;
  const fraction = (magnitude % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${magnitude / scale}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A non-negative decimal string of token units as base units (`0.0015`, 18 -> `1500000000000000`); throws a
 * RangeError for anything else, and for more decimals than the token has (trailing zeros aside).
 */
export function parseUnits(text: string, decimals: number): bigint {
  const scale = checkDecimals(decimals);
  const match = /^\s*([0-9]+)(?:\.([0-9]+))?\s*$/.exec(text);
  if (!match) throw new RangeError(`not an amount: ${JSON.stringify(text)}`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals)
    throw new RangeError(`${JSON.stringify(text)} has more than ${decimals} decimals`);
  return BigInt(match[1] as string) * scale + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** `0.001 MTK`; `1000 base units` when the token is unknown. */
export function formatTokenAmount(amount: bigint, token: TokenUnits | undefined): string {
  return token ? `${formatUnits(amount, token.decimals)} ${token.symbol}` : `${amount} base units`;
}

/** `0.001 MTK (1000000000000000 base units)`: token units with the exact figure the chain and gateways use. */
export function formatTokenAmountWithBase(amount: bigint, token: TokenUnits | undefined): string {
  return token ? `${formatTokenAmount(amount, token)} (${amount} base units)` : `${amount} base units`;
}
