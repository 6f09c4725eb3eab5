import { NotReadyError, type DependencyCheck } from '@microraiden/service-kit';
import { formatEther, type JsonRpcProvider } from 'ethers';
import type { WatcherMetrics } from './watcher-metrics';

/**
 * Readiness check and alarm: the receiver must hold at least MIN_RECEIVER_ETH to pay for disputes. Every check
 * (health probe or the watcher's own poll) updates the balance gauge and the low-balance alarm.
 */
export class ReceiverFundsCheck implements DependencyCheck {
  readonly name = 'receiver-eth';
  private target: { provider: JsonRpcProvider; address: string; metrics: WatcherMetrics } | undefined;

  constructor(private readonly minimumWei: bigint) {}

  /** Start watching `address` (set once the watcher has its provider and wallet). */
  watch(provider: JsonRpcProvider, address: string, metrics: WatcherMetrics): void {
    this.target = { provider, address, metrics };
  }

  async check(): Promise<Record<string, string>> {
    if (!this.target) throw new NotReadyError('the watcher has not started');
    const { provider, address, metrics } = this.target;
    const balance = await provider.getBalance(address);
    const low = balance < this.minimumWei;
    metrics.receiverBalance.set(Number(formatEther(balance)));
    metrics.receiverBalanceLow.set(low ? 1 : 0);
    const facts = {
      receiver: address,
      balanceWei: balance.toString(),
      minimumWei: this.minimumWei.toString(),
    };
    if (low)
      throw new NotReadyError(
        `receiver ${address} holds ${formatEther(balance)} ETH, below MIN_RECEIVER_ETH ${formatEther(this.minimumWei)}: disputes may fail`,
      );
    return facts;
  }
}
