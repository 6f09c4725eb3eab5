// The sender side of a bench stream: a PaymentWallet over one channel that only exists in the gateway's table
// (bench channels are announced to the gateway by event, as bench/gateway does, never opened on chain), so
// `paidStream` of the client SDK drives the stream exactly as `client.stream` does, without a chain or state file.
import type { PaymentIdentity, PaymentWallet, PreparedPayment } from '@microraiden/client';
import { signBalanceProof, type Address, type ChannelDomain, type Hex32 } from '@microraiden/protocol';

import type { BenchChannel } from '../gateway/bench-channels';

/** Signs the client's rule `max(S + 1, C + price)` (docs/protocol.md 7.2) over what the gateway reported. */
export class BenchWallet implements PaymentWallet {
  private accepted = 0n;
  private charged = 0n;
  private signed = 0n;

  constructor(
    private readonly channel: BenchChannel,
    private readonly domain: ChannelDomain,
    private readonly receiver: Address,
    private readonly token: Address,
  ) {}

  async paymentIdentity(): Promise<PaymentIdentity> {
    return {
      sender: this.channel.sender,
      chainId: this.domain.chainId,
      channelManager: this.domain.verifyingContract,
      token: this.token,
    };
  }

  async fundChannel(): Promise<Hex32> {
    return this.channel.channelId;
  }

  async preparePayment(request: { price: bigint }): Promise<PreparedPayment> {
    const base = this.accepted;
    let balance = base + 1n > this.charged + request.price ? base + 1n : this.charged + request.price;
    if (balance <= this.signed) balance = this.signed + request.price;
    this.signed = balance;
    const { channelId, senderKey, sender } = this.channel;
    const signature = signBalanceProof(senderKey, this.domain, {
      channelId,
      receiver: this.receiver,
      balance,
    });
    return { channelId, sender, receiver: this.receiver, balance, signature, base, reused: false };
  }

  async recordReceiverBalance(request: { balance: bigint; chargedBalance?: bigint }): Promise<void> {
    this.accepted = request.balance;
    this.charged = request.chargedBalance ?? request.balance;
  }
}
