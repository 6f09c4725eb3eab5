import type { Address, Hex, Hex32 } from '@microraiden/protocol';
import type { ProgressListener } from '../chain/transaction-progress';

/** Who pays, on which chain, through which channel manager and token. */
export interface PaymentIdentity {
  readonly sender: Address;
  readonly chainId: bigint;
  readonly channelManager: Address;
  readonly token: Address;
}

/** A balance proof ready to send. */
export interface PreparedPayment {
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  readonly balance: bigint;
  readonly signature: Hex;
  /** What the receiver was believed to hold before: `balance - base` is the expected charge. */
  readonly base: bigint;
  /** True when an earlier, unconfirmed proof is re-sent instead of signing a new one. */
  readonly reused: boolean;
}

/**
 * What paidFetch needs from a sender: the port between the HTTP handshake and channels, keys and state.
 * `Client` implements it; unit tests use an in-memory one.
 */
export interface PaymentWallet {
  paymentIdentity(): Promise<PaymentIdentity>;
  /** An open channel to `receiver` that can pay `amount` more: reused, topped up or opened within `maxDeposit`. */
  fundChannel(request: {
    receiver: Address;
    amount: bigint;
    maxDeposit: bigint;
    onProgress?: ProgressListener;
  }): Promise<Hex32>;
  /** The proof for the next payment of `price` (signed and persisted before it returns, or re-used). */
  preparePayment(request: {
    channelId: Hex32;
    price: bigint;
    maxIncrement: bigint;
  }): Promise<PreparedPayment>;
  /**
   * Remembers the balance the receiver reported holding (RDN-Sender-Balance), what it charged in total
   * (RDN-Charged-Balance, or RDN-Sender-Balance when the receipt has none) and where it was met.
   */
  recordReceiverBalance(request: {
    channelId: Hex32;
    balance: bigint;
    chargedBalance?: bigint;
    gatewayUrl?: string;
  }): Promise<void>;
}
