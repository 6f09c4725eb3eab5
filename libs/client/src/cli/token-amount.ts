import { formatTokenAmountWithBase, parseUnits, type TokenUnits } from '@microraiden/protocol';
import { CliUsageError } from './cli-usage-error';

/** What the CLI knows about the token to show and read amounts. */
export type { TokenUnits };

/**
 * `1.5 MTK (1500000000000000000 base units)`: token units using the token's decimals, base units beside
 * (the exact figure the chain and the gateway use); base units alone when the token could not be asked.
 */
export function formatTokenAmount(amount: bigint, token: TokenUnits | undefined): string {
  return formatTokenAmountWithBase(amount, token);
}

/**
 * Reads an amount typed by a user: a plain integer is base units (`1000`); a number followed by the
 * token's symbol is token units (`0.5MTK`, `0.5 MTK`). Anything else is a usage error.
 */
export function parseTokenAmount(text: string, what: string, token?: TokenUnits): bigint {
  const trimmed = text.trim();
  if (/^(0|[1-9][0-9]{0,77})$/.test(trimmed)) return BigInt(trimmed);
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z][A-Za-z0-9]*)$/.exec(trimmed);
  if (match && token && match[2]?.toLowerCase() === token.symbol.toLowerCase()) {
    try {
      return parseUnits(match[1] as string, token.decimals);
    } catch {
      throw new CliUsageError(`${what} ${text} has more decimals than the token (${token.decimals})`);
    }
  }
  if (match && token) {
    throw new CliUsageError(
      `${what} ${JSON.stringify(text)} names ${match[2]}, but the channel token is ${token.symbol}`,
    );
  }
  const unit = token ? `token units with the symbol (e.g. 0.5${token.symbol}) or ` : '';
  throw new CliUsageError(
    `${what} must be ${unit}an integer amount of base units, not ${JSON.stringify(text)}`,
  );
}
