import { parseAddress, type Address, type Hex, type Hex32 } from '@microraiden/protocol';
import { recoverClosingProofSigner, sameAddress } from '@microraiden/protocol';
import { ClientError } from './client-error';
import type { ClientSession } from './client-session';
import type { CloseOptions, CloseOutcome, CloseRequested, SettledChannel } from './close-outcome';
import { gatewayBaseUrl, requestClosingSignature } from './close-request-client';
import { evolveChannel, replayChannelEvents, type ChannelEvent } from './chain/channel-event';
import type { ExecutedTransaction } from './chain/sender-chain';
import type { ProgressListener } from './chain/transaction-progress';
import { formatDuration } from './format-duration';
import { planFunding } from './funding-plan';
import type { SenderSigner } from './keys/sender-signer';
import { nextPaymentBalance } from './payment/next-payment-balance';
import type { PreparedPayment } from './payment/payment-wallet';
import {
  chargedBalanceOf,
  committedBalance,
  maxAmount,
  type ChannelRecord,
  type ChannelState,
} from './state/channel-record';
import type { SenderState } from './state/sender-state-file';

/** Options of operations that send transactions. */
export interface TransactionOptions {
  /** Called as the transaction is sent, mined and confirmed. */
  readonly onProgress?: ProgressListener;
}

/** Options of opening a channel. */
export interface OpenChannelOptions extends TransactionOptions {
  /**
   * A balance signer for the channel (a session key's address, docs/protocol.md 3.1): its balance proofs count
   * as the sender's for the channel's life, up to the deposit. Opened with createChannelWithPermitAndSigner, or
   * approve + createChannelWithSigner. It cannot be the sender, the receiver or the zero address.
   */
  readonly signer?: string;
}

/** A signed balance proof: what a receiver needs to collect `balance` on the channel. */
export interface SignedBalanceProof {
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  readonly balance: bigint;
  readonly signature: Hex;
}

/** Settings of ChannelOperations. */
export interface OperationSettings {
  readonly fetch: typeof fetch;
  /** Fund with one EIP-2612 permit transaction when the token supports it (else approve + call). */
  readonly usePermit: boolean;
  readonly logChunkBlocks: number;
}

function requirePositive(amount: unknown, what: string): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n) {
    throw new ClientError('INVALID_AMOUNT', `${what} must be a positive bigint (token base units)`, { what });
  }
  return amount;
}

function withChannel(state: SenderState, record: ChannelRecord): SenderState {
  return { ...state, channels: { ...state.channels, [record.id]: record } };
}

function requireChannel(state: SenderState, channelId: Hex32): ChannelRecord {
  const record = state.channels[channelId.toLowerCase() as Hex32];
  if (!record) {
    throw new ClientError(
      'CHANNEL_UNKNOWN',
      `channel ${channelId} is not one of this sender's channels; run sync`,
      {
        channelId,
      },
    );
  }
  return record;
}

function requireState(record: ChannelRecord, allowed: readonly ChannelState[], doing: string): void {
  if (!allowed.includes(record.state)) {
    const code =
      allowed.includes('closing') && !allowed.includes('open') ? 'CHANNEL_NOT_CLOSING' : 'CHANNEL_NOT_OPEN';
    throw new ClientError(code, `cannot ${doing}: channel ${record.id} is ${record.state}`, {
      channelId: record.id,
      state: record.state,
    });
  }
}

/**
 * The balance a cooperative close is first asked at: the one the receiver acknowledged (its own record,
 * which the gateway closes at), else — nothing was ever acknowledged, e.g. proofs handed over out of
 * band — the highest balance signed.
 */
function claimedBalance(record: ChannelRecord): bigint {
  return record.acknowledgedBalance ?? record.signedBalance;
}

/**
 * The balances a cooperative close is asked for, in order: the charged balance C (what the receiver expects on a
 * channel with metered or streamed charges, docs/protocol.md 10; = the acknowledged balance on fixed prices), the
 * acknowledged balance, the highest committed one.
 */
function closeCandidates(record: ChannelRecord): bigint[] {
  const claimed = claimedBalance(record);
  return [...new Set([chargedBalanceOf(record, claimed), claimed, committedBalance(record)])];
}

