/** How the ledger names and scales the token its amounts are in (the ledger never reads the chain). */
export interface TokenUnits {
  readonly symbol: string;
  readonly decimals: number;
}

/** An amount as the operator view shows it: exact token units and the raw base units, both base-10 strings. */
export interface DisplayAmount {
  /** Base units, as stored: `1500000000000000`. */
  readonly base: string;
  /** Token units, exact, without trailing zeros: `0.0015`. */
  readonly units: string;
}

/**
 * Base units as exact token units (`1500000000000000`, 18 -> `0.0015`): bigint division and padding only, never a
 * float, so amounts above 2^53 stay exact.
 */
export function formatTokenUnits(amount: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255)
    throw new RangeError(`decimals must be an integer in [0, 255], got ${decimals}`);
  const sign = amount < 0n ? '-' : '';
  const magnitude = amount < 0n ? -amount : amount;
  if (decimals === 0) return `${sign}${magnitude}`;
  const scale = 10n ** BigInt(decimals);
  const whole = magnitude / scale;
  const fraction = (magnitude % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Both forms of an amount for display. */
export function displayAmount(amount: bigint, token: TokenUnits): DisplayAmount {
  return { base: amount.toString(), units: formatTokenUnits(amount, token.decimals) };
}
