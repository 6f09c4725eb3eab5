import type { Address, Hex32 } from '@microraiden/protocol';
import type { ChannelOperations, SignedBalanceProof, TransactionOptions } from './channel-operations';
import type { CloseOptions, CloseOutcome, CloseRequested, SettledChannel } from './close-outcome';
import { committedBalance, spendable, type ChannelRecord, type ChannelState } from './state/channel-record';

/**
 * One of the sender's channels. Properties are a snapshot of the local state, updated by this object's
 * own operations (call `refresh()` to see changes made elsewhere); operations always work on the latest
 * state under the state file's lock.
 */
export class Channel {
  constructor(
    private record: ChannelRecord,
    private readonly ops: ChannelOperations,
  ) {}

  get id(): Hex32 {
    return this.record.id;
  }

  get sender(): Address {
    return this.record.sender;
  }

  get receiver(): Address {
    return this.record.receiver;
  }

  /** Tokens escrowed (base units). */
  get deposit(): bigint {
    return this.record.deposit;
  }

  /** The cumulative balance the sender is committed to (signed or held by the receiver). */
  get balance(): bigint {
    return committedBalance(this.record);
  }

  /** The last balance the receiver acknowledged (receipt, withdrawal or close); null when unknown. */
  get acknowledgedBalance(): bigint | null {
    return this.record.acknowledgedBalance;
  }

  /**
   * What the receiver charged in total, from its receipts (RDN-Charged-Balance): below `acknowledgedBalance` on
   * metered or streamed routes (a proof authorises a ceiling, the request is charged what it used), equal to it on
   * fixed prices; null when no receipt named it. A cooperative close is for this balance.
   */
  get chargedBalance(): bigint | null {
    return this.record.chargedBalance;
  }

  /** deposit - balance: what can still be paid without a top-up. */
  get remaining(): bigint {
    return spendable(this.record);
  }

  get state(): ChannelState {
    return this.record.state;
  }

  /** Chain time from which a closing channel can be settled; null unless closing. */
  get settleAt(): bigint | null {
    return this.record.settleAt;
  }

  /** Block of the ChannelCreated event (µRaiden's "open block"). */
  get openedBlock(): number | null {
    return this.record.openedBlock;
  }

  /** The gateway where the receiver was met (origin + gateway path), used by `close()`. */
  get gatewayUrl(): string | null {
    return this.record.gatewayUrl;
  }

  /** The latest signed balance proof; undefined when nothing was signed on this channel here. */
  balanceProof(): SignedBalanceProof | undefined {
    return this.record.balanceSignature === null ? undefined : this.ops.proofOf(this.record);
  }

  /** Adds `amount` to the deposit (one permit transaction when the token supports it). */
  async topup(amount: bigint, options: TransactionOptions = {}): Promise<this> {
    this.record = await this.ops.topUp(this.id, amount, options);
    return this;
  }

  /** Signs a balance `value` higher and persists it before returning; INSUFFICIENT_DEPOSIT past the deposit. */
  async createTransfer(value: bigint): Promise<SignedBalanceProof> {
    const { record, proof } = await this.ops.transfer(this.id, value);
    this.record = record;
    return proof;
  }

  /** Closes cooperatively through the receiver's gateway, or starts the challenge period if that fails. */
  async close(options: CloseOptions = {}): Promise<CloseOutcome> {
    const outcome = await this.ops.close(this.id, options);
    await this.reload();
    return outcome;
  }

  /** Settles at once with the receiver's closing signature for the current balance. */
  async closeCooperatively(
    closingSignature: string,
    options: TransactionOptions = {},
  ): Promise<SettledChannel> {
    const settled = await this.ops.closeCooperatively(this.id, closingSignature, options);
    await this.reload();
    return settled;
  }

  /** Starts the challenge period, declaring the current balance as owed. */
  async uncooperativeClose(options: TransactionOptions = {}): Promise<CloseRequested> {
    const requested = await this.ops.uncooperativeClose(this.id, options);
    await this.reload();
    return requested;
  }

  /** Pays out after the challenge period; CHALLENGE_PERIOD_NOT_OVER (with the time left) before. */
  async settle(options: TransactionOptions = {}): Promise<SettledChannel> {
    const settled = await this.ops.settle(this.id, options);
    await this.reload();
    return settled;
  }

  /** True when the channel is closing and its challenge period is over (chain clock). */
  async isSettleable(): Promise<boolean> {
    this.record = await this.ops.refresh(this.id);
    return this.record.state === 'closing' && (await this.ops.secondsUntilSettleable(this.record)) === 0n;
  }

  /** Seconds left in the challenge period (chain clock); 0 when settleable or not closing. */
  async secondsUntilSettleable(): Promise<bigint> {
    this.record = await this.ops.refresh(this.id);
    return this.ops.secondsUntilSettleable(this.record);
  }

  /** Re-reads the channel from the contract and the local state. */
  async refresh(): Promise<this> {
    this.record = await this.ops.refresh(this.id);
    return this;
  }

  private async reload(): Promise<void> {
    this.record = await this.ops.get(this.id);
  }

  /** A plain snapshot (amounts as decimal strings) for logs and JSON output. */
  toJSON(): Record<string, string | number | null> {
    return {
      id: this.id,
      sender: this.sender,
      receiver: this.receiver,
      deposit: this.deposit.toString(),
      balance: this.balance.toString(),
      acknowledgedBalance: this.acknowledgedBalance?.toString() ?? null,
      chargedBalance: this.chargedBalance?.toString() ?? null,
      remaining: this.remaining.toString(),
      state: this.state,
      settleAt: this.settleAt?.toString() ?? null,
      openedBlock: this.openedBlock,
      gatewayUrl: this.gatewayUrl,
    };
  }

  // util.inspect.custom, without importing node:util (the browser build has no Node built-ins).
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `Channel ${inspect(this.toJSON(), options)}`;
  }
}
