// The sender's side of the chain through an EIP-1193 wallet alone (`window.ethereum`): reads with eth_call and
// eth_getLogs, transactions with eth_sendTransaction, permits with eth_signTypedData_v4. No ethers and no key:
// the browser paywall page is built on it and counts its bytes. SenderChain is the ethers-based counterpart
// behind SenderClient (confirmations, top-ups, closes, events).
import {
  checksummedAddress,
  hashTypedDataDomain,
  sameAddress,
  type Address,
  type Hex32,
  type TokenUnits,
  type TypedDataDomainFields,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { eip1193TypedDataSigner, type Eip1193Provider } from '../keys/eip1193-signer';
import {
  addressWord,
  bytes32Word,
  decodeStringAt,
  decodeWords,
  encodeCall,
  isAddressText,
  isBytes32Text,
  keccakText,
  uintWord,
  wordToAddress,
} from './abi-words';
import { permitRequest, permitSignature } from './permit';
import type { OnChainChannel } from './sender-chain';

/** topic0 of the channel manager's ChannelCreated(channelId, sender, receiver, deposit), all but deposit indexed. */
export const CHANNEL_CREATED_TOPIC = keccakText('ChannelCreated(bytes32,address,address,uint256)');

/** Where an Eip1193Chain reads and sends. */
export interface Eip1193ChainOptions {
  readonly chainId: bigint;
  readonly channelManager: Address;
  readonly token: Address;
  /** How often a sent transaction's receipt is polled. Default 1 s. */
  readonly pollingIntervalMs?: number;
  /** Give up on a transaction not mined within this time. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** A permit's lifetime past the chain's latest block time. Default 3600 s. */
  readonly permitLifetimeS?: bigint;
}

/** What the wallet is being asked, for a page that tells the visitor what to confirm. */
export type WalletStep =
  | { readonly stage: 'sign-permit'; readonly value: bigint }
  | { readonly stage: 'confirm'; readonly action: string }
  | { readonly stage: 'sent'; readonly action: string; readonly txHash: string }
  | { readonly stage: 'mined'; readonly action: string; readonly txHash: string };

/** The channels a sender can pay on: its own, to `receiver`, open, holding at least `minDeposit`. */
export interface WantedChannel {
  readonly sender: string;
  readonly receiver: string;
  readonly minDeposit: bigint;
}

/** A channel opened by openChannel. */
export interface OpenedChannel {
  readonly channelId: Hex32;
  readonly deposit: bigint;
  readonly txHash: string;
  /** Opened with one permit signature and one transaction (createChannelWithPermit[AndSigner]). */
  readonly withPermit: boolean;
  /** The balance signer the channel names (a session key), when one was asked for. */
  readonly signer?: Address;
}

interface MinedReceipt {
  readonly status: string;
  readonly logs: ReadonlyArray<{ readonly address: string; readonly topics: readonly string[] }>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wallet as a sender's chain, for one deployment (chain, channel manager, token). */
export class Eip1193Chain {
  constructor(
    private readonly provider: Eip1193Provider,
    readonly options: Eip1193ChainOptions,
  ) {}

  /** One EIP-1193 request. */
  request(method: string, params: readonly unknown[] = []): Promise<unknown> {
    return this.provider.request({ method, params });
  }

  private call(to: string, data: string): Promise<unknown> {
    return this.request('eth_call', [{ to, data }, 'latest']);
  }

  /** The wallet's account: asked for (the wallet prompts) or, with `prompt` false, only if already granted. */
  async account(prompt: boolean): Promise<Address | undefined> {
    const accounts = await this.request(prompt ? 'eth_requestAccounts' : 'eth_accounts');
    const first: unknown = Array.isArray(accounts) ? accounts[0] : undefined;
    return isAddressText(first) ? checksummedAddress(first, 'account') : undefined;
  }

  /** The chain the wallet is on now (the visitor may switch it at any time). */
  async chainId(): Promise<bigint> {
    return BigInt(String(await this.request('eth_chainId')));
  }

  /** The token's decimals and symbol, or undefined when it does not tell them (amounts then in base units). */
  async tokenUnits(): Promise<TokenUnits | undefined> {
    try {
      const [decimals] = decodeWords(await this.call(this.options.token, encodeCall('decimals()')));
      const symbol = decodeStringAt(await this.call(this.options.token, encodeCall('symbol()')));
      if (decimals === undefined || decimals > 77n || !/^[\w.-]{1,16}$/.test(symbol)) return undefined;
      return { decimals: Number(decimals), symbol };
    } catch {
      return undefined;
    }
  }

  /** `owner`'s token balance. */
  async tokenBalance(owner: string): Promise<bigint> {
    const data = await this.call(this.options.token, encodeCall('balanceOf(address)', [addressWord(owner)]));
    return decodeWords(data)[0] ?? 0n;
  }

  /** The channel as the contract stores it, or undefined when there is none with this id. */
  async getChannel(channelId: string): Promise<OnChainChannel | undefined> {
    const data = await this.call(
      this.options.channelManager,
      encodeCall('getChannel(bytes32)', [bytes32Word(channelId)]),
    );
    const [sender, receiver, deposit, withdrawn, closingBalance, settleAt] = decodeWords(data);
    if (settleAt === undefined) throw new RangeError('bad getChannel return data');
    if (sender === 0n) return undefined;
    return {
      sender: checksummedAddress(wordToAddress(sender as bigint), 'sender'),
      receiver: checksummedAddress(wordToAddress(receiver as bigint), 'receiver'),
      deposit: deposit as bigint,
      withdrawn: withdrawn as bigint,
      closingBalance: closingBalance as bigint,
      settleAt,
    };
  }

  /** The channel `channelId` when it is one the sender can pay on (see WantedChannel), else undefined. */
  async usableChannel(channelId: string, want: WantedChannel): Promise<OnChainChannel | undefined> {
    const channel = await this.getChannel(channelId);
    const usable =
      channel !== undefined &&
      sameAddress(channel.sender, want.sender) &&
      sameAddress(channel.receiver, want.receiver) &&
      channel.settleAt === 0n &&
      channel.deposit >= want.minDeposit;
    return usable ? channel : undefined;
  }

  /** The channel's balance signer (a session key whose proofs count as the sender's), or undefined without one. */
  async balanceSignerOf(channelId: string): Promise<Address | undefined> {
    const data = await this.call(
      this.options.channelManager,
      encodeCall('balanceSignerOf(bytes32)', [bytes32Word(channelId)]),
    );
    const [word] = decodeWords(data);
    if (word === undefined) throw new RangeError('bad balanceSignerOf return data');
    return word === 0n ? undefined : checksummedAddress(wordToAddress(word), 'signer');
  }

  /**
   * The newest usable channel in the channel manager's ChannelCreated logs, for a sender that remembers none
   * (another browser, cleared storage). Undefined when there is none, or when the wallet's node refuses the
   * log query (some limit block ranges): opening a channel still works then.
   */
  async findChannel(want: WantedChannel): Promise<{ channelId: Hex32; channel: OnChainChannel } | undefined> {
    let logs: unknown;
    try {
      logs = await this.request('eth_getLogs', [
        {
          address: this.options.channelManager,
          fromBlock: 'earliest',
          toBlock: 'latest',
          topics: [
            CHANNEL_CREATED_TOPIC,
            null,
            `0x${addressWord(want.sender)}`,
            `0x${addressWord(want.receiver)}`,
          ],
        },
      ]);
    } catch {
      return undefined;
    }
    const ids = (Array.isArray(logs) ? logs : []).map((log: { topics?: unknown[] }) => log?.topics?.[1]);
    for (const id of ids.reverse()) {
      if (!isBytes32Text(id)) continue;
      const channel = await this.usableChannel(id, want);
      if (channel) return { channelId: id.toLowerCase() as Hex32, channel };
    }
    return undefined;
  }

  /**
   * The token's EIP-2612 domain, or undefined without permits. Read with ERC-5267 `eip712Domain()` (else
   * assumed `{name(), "1"}`, as SenderChain does) and trusted only when it hashes to the token's own
   * `DOMAIN_SEPARATOR()` and `nonces(owner)` answers: a permit signed for a wrong domain would only revert.
   */
  async permitDomain(owner: string): Promise<TypedDataDomainFields | undefined> {
    const { token, chainId } = this.options;
    try {
      const domain = (await this.erc5267Domain()) ?? {
        name: decodeStringAt(await this.call(token, encodeCall('name()'))),
        version: '1',
        chainId,
        verifyingContract: token,
      };
      const [separator] = decodeWords(await this.call(token, encodeCall('DOMAIN_SEPARATOR()')));
      await this.call(token, encodeCall('nonces(address)', [addressWord(owner)]));
      return separator === BigInt(hashTypedDataDomain(domain)) ? domain : undefined;
    } catch {
      return undefined;
    }
  }

  private async erc5267Domain(): Promise<TypedDataDomainFields | undefined> {
    try {
      const data = await this.call(this.options.token, encodeCall('eip712Domain()'));
      const words = decodeWords(data);
      return {
        name: decodeStringAt(data, 1),
        version: decodeStringAt(data, 2),
        chainId: words[3] as bigint,
        verifyingContract: checksummedAddress(wordToAddress(words[4] as bigint)),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Opens a channel from `sender` to `receiver` with `deposit`: one permit signature and one
   * createChannelWithPermit transaction when the token supports EIP-2612, else approve + createChannel (two
   * transactions). With `signer` the channel names that address as its balance signer (a session key,
   * docs/protocol.md 3.1): createChannelWithPermitAndSigner, or approve + createChannelWithSigner. Resolves once
   * the opening transaction is mined, with the channel it created.
   */
  async openChannel(
    sender: Address,
    receiver: Address,
    deposit: bigint,
    onStep: (step: WalletStep) => void = () => undefined,
    signer?: Address,
  ): Promise<OpenedChannel> {
    const { channelManager, token } = this.options;
    const domain = await this.permitDomain(sender);
    // The signer goes right after the deposit in both signer variants.
    const head = [addressWord(receiver), uintWord(deposit), ...(signer ? [addressWord(signer)] : [])];
    const withSigner = signer ? 'AndSigner' : '';
    let data: string;
    if (domain) {
      const permit = await this.signPermit(sender, domain, deposit, onStep);
      data = encodeCall(
        `createChannelWithPermit${withSigner}(address,uint256,${signer ? 'address,' : ''}uint256,uint8,bytes32,bytes32)`,
        [
          ...head,
          uintWord(permit.deadline),
          uintWord(BigInt(permit.v)),
          bytes32Word(permit.r),
          bytes32Word(permit.s),
        ],
      );
    } else {
      const approve = encodeCall('approve(address,uint256)', [
        addressWord(channelManager),
        uintWord(deposit),
      ]);
      await this.transact(sender, token, approve, 'approve', onStep);
      data = signer
        ? encodeCall('createChannelWithSigner(address,uint256,address)', head)
        : encodeCall('createChannel(address,uint256)', head);
    }
    const { txHash, receipt } = await this.transact(sender, channelManager, data, 'open channel', onStep);
    const created = receipt.logs.find(
      (log) => sameAddress(log.address, channelManager) && log.topics[0] === CHANNEL_CREATED_TOPIC,
    )?.topics[1];
    if (!isBytes32Text(created)) {
      throw new ClientError('TRANSACTION_FAILED', `open channel created no channel (${txHash})`, { txHash });
    }
    return {
      channelId: created.toLowerCase() as Hex32,
      deposit,
      txHash,
      withPermit: domain !== undefined,
      ...(signer ? { signer } : {}),
    };
  }

  private async signPermit(
    owner: Address,
    domain: TypedDataDomainFields,
    value: bigint,
    onStep: (step: WalletStep) => void,
  ) {
    const { token, channelManager } = this.options;
    const [nonce] = decodeWords(await this.call(token, encodeCall('nonces(address)', [addressWord(owner)])));
    // The token checks the deadline against the chain's clock, which need not be the visitor's.
    const deadline = (await this.chainTime()) + (this.options.permitLifetimeS ?? 3600n);
    const message = { owner, spender: channelManager, value, nonce: nonce ?? 0n, deadline };
    onStep({ stage: 'sign-permit', value });
    const sign = eip1193TypedDataSigner(this.provider, owner);
    return permitSignature(await sign(permitRequest(domain, message)), deadline);
  }

  /** Timestamp of the latest block (the visitor's clock when the wallet will not say). */
  private async chainTime(): Promise<bigint> {
    try {
      const block = (await this.request('eth_getBlockByNumber', ['latest', false])) as {
        timestamp?: string;
      } | null;
      if (block?.timestamp) return BigInt(block.timestamp);
    } catch {
      /* below */
    }
    return BigInt(Math.floor(Date.now() / 1000));
  }

  /** Sends a transaction from the wallet and waits for its receipt; TRANSACTION_FAILED when it reverts. */
  private async transact(
    from: Address,
    to: string,
    data: string,
    action: string,
    onStep: (step: WalletStep) => void,
  ): Promise<{ txHash: string; receipt: MinedReceipt }> {
    onStep({ stage: 'confirm', action });
    const txHash = String(await this.request('eth_sendTransaction', [{ from, to, data }]));
    onStep({ stage: 'sent', action, txHash });
    const deadline = Date.now() + (this.options.timeoutMs ?? 600_000);
    for (;;) {
      const receipt = (await this.request('eth_getTransactionReceipt', [txHash])) as MinedReceipt | null;
      if (receipt) {
        if (BigInt(receipt.status) !== 1n) {
          throw new ClientError('TRANSACTION_FAILED', `${action} reverted in ${txHash}`, { txHash, action });
        }
        onStep({ stage: 'mined', action, txHash });
        return { txHash, receipt };
      }
      if (Date.now() >= deadline) {
        throw new ClientError('TRANSACTION_FAILED', `${action}: ${txHash} was not mined in time`, {
          txHash,
          action,
        });
      }
      await sleep(this.options.pollingIntervalMs ?? 1000);
    }
  }
}
