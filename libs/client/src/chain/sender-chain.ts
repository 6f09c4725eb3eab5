import {
  zeroPadValue,
  type ContractTransactionResponse,
  type JsonRpcProvider,
  type Log,
  type TransactionReceipt,
  type Signer,
} from 'ethers';
import {
  channelManagerAt,
  microTokenAt,
  type ChannelManagerContract,
  type MicroTokenContract,
} from '@microraiden/contracts';
import {
  checksummedAddress,
  sameAddress,
  type Address,
  type Hex32,
  type TypedDataDomainFields,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import type { SenderSigner } from '../keys/sender-signer';
import type { ChannelEvent } from './channel-event';
import { toChainError } from './chain-error';
import { detectPermitDomain, signPermit, type PermitSignature } from './permit';
import { waitForConfirmations, type ProgressListener } from './transaction-progress';

/** A channel as the contract stores it (`getChannel`). */
export interface OnChainChannel {
  readonly sender: Address;
  readonly receiver: Address;
  readonly deposit: bigint;
  readonly withdrawn: bigint;
  readonly closingBalance: bigint;
  /** 0 while open. */
  readonly settleAt: bigint;
}

/** What a mined transaction did to the sender's channels. */
export interface ExecutedTransaction {
  readonly receipt: TransactionReceipt;
  readonly events: readonly ChannelEvent[];
}

/** Chain settings of a SenderChain. */
export interface SenderChainOptions {
  readonly chainId: bigint;
  readonly channelManager: Address;
  readonly token: Address;
  readonly confirmations: number;
  readonly pollingIntervalMs: number;
}

const CHANNEL_EVENT_NAMES = [
  'ChannelCreated',
  'ChannelToppedUp',
  'ChannelCloseRequested',
  'ChannelWithdrawn',
  'ChannelSettled',
] as const;

/**
 * The sender's view of the chain: reads, transactions that wait for the configured confirmations, and
 * the channel manager's events about this sender decoded into ChannelEvents. Every failure is typed.
 */
export class SenderChain {
  /** The sender's address. */
  readonly sender: Address;
  #wallet?: Signer;
  #manager?: ChannelManagerContract;
  #token?: MicroTokenContract;
  #reader?: { manager: ChannelManagerContract; token: MicroTokenContract };
  private chainChecked?: Promise<void>;
  private permitDomain?: Promise<TypedDataDomainFields | undefined>;
  private tokenMetadata?: Promise<{ decimals: number; symbol: string }>;

  constructor(
    readonly provider: JsonRpcProvider,
    private readonly signer: SenderSigner,
    readonly options: SenderChainOptions,
  ) {
    this.sender = signer.address;
  }

  /**
   * Signs and sends the sender's transactions and permits. Made on first use: an ethers Wallet derives its
   * public key when it is made (tens of ms of CPU), which a command that only reads (`channels`) never needs.
   */
  get wallet(): Signer {
    return (this.#wallet ??= this.signer.transactionSigner(this.provider));
  }

  /** The channel manager, sending as the sender. */
  get manager(): ChannelManagerContract {
    return (this.#manager ??= channelManagerAt(this.options.channelManager, this.wallet));
  }

  /** The token, sending as the sender. */
  get token(): MicroTokenContract {
    return (this.#token ??= microTokenAt(this.options.token, this.wallet));
  }

  /** Both contracts on the provider alone: reads (eth_call, logs) need no signer. */
  private get reader(): { manager: ChannelManagerContract; token: MicroTokenContract } {
    return (this.#reader ??= {
      manager: channelManagerAt(this.options.channelManager, this.provider),
      token: microTokenAt(this.options.token, this.provider),
    });
  }

  /** Throws CHAIN_MISMATCH when the RPC serves another chain than the deployment's (checked once). */
  assertChain(): Promise<void> {
    this.chainChecked ??= this.read('eth_chainId', async () => {
      const actual = BigInt((await this.provider.send('eth_chainId', [])) as string);
      if (actual !== this.options.chainId) {
        throw new ClientError(
          'CHAIN_MISMATCH',
          `the RPC endpoint serves chain ${actual}, the deployment is on chain ${this.options.chainId}`,
          { expected: this.options.chainId.toString(), actual: actual.toString() },
        );
      }
    }).catch((error: unknown) => {
      this.chainChecked = undefined;
      throw error;
    });
    return this.chainChecked;
  }

  /** Timestamp of the latest block: the clock the contract's challenge period runs on. */
  async latestTimestamp(): Promise<bigint> {
    await this.assertChain();
    return this.read('read the latest block', async () => {
      const block = await this.provider.getBlock('latest');
      if (!block) throw new Error('no latest block');
      return BigInt(block.timestamp);
    });
  }

  /** The channel as stored on chain; undefined when it does not exist (never created, or settled). */
  async getChannel(channelId: Hex32): Promise<OnChainChannel | undefined> {
    await this.assertChain();
    const [sender, receiver, deposit, withdrawn, closingBalance, settleAt] = await this.read(
      'getChannel',
      () => this.reader.manager.getChannel(channelId),
    );
    if (BigInt(sender) === 0n) return undefined;
    return {
      sender: checksummedAddress(sender, 'sender'),
      receiver: checksummedAddress(receiver, 'receiver'),
      deposit,
      withdrawn,
      closingBalance,
      settleAt: BigInt(settleAt),
    };
  }

  /** The sender's token balance (base units). */
  async tokenBalance(): Promise<bigint> {
    await this.assertChain();
    return this.read('balanceOf', () => this.reader.token.balanceOf(this.sender));
  }

  /** What the channel manager may still pull from the sender's tokens. */
  async allowance(): Promise<bigint> {
    await this.assertChain();
    return this.read('allowance', () =>
      this.reader.token.allowance(this.sender, this.options.channelManager),
    );
  }

  /**
   * The token's decimals and symbol (18 / "tokens" when it does not implement the optional getters). An
   * unreachable RPC is RPC_UNAVAILABLE, not the defaults: amounts read with a made-up symbol would fail
   * with a misleading message.
   */
  tokenInfo(): Promise<{ decimals: number; symbol: string }> {
    this.tokenMetadata ??= (async () => {
      await this.assertChain();
      const [decimals, symbol] = await Promise.all([
        this.reader.token.decimals().then(Number, () => 18),
        this.reader.token.symbol().catch(() => 'tokens'),
      ]);
      return { decimals, symbol };
    })().catch((error: unknown) => {
      this.tokenMetadata = undefined;
      throw error;
    });
    return this.tokenMetadata;
  }

  /** A permit for the channel manager to take `value` tokens, or undefined when the token has no EIP-2612. */
  async permit(value: bigint): Promise<PermitSignature | undefined> {
    this.permitDomain ??= detectPermitDomain(this.reader.token, this.sender, this.options.chainId);
    const domain = await this.permitDomain;
    if (!domain) return undefined;
    const [nonce, now] = await Promise.all([
      this.read('nonces', () => this.reader.token.nonces(this.sender)),
      this.latestTimestamp(),
    ]);
    // Chain time, not the local clock: they differ on test chains and after clock drift.
    const deadline = now + 3_600n;
    return signPermit(this.wallet, domain, {
      owner: this.sender,
      spender: this.options.channelManager,
      value,
      nonce,
      deadline,
    });
  }

  /**
   * Sends a transaction built by `send`, waits for the configured confirmations while reporting progress,
   * and returns the receipt with the channel events it emitted. Reverts (in gas estimation or mined)
   * become typed errors.
   */
  async execute(
    action: string,
    send: () => Promise<ContractTransactionResponse>,
    options: { onProgress?: ProgressListener; confirmations?: number } = {},
  ): Promise<ExecutedTransaction> {
    await this.assertChain();
    let tx: ContractTransactionResponse;
    try {
      tx = await send();
    } catch (error) {
      throw toChainError(error, action);
    }
    options.onProgress?.({ stage: 'sent', action, txHash: tx.hash });
    let receipt: TransactionReceipt;
    try {
      receipt = await waitForConfirmations(this.provider, action, tx.hash, {
        required: options.confirmations ?? this.options.confirmations,
        pollingIntervalMs: this.options.pollingIntervalMs,
        onProgress: options.onProgress,
      });
    } catch (error) {
      throw toChainError(error, action);
    }
    if (receipt.status !== 1) {
      throw new ClientError('TRANSACTION_FAILED', `${action} reverted in ${tx.hash}`, {
        action,
        txHash: tx.hash,
      });
    }
    return { receipt, events: this.decodeEvents(receipt.logs) };
  }

  /** The sender's channel events between two blocks, fetched in chunks (RPCs cap log ranges). */
  async channelEvents(fromBlock: number, chunkBlocks: number): Promise<ChannelEvent[]> {
    await this.assertChain();
    const latest = await this.read('eth_blockNumber', () => this.provider.getBlockNumber());
    const topics = CHANNEL_EVENT_NAMES.map(
      (name) => this.reader.manager.interface.getEvent(name)?.topicHash as string,
    );
    const senderTopic = zeroPadValue(this.sender, 32);
    const logs: Log[] = [];
    for (let start = fromBlock; start <= latest; start += chunkBlocks) {
      const end = Math.min(latest, start + chunkBlocks - 1);
      logs.push(
        ...(await this.read('eth_getLogs', () =>
          this.provider.getLogs({
            address: this.options.channelManager,
            topics: [topics, null, senderTopic],
            fromBlock: start,
            toBlock: end,
          }),
        )),
      );
    }
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    return this.decodeEvents(logs);
  }

  /** Decodes the manager's channel events about this sender in `logs`; other logs are skipped. */
  decodeEvents(logs: readonly Log[]): ChannelEvent[] {
    const events: ChannelEvent[] = [];
    for (const log of logs) {
      if (!sameAddress(log.address, this.options.channelManager)) continue;
      const parsed = this.reader.manager.interface.parseLog({ topics: [...log.topics], data: log.data });
      if (!parsed || !sameAddress(parsed.args[1] as string, this.sender)) continue;
      const channelId = (parsed.args[0] as string).toLowerCase() as Hex32;
      switch (parsed.name) {
        case 'ChannelCreated':
          events.push({
            type: 'created',
            channelId,
            sender: checksummedAddress(parsed.args[1] as string, 'sender'),
            receiver: checksummedAddress(parsed.args[2] as string, 'receiver'),
            deposit: parsed.args[3] as bigint,
            blockNumber: log.blockNumber,
          });
          break;
        case 'ChannelToppedUp':
          events.push({ type: 'toppedUp', channelId, deposit: parsed.args[4] as bigint });
          break;
        case 'ChannelCloseRequested':
          events.push({
            type: 'closeRequested',
            channelId,
            balance: parsed.args[3] as bigint,
            settleAt: BigInt(parsed.args[4] as bigint),
          });
          break;
        case 'ChannelWithdrawn':
          events.push({ type: 'withdrawn', channelId, withdrawn: parsed.args[4] as bigint });
          break;
        case 'ChannelSettled':
          events.push({
            type: 'settled',
            channelId,
            balance: parsed.args[3] as bigint,
            receiverPaid: parsed.args[4] as bigint,
            senderRefund: parsed.args[5] as bigint,
          });
          break;
        default:
          break;
      }
    }
    return events;
  }

  private async read<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toChainError(error, action);
    }
  }
}
