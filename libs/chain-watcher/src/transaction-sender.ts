import { ContractRevertedError } from '@microraiden/contracts';
import type { JsonRpcProvider, Wallet } from 'ethers';
import { ChainWatcherError } from './chain-watcher-error';
import { systemClock, type Clock } from './clock';
import { bumpedFees, initialFees, type FeePolicy, type Fees } from './fee-policy';
import { GasFundsGate, isInsufficientFunds } from './gas-funds-gate';
import { silentLog, type WatcherLog } from './watcher-log';

/** A transaction as sent (and re-sent with higher fees): everything needed to replace it after a restart. */
export interface SentTransaction {
  /** Hashes of every version sent for this nonce, oldest first: any of them may be the one mined. */
  readonly hashes: readonly string[];
  readonly to: string;
  readonly data: string;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly fees: Fees;
  /** Wall-clock ms when the latest version was sent. */
  readonly sentAtMs: number;
}

/** A mined transaction. */
export interface MinedTransaction {
  readonly hash: string;
  readonly success: boolean;
  readonly blockNumber: number;
}

const NONCE_TROUBLE =
  /nonce too low|nonce too high|already known|replacement transaction underpriced|nonce has already been used/i;

/** True when a send failed because our nonce view is out of date. */
export function isNonceError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED') return true;
  return NONCE_TROUBLE.test(String((error as Error | null)?.message ?? error));
}

/**
 * Sends transactions from one key, one at a time: the nonce comes from the `pending` count once and is then
 * counted locally, re-read after a nonce error; stuck transactions are replaced (same nonce, higher fees).
 * Gas is estimated first, so a call that would revert throws a ContractRevertedError without using a nonce.
 * A key without ETH goes through its {@link GasFundsGate}: sends are held (RECEIVER_FUNDS_INSUFFICIENT) with
 * back-off until the balance rises.
 */
export class TransactionSender {
  private queue: Promise<unknown> = Promise.resolve();
  private nextNonce: number | undefined;

  constructor(
    private readonly wallet: Wallet,
    private readonly provider: JsonRpcProvider,
    private readonly chainId: bigint,
    private readonly policy: FeePolicy,
    private readonly clock: Clock = systemClock,
    private readonly log: WatcherLog = silentLog,
    private readonly funds: GasFundsGate = new GasFundsGate(() => provider.getBalance(wallet.address)),
  ) {}

  /** The sending address. */
  get address(): string {
    return this.wallet.address;
  }

  /** Estimate, price, sign and broadcast a call; resolves once the node accepted it (not mined). */
  send(request: { to: string; data: string }): Promise<SentTransaction> {
    return this.serialised(async () => {
      await this.funds.admit();
      let estimate: bigint;
      try {
        estimate = await this.provider.estimateGas({
          from: this.wallet.address,
          to: request.to,
          data: request.data,
        });
      } catch (err) {
        if (isInsufficientFunds(err)) throw await this.funds.refused(err);
        throw ContractRevertedError.from(err) ?? err;
      }
      const gasLimit = (estimate * 13n) / 10n;
      const fees = initialFees(await this.suggestedFees(), this.policy);
      for (let attempt = 1; ; attempt++) {
        const nonce =
          this.nextNonce ?? (await this.provider.getTransactionCount(this.wallet.address, 'pending'));
        try {
          const hash = await this.broadcast({ ...request, nonce, gasLimit, fees });
          this.nextNonce = nonce + 1;
          return { hashes: [hash], ...request, nonce, gasLimit, fees, sentAtMs: this.clock() };
        } catch (err) {
          this.nextNonce = undefined;
          if (isInsufficientFunds(err)) throw await this.funds.refused(err);
          if (!isNonceError(err) || attempt >= 3) throw this.sendFailed(err, nonce);
          this.log.warn('nonce out of date, re-reading the pending count', { nonce, attempt });
        }
      }
    });
  }

  /**
   * Re-send `tx` with its nonce and bumped fees. Undefined when the cap forbids a bump, or when the nonce is
   * already used (some version was mined: check {@link minedOf}; if none was, send the call afresh).
   */
  replace(tx: SentTransaction): Promise<SentTransaction | undefined> {
    return this.serialised(async () => {
      await this.funds.admit();
      const fees = bumpedFees(tx.fees, await this.suggestedFees(), this.policy);
      if (!fees) return undefined;
      try {
        const hash = await this.broadcast({ ...tx, fees });
        return { ...tx, hashes: [...tx.hashes, hash], fees, sentAtMs: this.clock() };
      } catch (err) {
        if (isInsufficientFunds(err)) throw await this.funds.refused(err);
        if (isNonceError(err)) {
          this.nextNonce = undefined;
          return undefined;
        }
        throw this.sendFailed(err, tx.nonce);
      }
    });
  }

  /** The mined version among `hashes`, if any. */
  async minedOf(hashes: readonly string[]): Promise<MinedTransaction | undefined> {
    for (const hash of hashes) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return { hash, success: receipt.status === 1, blockNumber: receipt.blockNumber };
    }
    return undefined;
  }

  /** Whether the account's nonce `nonce` has been used by a mined transaction. */
  async isNonceUsed(nonce: number): Promise<boolean> {
    return (await this.provider.getTransactionCount(this.wallet.address, 'latest')) > nonce;
  }

  private async broadcast(tx: { to: string; data: string; nonce: number; gasLimit: bigint; fees: Fees }) {
    const signed = await this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      to: tx.to,
      data: tx.data,
      nonce: tx.nonce,
      gasLimit: tx.gasLimit,
      maxFeePerGas: tx.fees.maxFeePerGas,
      maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas,
      value: 0n,
    });
    const response = await this.provider.broadcastTransaction(signed);
    this.funds.paid();
    return response.hash;
  }

  private async suggestedFees(): Promise<Fees> {
    const data = await this.provider.getFeeData();
    const maxFeePerGas = data.maxFeePerGas ?? data.gasPrice ?? 1_000_000_000n;
    const maxPriorityFeePerGas = data.maxPriorityFeePerGas ?? maxFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  private sendFailed(err: unknown, nonce: number): ChainWatcherError {
    return new ChainWatcherError(
      'TX_SEND_FAILED',
      `could not send transaction: ${(err as Error).message ?? String(err)}`,
      { nonce },
      { cause: err },
    );
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
