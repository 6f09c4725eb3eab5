// The page's side of the chain: every read and transaction goes through the visitor's EIP-1193 wallet
// (window.ethereum); nothing here holds a key.
import {
  addressWord,
  bytes32Word,
  decodeString,
  decodeWords,
  encodeCall,
  isAddress,
  isBytes32,
  keccakText,
  uintWord,
  wordToAddress,
  type Hex,
} from './abi';
import type { TokenUnits } from './token-units';
import {
  domainSeparator,
  permitTypedData,
  splitSignature,
  type PageChallenge,
  type PermitDomain,
} from './typed-data';

/** The EIP-1193 provider a wallet injects. */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

/** A channel the page can pay on: its id, the balance last accepted, the deposit on chain. */
export interface PageChannel {
  readonly id: Hex;
  balance: bigint;
  readonly deposit: bigint;
}

export const CHANNEL_CREATED_TOPIC = keccakText('ChannelCreated(bytes32,address,address,uint256)');
const PERMIT_LIFETIME_S = 3600n;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wallet as the paywall uses it, for one challenge (chain, contract, receiver, token). */
export class PaywallWallet {
  sender: Hex | undefined;

  constructor(
    private readonly provider: Eip1193Provider,
    private readonly challenge: PageChallenge,
    private readonly status: (text: string) => void,
  ) {}

  rpc(method: string, params: readonly unknown[] = []): Promise<unknown> {
    return this.provider.request({ method, params });
  }

  private call(to: Hex, data: Hex): Promise<unknown> {
    return this.rpc('eth_call', [{ to, data }, 'latest']);
  }

  /** The wallet's account: asked for (a prompt) or, with `prompt` false, only if already authorised. */
  async account(prompt: boolean): Promise<Hex | undefined> {
    const accounts = await this.rpc(prompt ? 'eth_requestAccounts' : 'eth_accounts');
    const first = Array.isArray(accounts) ? (accounts[0] as unknown) : undefined;
    return isAddress(first) ? first : undefined;
  }

  async chainId(): Promise<bigint> {
    return BigInt(String(await this.rpc('eth_chainId')));
  }

  /** The token's decimals and symbol, or undefined when it does not say (amounts then show in base units). */
  async tokenUnits(): Promise<TokenUnits | undefined> {
    try {
      const [decimals] = decodeWords(await this.call(this.challenge.token, encodeCall('decimals()')));
      const symbol = decodeString(await this.call(this.challenge.token, encodeCall('symbol()')));
      if (decimals === undefined || decimals > 77n || !/^[\w.-]{1,16}$/.test(symbol)) return undefined;
      return { decimals: Number(decimals), symbol };
    } catch {
      return undefined;
    }
  }

  async tokenBalance(owner: Hex): Promise<bigint> {
    const data = await this.call(
      this.challenge.token,
      encodeCall('balanceOf(address)', [addressWord(owner)]),
    );
    return decodeWords(data)[0] ?? 0n;
  }

  /** getChannel(id): sender, receiver, deposit and settleAt (0 while open). */
  async readChannel(id: Hex) {
    const data = await this.call(
      this.challenge.channelManager,
      encodeCall('getChannel(bytes32)', [bytes32Word(id)]),
    );
    const w = decodeWords(data);
    if (w.length < 6) throw new Error('bad getChannel return data');
    return { sender: wordToAddress(w[0]!), receiver: wordToAddress(w[1]!), deposit: w[2]!, settleAt: w[5]! };
  }

  /** A channel that is this sender's, to this receiver, open, and can pay the price. */
  async usable(id: Hex, sender: Hex): Promise<{ deposit: bigint } | undefined> {
    const onChain = await this.readChannel(id);
    const ok =
      onChain.sender === sender.toLowerCase() &&
      onChain.receiver === this.challenge.receiver.toLowerCase() &&
      onChain.settleAt === 0n &&
      onChain.deposit >= this.challenge.price;
    return ok ? { deposit: onChain.deposit } : undefined;
  }

  /** The newest usable channel of `sender` to the receiver in the ChannelCreated logs (balance unknown: 0). */
  async channelFromLogs(sender: Hex): Promise<PageChannel | undefined> {
    let logs: Array<{ topics: Hex[] }>;
    try {
      logs = (await this.rpc('eth_getLogs', [
        {
          address: this.challenge.channelManager,
          fromBlock: 'earliest',
          toBlock: 'latest',
          topics: [
            CHANNEL_CREATED_TOPIC,
            null,
            `0x${addressWord(sender)}`,
            `0x${addressWord(this.challenge.receiver)}`,
          ],
        },
      ])) as Array<{ topics: Hex[] }>;
    } catch {
      return undefined; // providers may refuse wide log ranges; opening a channel still works
    }
    for (let i = logs.length - 1; i >= 0; i--) {
      const id = logs[i]?.topics[1];
      if (!isBytes32(id)) continue;
      const found = await this.usable(id, sender);
      if (found) return { id: id.toLowerCase() as Hex, balance: 0n, deposit: found.deposit };
    }
    return undefined;
  }

