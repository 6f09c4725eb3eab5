import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import { ClientError } from '../client-error';

/** Progress of one transaction, for callers that show it (the CLI prints a line per event). */
export type TransactionProgress =
  | { readonly stage: 'sent'; readonly action: string; readonly txHash: string }
  | {
      readonly stage: 'confirming';
      readonly action: string;
      readonly txHash: string;
      readonly blockNumber: number;
      readonly confirmations: number;
      readonly required: number;
    }
  | {
      readonly stage: 'confirmed';
      readonly action: string;
      readonly txHash: string;
      readonly blockNumber: number;
      readonly confirmations: number;
    };

/** Receives transaction progress events. */
export type ProgressListener = (event: TransactionProgress) => void;

/** How waitForConfirmations polls. */
export interface ConfirmationOptions {
  readonly required: number;
  readonly pollingIntervalMs: number;
  /** Give up when the transaction is not mined and confirmed within this time. Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: ProgressListener;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `txHash` is mined and `required` blocks deep (the block holding it counts as one), reporting
 * each new depth. The receipt is re-read at the end so a transaction moved by a reorg is waited for again
 * in its new block instead of being trusted at its old depth.
 */
export async function waitForConfirmations(
  provider: JsonRpcProvider,
  action: string,
  txHash: string,
  options: ConfirmationOptions,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const required = Math.max(1, options.required);
  let reported = -1;
  for (;;) {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt) {
      const head = await provider.getBlockNumber();
      const confirmations = Math.max(0, head - receipt.blockNumber + 1);
      if (confirmations >= required) {
        const again = await provider.getTransactionReceipt(txHash);
        if (again && again.blockHash === receipt.blockHash) {
          options.onProgress?.({
            stage: 'confirmed',
            action,
            txHash,
            blockNumber: receipt.blockNumber,
            confirmations,
          });
          return again;
        }
      } else if (confirmations !== reported) {
        reported = confirmations;
        options.onProgress?.({
          stage: 'confirming',
          action,
          txHash,
          blockNumber: receipt.blockNumber,
          confirmations,
          required,
        });
      }
    }
    if (Date.now() > deadline) {
      throw new ClientError('TRANSACTION_FAILED', `${action}: ${txHash} was not confirmed in time`, {
        action,
        txHash,
      });
    }
    await sleep(options.pollingIntervalMs);
  }
}