/**
 * The channel operations behind Client and Channel: every change goes through the state store's lock,
 * every transaction through SenderChain (typed errors, confirmations, progress), and the store is updated
 * from the events a mined transaction emitted — the same evolve function sync replays.
 */
export class ChannelOperations {
  constructor(
    private readonly session: () => Promise<ClientSession>,
    private readonly key: SenderSigner,
    private readonly settings: OperationSettings,
  ) {}

  /** The sender's channels from the local state, optionally only those to `receiver` or in `state`. */
  async list(filter: { receiver?: string; state?: ChannelState } = {}): Promise<ChannelRecord[]> {
    const { store } = await this.session();
    const { channels } = await store.read();
    return Object.values(channels)
      .filter((c) => filter.receiver === undefined || sameAddress(c.receiver, filter.receiver))
      .filter((c) => filter.state === undefined || c.state === filter.state)
      .sort((a, b) => (a.openedBlock ?? Infinity) - (b.openedBlock ?? Infinity) || a.id.localeCompare(b.id));
  }

  /** One channel from the local state; CHANNEL_UNKNOWN when it is not there. */
  async get(channelId: Hex32): Promise<ChannelRecord> {
    const { store } = await this.session();
    return requireChannel(await store.read(), channelId);
  }

  /**
   * Opens a channel to `receiver` escrowing `deposit`: one permit transaction, or approve + createChannel; with
   * `options.signer`, the variants that name that balance signer.
   */
  async open(receiver: string, deposit: bigint, options: OpenChannelOptions = {}): Promise<ChannelRecord> {
    const session = await this.session();
    const to = this.receiverAddress(receiver);
    const signer = options.signer === undefined ? undefined : this.signerAddress(options.signer, to);
    requirePositive(deposit, 'deposit');
    const { chain } = session;
    await chain.assertChain();
    await this.requireTokens(deposit);
    const permit = this.settings.usePermit ? await chain.permit(deposit) : undefined;
    let tx: ExecutedTransaction;
    if (permit && signer) {
      tx = await chain.execute(
        'createChannelWithPermitAndSigner',
        () =>
          chain.manager.createChannelWithPermitAndSigner(
            to,
            deposit,
            signer,
            permit.deadline,
            permit.v,
            permit.r,
            permit.s,
          ),
        options,
      );
    } else if (permit) {
      tx = await chain.execute(
        'createChannelWithPermit',
        () =>
          chain.manager.createChannelWithPermit(to, deposit, permit.deadline, permit.v, permit.r, permit.s),
        options,
      );
    } else {
      await this.approve(deposit, options);
      tx = signer
        ? await chain.execute(
            'createChannelWithSigner',
            () => chain.manager.createChannelWithSigner(to, deposit, signer),
            options,
          )
        : await chain.execute('createChannel', () => chain.manager.createChannel(to, deposit), options);
    }
    const created = tx.events.find((e) => e.type === 'created');
    if (!created) {
      throw new ClientError(
        'TRANSACTION_FAILED',
        `createChannel ${tx.receipt.hash} emitted no ChannelCreated`,
        {
          txHash: tx.receipt.hash,
        },
      );
    }
    await this.apply(tx.events);
    return this.get(created.channelId);
  }

  /** Adds `amount` to an open channel's deposit (permit, or approve + topUp). */
  async topUp(channelId: Hex32, amount: bigint, options: TransactionOptions = {}): Promise<ChannelRecord> {
    requirePositive(amount, 'top-up amount');
    const record = await this.get(channelId);
    requireState(record, ['open'], 'top up');
    const { chain } = await this.session();
    await chain.assertChain();
    await this.requireTokens(amount);
    const permit = this.settings.usePermit ? await chain.permit(amount) : undefined;
    let tx: ExecutedTransaction;
    if (permit) {
      tx = await chain.execute(
        'topUpWithPermit',
        () => chain.manager.topUpWithPermit(record.id, amount, permit.deadline, permit.v, permit.r, permit.s),
        options,
      );
    } else {
      await this.approve(amount, options);
      tx = await chain.execute('topUp', () => chain.manager.topUp(record.id, amount), options);
    }
    await this.apply(tx.events);
    return this.get(record.id);
  }

