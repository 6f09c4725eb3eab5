import { formatUnits, type TokenUnits } from '@microraiden/protocol';

/** How the ledger names and scales the token its amounts are in (the ledger never reads the chain). */
export type { TokenUnits };

/** An amount as the operator view shows it: exact token units and the raw base units, both base-10 strings. */
export interface DisplayAmount {
  /** Base units, as stored: `1500000000000000`. */
  readonly base: string;
  /** Token units, exact, without trailing zeros: `0.0015`. */
  readonly units: string;
}

/** Both forms of an amount for display. */
export function displayAmount(amount: bigint, token: TokenUnits): DisplayAmount {
  return { base: amount.toString(), units: formatUnits(amount, token.decimals) };
}