  /** The token's EIP-2612 domain, trusted only when it hashes to the token's own DOMAIN_SEPARATOR(). */
  async permitDomain(owner: Hex): Promise<PermitDomain | undefined> {
    try {
      const token = this.challenge.token;
      const name = decodeString(await this.call(token, encodeCall('name()')));
      const domain = { name, version: '1', chainId: this.challenge.chainId, verifyingContract: token };
      const [separator] = decodeWords(await this.call(token, encodeCall('DOMAIN_SEPARATOR()')));
      await this.call(token, encodeCall('nonces(address)', [addressWord(owner)]));
      return separator === BigInt(domainSeparator(domain)) ? domain : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Opens a channel with `deposit`: one Permit signature + one createChannelWithPermit transaction when the
   * token supports EIP-2612, else approve + createChannel (two transactions).
   */
  async openChannel(sender: Hex, deposit: bigint): Promise<PageChannel> {
    const { receiver, channelManager, token } = this.challenge;
    const domain = await this.permitDomain(sender);
    let receipt: { logs: Array<{ address: string; topics: Hex[] }> };
    if (domain) {
      const [nonce] = decodeWords(
        await this.call(token, encodeCall('nonces(address)', [addressWord(sender)])),
      );
      // The token checks the deadline against the chain's clock, which need not be the visitor's.
      const deadline = (await this.chainTime()) + PERMIT_LIFETIME_S;
      this.status('Sign the permit for the deposit in your wallet (no transaction yet)...');
      const typed = permitTypedData(domain, {
        owner: sender,
        spender: channelManager,
        value: deposit,
        nonce: nonce ?? 0n,
        deadline,
      });
      const { v, r, s } = splitSignature(await this.rpc('eth_signTypedData_v4', [sender, typed]));
      const data = encodeCall('createChannelWithPermit(address,uint256,uint256,uint8,bytes32,bytes32)', [
        addressWord(receiver),
        uintWord(deposit),
        uintWord(deadline),
        uintWord(v),
        r,
        s,
      ]);
      receipt = await this.transact(sender, channelManager, data, 'Open channel');
    } else {
      await this.transact(
        sender,
        token,
        encodeCall('approve(address,uint256)', [addressWord(channelManager), uintWord(deposit)]),
        'Approve',
      );
      const data = encodeCall('createChannel(address,uint256)', [addressWord(receiver), uintWord(deposit)]);
      receipt = await this.transact(sender, channelManager, data, 'Open channel');
    }
    const log = receipt.logs.find(
      (l) =>
        l.address.toLowerCase() === channelManager.toLowerCase() && l.topics[0] === CHANNEL_CREATED_TOPIC,
    );
    if (!log || !isBytes32(log.topics[1])) throw new Error('The transaction created no channel.');
    return { id: log.topics[1].toLowerCase() as Hex, balance: 0n, deposit };
  }

  /** Timestamp of the latest block (falls back to the visitor's clock when the wallet will not say). */
  private async chainTime(): Promise<bigint> {
    try {
      const block = (await this.rpc('eth_getBlockByNumber', ['latest', false])) as {
        timestamp?: string;
      } | null;
      if (block?.timestamp) return BigInt(block.timestamp);
    } catch {
      /* below */
    }
    return BigInt(Math.floor(Date.now() / 1000));
  }

  /** Sends a transaction from the wallet and waits (up to 10 minutes) for a successful receipt. */
  async transact(from: Hex, to: Hex, data: Hex, label: string) {
    this.status(`${label}: confirm the transaction in your wallet...`);
    const hash = await this.rpc('eth_sendTransaction', [{ from, to, data }]);
    this.status(`${label}: waiting for transaction ${String(hash)} to be mined...`);
    for (let i = 0; i < 600; i++) {
      const receipt = (await this.rpc('eth_getTransactionReceipt', [hash])) as {
        status: string;
        logs: Array<{ address: string; topics: Hex[] }>;
      } | null;
      if (receipt) {
        if (BigInt(receipt.status) !== 1n)
          throw new Error(`${label} failed on chain (transaction ${String(hash)}).`);
        return receipt;
      }
      await sleep(1000);
    }
    throw new Error(`${label}: transaction ${String(hash)} was not mined in 10 minutes.`);
  }
}