  /**
   * Signs a balance `value` above the channel's committed balance and persists it before returning, under
   * the state file's lock: signed balances on a channel strictly increase, even across processes.
   */
  async transfer(
    channelId: Hex32,
    value: bigint,
  ): Promise<{ record: ChannelRecord; proof: SignedBalanceProof }> {
    requirePositive(value, 'transfer value');
    const { store, domain } = await this.session();
    return store.update(async (state) => {
      const record = requireChannel(state, channelId);
      requireState(record, ['open'], 'transfer');
      const balance = committedBalance(record) + value;
      if (balance > record.deposit) {
        throw new ClientError(
          'INSUFFICIENT_DEPOSIT',
          `a balance of ${balance} would exceed the deposit of ${record.deposit} on channel ${record.id}; top it up`,
          { channelId: record.id, balance: balance.toString(), deposit: record.deposit.toString() },
        );
      }
      const signature = await this.key.signBalanceProof(domain, {
        channelId: record.id,
        receiver: record.receiver,
        balance,
      });
      const next: ChannelRecord = { ...record, signedBalance: balance, balanceSignature: signature };
      return { state: withChannel(state, next), result: { record: next, proof: this.proofOf(next) } };
    });
  }

  /** The proof for the next paid request (see nextPaymentBalance), persisted before it is returned. */
  async preparePayment(channelId: Hex32, price: bigint, maxIncrement: bigint): Promise<PreparedPayment> {
    requirePositive(price, 'price');
    const { store, domain } = await this.session();
    return store.update(async (state) => {
      const record = requireChannel(state, channelId);
      requireState(record, ['open'], 'pay');
      const step = nextPaymentBalance(record, price, maxIncrement);
      if (step.kind === 'insufficient') {
        throw new ClientError(
          'INSUFFICIENT_DEPOSIT',
          `paying ${price} needs a balance of ${step.balance}, above the deposit of ${record.deposit} on channel ${record.id}`,
          { channelId: record.id, balance: step.balance.toString(), deposit: record.deposit.toString() },
        );
      }
      const prepared = (balance: bigint, signature: Hex): PreparedPayment => ({
        channelId: record.id,
        sender: record.sender,
        receiver: record.receiver,
        balance,
        signature,
        base: step.base,
        reused: step.kind === 'reuse',
      });
      if (step.kind === 'reuse') return { result: prepared(step.balance, record.balanceSignature as Hex) };
      const signature = await this.key.signBalanceProof(domain, {
        channelId: record.id,
        receiver: record.receiver,
        balance: step.balance,
      });
      // Pin the assumption the step was based on, so a proof lost in the network is re-sent next time
      // instead of being assumed accepted.
      const next: ChannelRecord = {
        ...record,
        signedBalance: step.balance,
        balanceSignature: signature,
        acknowledgedBalance: record.acknowledgedBalance ?? step.base,
      };
      return { state: withChannel(state, next), result: prepared(step.balance, signature) };
    });
  }

  /**
   * Records the balance the receiver reported holding, what it charged in total (`chargedBalance`, when its
   * receipt named it; both only grow at the receiver, so the larger wins) and, when given, where its gateway lives.
   */
  async acknowledge(
    channelId: Hex32,
    balance: bigint,
    gatewayUrl?: string,
    chargedBalance?: bigint,
  ): Promise<void> {
    const { store } = await this.session();
    await store.update((state) => {
      const record = state.channels[channelId];
      if (!record) return { result: undefined };
      const acknowledgedBalance = maxAmount(record.acknowledgedBalance, balance);
      const charged = maxAmount(record.chargedBalance, chargedBalance ?? null);
      const url = gatewayUrl === undefined ? record.gatewayUrl : gatewayBaseUrl(gatewayUrl);
      if (
        acknowledgedBalance === record.acknowledgedBalance &&
        charged === record.chargedBalance &&
        url === record.gatewayUrl
      )
        return { result: undefined };
      return {
        state: withChannel(state, {
          ...record,
          acknowledgedBalance,
          chargedBalance: charged,
          gatewayUrl: url,
        }),
        result: undefined,
      };
    });
  }

