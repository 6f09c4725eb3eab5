// Token amounts for people: the token's decimals and symbol, with the exact base units beside. The same functions as
// @microraiden/protocol's token-units.ts, kept here because the page's bundle cannot take the protocol's index (it
// loads the native secp256k1 backend); a browser entry point for the protocol would let this file go.

/** What the page knows about the channel token. */
export interface TokenUnits {
  readonly decimals: number;
  readonly symbol: string;
}

/** `amount` base units as a decimal string of token units (`1500000000000000000`, 18 -> `1.5`). */
export function formatUnits(amount: bigint, decimals: number): string {
  if (decimals === 0) return amount.toString();
  const scale = 10n ** BigInt(decimals);
  const whole = amount / scale;
  const fraction = (amount % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** A decimal string of token units as base units; throws on anything else or on too many decimals. */
export function parseUnits(text: string, decimals: number): bigint {
  const match = /^\s*([0-9]+)(?:\.([0-9]+))?\s*$/.exec(text);
  if (!match) throw new Error(`not an amount: "${text}"`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(match[1] as string) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** `0.001 MTK`: token units with the symbol; base units when the token is unknown. */
export function formatAmount(amount: bigint, token: TokenUnits | undefined): string {
  return token ? `${formatUnits(amount, token.decimals)} ${token.symbol}` : `${amount} base units`;
}

/** `0.001 MTK (1000000000000000 base units)`: for the facts a careful visitor may check. */
export function formatAmountWithBase(amount: bigint, token: TokenUnits | undefined): string {
  return token ? `${formatAmount(amount, token)} (${amount} base units)` : `${amount} base units`;
}
