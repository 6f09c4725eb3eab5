import { MicroraidenError } from '@microraiden/errors';
import { ContractRevertedError } from '@microraiden/contracts';
import { ClientError } from '../client-error';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

function causeCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const record = error as { code?: unknown; cause?: unknown; error?: unknown };
  const own = typeof record.code === 'string' ? [record.code] : [];
  return [...own, ...causeCodes(record.cause, depth + 1), ...causeCodes(record.error, depth + 1)];
}

function shortMessage(error: unknown): string {
  const record = error as { shortMessage?: unknown; message?: unknown };
  const text =
    typeof record?.shortMessage === 'string'
      ? record.shortMessage
      : typeof record?.message === 'string'
        ? record.message
        : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Turns whatever a chain call threw into a typed error: reverts become ContractRevertedError (decoded with
 * the contracts' ABIs), a missing RPC RPC_UNAVAILABLE, no gas money INSUFFICIENT_ETH, the rest
 * TRANSACTION_FAILED. Typed errors pass through unchanged.
 */
export function toChainError(error: unknown, action: string): Error {
  if (error instanceof MicroraidenError) return error;
  const reverted = ContractRevertedError.from(error);
  if (reverted) return reverted;
  const codes = causeCodes(error);
  if (codes.includes('INSUFFICIENT_FUNDS')) {
    return new ClientError(
      'INSUFFICIENT_ETH',
      `${action}: the sender has not enough ETH to pay for gas`,
      {
        action,
      },
      { cause: error },
    );
  }
  if (codes.some((code) => NETWORK_CODES.has(code)) || codes.includes('TIMEOUT')) {
    return new ClientError(
      'RPC_UNAVAILABLE',
      `${action}: the Ethereum RPC endpoint does not answer`,
      {
        action,
      },
      { cause: error },
    );
  }
  return new ClientError(
    'TRANSACTION_FAILED',
    `${action} failed: ${shortMessage(error)}`,
    { action },
    {
      cause: error,
    },
  );
}