  /** An open channel to `receiver` able to pay `amount` more: reused, topped up to `maxDeposit`, or opened. */
  async fund(
    receiver: string,
    amount: bigint,
    options: TransactionOptions & { openDeposit: bigint; maxDeposit?: bigint },
  ): Promise<ChannelRecord> {
    const to = this.receiverAddress(receiver);
    const plan = planFunding({
      channels: await this.list({ receiver: to, state: 'open' }),
      receiver: to,
      amount,
      openDeposit: options.openDeposit,
      maxDeposit: options.maxDeposit,
    });
    switch (plan.kind) {
      case 'use':
        return plan.channel;
      case 'topUp':
        return this.topUp(plan.channel.id, plan.amount, options);
      case 'open':
        return this.open(to, plan.deposit, options);
      case 'refuse':
        throw new ClientError('NO_SUITABLE_CHANNEL', plan.reason, {
          receiver: to,
          amount: amount.toString(),
        });
      default: {
        const unhandled: never = plan;
        return unhandled;
      }
    }
  }

  /**
   * Closes the channel: asks the receiver's gateway (`receiverUrl`, else where paidFetch met it) for a
   * closing signature and closes cooperatively; when it is unreachable, refuses or answers badly, starts
   * the challenge period with an uncooperative close — unless `confirmUncooperative` answers false, which
   * leaves the channel open and throws COOPERATIVE_CLOSE_FAILED.
   *
   * The close is asked for at the balance the receiver acknowledged (a proof it never accepted, e.g. one
   * whose upstream failed, is not paid for), and — if the receiver answers CLOSE_BALANCE_MISMATCH — once
   * more at the highest balance signed here.
   */
  async close(channelId: Hex32, options: CloseOptions = {}): Promise<CloseOutcome> {
    const record = await this.refresh(channelId);
    requireState(record, ['open', 'closing'], 'close');
    const url = options.receiverUrl ?? record.gatewayUrl;
    let reason = 'no receiver URL is known for this channel';
    if (url) {
      const { domain } = await this.session();
      const candidates = closeCandidates(record);
      for (const balance of candidates) {
        const proof = await this.proofAt(record.id, balance);
        const answer = await requestClosingSignature({
          fetch: this.settings.fetch,
          gatewayUrl: url,
          domain,
          channelId: record.id,
          sender: record.sender,
          receiver: record.receiver,
          balance,
          balanceSignature: proof.signature,
        });
        if (answer.ok) {
          const settled = await this.closeCooperatively(record.id, answer.closingSignature, options);
          return { kind: 'cooperative', ...settled };
        }
        reason = answer.reason;
        if (answer.gatewayCode !== 'CLOSE_BALANCE_MISMATCH') break;
      }
    }
    if (record.state === 'closing' && record.settleAt !== null) {
      return {
        kind: 'challenge',
        reason,
        txHash: null,
        balance: record.closingBalance ?? 0n,
        settleAt: record.settleAt,
      };
    }
    if (options.confirmUncooperative && !(await options.confirmUncooperative(reason))) {
      throw new ClientError(
        'COOPERATIVE_CLOSE_FAILED',
        `the cooperative close failed (${reason}); the channel stays open (an uncooperative close was declined)`,
        { channelId: record.id, reason },
      );
    }
    return { kind: 'challenge', reason, ...(await this.uncooperativeClose(record.id, options)) };
  }

  /**
   * Settles at once with the receiver's ClosingProof signature. The balance it was signed for is found
   * among the ones this sender could close at (acknowledged, highest signed), so it need not be passed.
   */
  async closeCooperatively(
    channelId: Hex32,
    closingSignature: string,
    options: TransactionOptions = {},
  ): Promise<SettledChannel> {
    const record = await this.get(channelId);
    requireState(record, ['open', 'closing'], 'close');
    const { chain, domain } = await this.session();
    const balance = closeCandidates(record).find((candidate) => {
      const signer = recoverClosingProofSigner(
        domain,
        { channelId: record.id, sender: record.sender, balance: candidate },
        closingSignature,
      );
      return signer.ok && sameAddress(signer.value, record.receiver);
    });
    if (balance === undefined) {
      throw new ClientError(
        'INVALID_CLOSING_SIGNATURE',
        `the closing signature is not the receiver's for channel ${record.id} at balance ${claimedBalance(record)} or ${committedBalance(record)}`,
        { channelId: record.id },
      );
    }
    const proof = await this.proofAt(record.id, balance);
    const tx = await chain.execute(
      'cooperativeClose',
      () => chain.manager.cooperativeClose(record.id, balance, proof.signature, closingSignature),
      options,
    );
    await this.apply(tx.events);
    return this.settledFrom(tx);
  }

  /**
   * Starts the challenge period, declaring the committed balance (the highest signed or acknowledged) as
   * owed: the SDK never claims less than it may have handed over, so an honest receiver never has to
   * dispute. The cost is at most one proof the receiver never accepted (unaccepted proofs are re-sent,
   * not stacked).
   */
  async uncooperativeClose(channelId: Hex32, options: TransactionOptions = {}): Promise<CloseRequested> {
    const record = await this.refresh(channelId);
    requireState(record, ['open'], 'close uncooperatively');
    const { chain } = await this.session();
    const balance = committedBalance(record);
    const tx = await chain.execute(
      'uncooperativeClose',
      () => chain.manager.uncooperativeClose(record.id, balance),
      options,
    );
    await this.apply(tx.events);
    const requested = tx.events.find((e) => e.type === 'closeRequested');
    return { txHash: tx.receipt.hash, balance, settleAt: requested?.settleAt ?? 0n };
  }

  /** Pays out a closing channel once its challenge period is over; before that CHALLENGE_PERIOD_NOT_OVER. */
  async settle(channelId: Hex32, options: TransactionOptions = {}): Promise<SettledChannel> {
    const record = await this.refresh(channelId);
    requireState(record, ['closing'], 'settle');
    const { chain } = await this.session();
    const remaining = await this.secondsUntilSettleable(record);
    if (remaining > 0n) {
      throw new ClientError(
        'CHALLENGE_PERIOD_NOT_OVER',
        `the challenge period of channel ${record.id} ends in ${formatDuration(remaining)} (chain time ${record.settleAt}); settle after that`,
        { channelId: record.id, settleAt: String(record.settleAt), remainingSeconds: Number(remaining) },
      );
    }
    const tx = await chain.execute('settle', () => chain.manager.settle(record.id), options);
    await this.apply(tx.events);
    return this.settledFrom(tx);
  }

  /** Seconds (chain clock) until a closing channel can be settled; 0 when it can be now. */
  async secondsUntilSettleable(record: ChannelRecord): Promise<bigint> {
    if (record.state !== 'closing' || record.settleAt === null) return 0n;
    const now = await (await this.session()).chain.latestTimestamp();
    return record.settleAt > now ? record.settleAt - now : 0n;
  }

  /** Re-reads one channel from the contract (deposit, withdrawn, closing, settled) into the local state. */
  async refresh(channelId: Hex32): Promise<ChannelRecord> {
    const record = await this.get(channelId);
    if (record.state === 'settled') return record;
    const { chain, store } = await this.session();
    const onChain = await chain.getChannel(record.id);
    return store.update((state) => {
      const current = requireChannel(state, channelId);
      const next: ChannelRecord = onChain
        ? {
            ...current,
            deposit: onChain.deposit,
            withdrawn: onChain.withdrawn,
            acknowledgedBalance: maxAmount(
              current.acknowledgedBalance,
              onChain.withdrawn > 0n ? onChain.withdrawn : null,
            ),
            ...(onChain.settleAt > 0n
              ? {
                  state: 'closing' as const,
                  settleAt: onChain.settleAt,
                  closingBalance: onChain.closingBalance,
                }
              : {}),
          }
        : // Gone from the contract: settled (it existed, since it is in our state).
          { ...current, state: 'settled' };
      return { state: withChannel(state, next), result: next };
    });
  }

  /**
   * Rebuilds the local state from the channel manager's events for this sender since the deployment
   * block, keeping local proofs and acknowledged balances (they are off-chain and may be higher).
   */
  async sync(): Promise<ChannelRecord[]> {
    const { chain, store, fromBlock } = await this.session();
    const events = await chain.channelEvents(fromBlock, this.settings.logChunkBlocks);
    await store.update((state) => ({
      state: { ...state, channels: replayChannelEvents(state.channels, events) },
      result: undefined,
    }));
    return this.list();
  }

  /** The latest signed proof of a record, if any. */
  proofOf(record: ChannelRecord): SignedBalanceProof {
    return {
      channelId: record.id,
      sender: record.sender,
      receiver: record.receiver,
      balance: record.signedBalance,
      signature: record.balanceSignature as Hex,
    };
  }

  /**
   * A signature of `balance` on the channel. Signatures are deterministic (RFC 6979), so a balance signed
   * before gets the very same signature again: signing a balance at or below one already signed commits
   * the sender to nothing new. A balance above the highest signed one is persisted like a transfer.
   */
  private async proofAt(channelId: Hex32, balance: bigint): Promise<SignedBalanceProof> {
    const { store, domain } = await this.session();
    return store.update(async (state) => {
      const record = requireChannel(state, channelId);
      if (record.balanceSignature !== null && record.signedBalance === balance) {
        return { result: this.proofOf(record) };
      }
      const signature = await this.key.signBalanceProof(domain, {
        channelId: record.id,
        receiver: record.receiver,
        balance,
      });
      const proof = { ...this.proofOf(record), balance, signature };
      if (balance < record.signedBalance) return { result: proof };
      const next: ChannelRecord = { ...record, signedBalance: balance, balanceSignature: signature };
      return { state: withChannel(state, next), result: proof };
    });
  }

  private async apply(events: readonly ChannelEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { store } = await this.session();
    await store.update((state) => {
      const channels = { ...state.channels };
      for (const event of events) {
        const next = evolveChannel(channels[event.channelId], event);
        if (next) channels[event.channelId] = next;
      }
      return { state: { ...state, channels }, result: undefined };
    });
  }

  private settledFrom(tx: ExecutedTransaction): SettledChannel {
    const settled = tx.events.find((e) => e.type === 'settled');
    if (!settled || settled.type !== 'settled') {
      throw new ClientError('TRANSACTION_FAILED', `${tx.receipt.hash} emitted no ChannelSettled`, {
        txHash: tx.receipt.hash,
      });
    }
    return {
      txHash: tx.receipt.hash,
      balance: settled.balance,
      receiverPaid: settled.receiverPaid,
      senderRefund: settled.senderRefund,
    };
  }

  private async requireTokens(amount: bigint): Promise<void> {
    const { chain } = await this.session();
    const balance = await chain.tokenBalance();
    if (balance < amount) {
      throw new ClientError(
        'INSUFFICIENT_TOKENS',
        `the sender holds ${balance} tokens, ${amount} are needed`,
        { balance: balance.toString(), needed: amount.toString() },
      );
    }
  }

  private async approve(amount: bigint, options: TransactionOptions): Promise<void> {
    const { chain } = await this.session();
    if ((await chain.allowance()) >= amount) return;
    // Exactly what is needed, never an unlimited allowance; one confirmation so the next call's estimate sees it.
    await chain.execute('approve', () => chain.token.approve(chain.options.channelManager, amount), {
      ...options,
      confirmations: 1,
    });
  }

  /** A balance signer the contract would take (it reverts InvalidSigner on the zero address and the receiver). */
  private signerAddress(text: string, receiver: Address): Address {
    const parsed = typeof text === 'string' ? parseAddress(text) : undefined;
    if (!parsed?.ok) {
      throw new ClientError(
        'INVALID_ADDRESS',
        `the signer is not an address (${parsed?.error ?? 'not text'})`,
      );
    }
    const signer = parsed.value;
    if (BigInt(signer) === 0n || sameAddress(signer, receiver) || sameAddress(signer, this.key.address)) {
      throw new ClientError(
        'INVALID_ADDRESS',
        'the signer must be another key than the sender, the receiver and the zero address',
      );
    }
    return signer;
  }

  private receiverAddress(text: string): Address {
    const parsed = typeof text === 'string' ? parseAddress(text) : undefined;
    if (!parsed?.ok) {
      throw new ClientError(
        'INVALID_ADDRESS',
        `the receiver is not an address (${parsed?.error ?? 'not text'})`,
      );
    }
    if (sameAddress(parsed.value, this.key.address)) {
      throw new ClientError('INVALID_ADDRESS', 'the receiver cannot be the sender itself');
    }
    return parsed.value;
  }
}
