import {
  JsonRpcProvider,
  Wallet,
  hexlify,
  parseEther,
  randomBytes,
  toBeHex,
  type TransactionReceipt,
} from 'ethers';
import { decodeRevert, type DecodedRevert } from '@microraiden/contracts';

/** A connection to the shared test anvil with time-travel helpers. */
export interface AnvilChain {
  provider: JsonRpcProvider;
  chainId: bigint;
  /** A fresh random account holding 1,000 ETH: no other test or file shares its nonce or balances. */
  newAccount(): Promise<Wallet>;
  /** Timestamp of the latest block. */
  latestTimestamp(): Promise<bigint>;
  /** Mine the next block at exactly `timestamp`. */
  mineAt(timestamp: bigint): Promise<void>;
  /** Move time forward by `seconds` and mine a block. */
  increaseTime(seconds: bigint): Promise<void>;
  /**
   * Mine `send`'s transaction in a block with exactly `timestamp`, without gas estimation (eth_call and
   * eth_estimateGas ignore the pinned timestamp). Returns the receipt, or the decoded revert of the mined tx.
   */
  sendAt(
    timestamp: bigint,
    send: (overrides: { gasLimit: bigint }) => Promise<{ hash: string }>,
  ): Promise<{ receipt: TransactionReceipt; revert?: DecodedRevert }>;
}

/**
 * The receipt of `hash`, polled until anvil has mined it. Not `provider.waitForTransaction`: after
 * `evm_setNextBlockTimestamp` anvil may answer `eth_sendRawTransaction` just before the block exists, and
 * ethers then checks the receipt (none yet) and starts its block poller at the block that already holds the
 * transaction, waiting for a next block that automine never makes: the test hangs until its timeout.
 */
export async function minedReceipt(provider: JsonRpcProvider, hash: string): Promise<TransactionReceipt> {
  for (let attempt = 0; attempt < 5_000; attempt++) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`transaction ${hash} was not mined (is anvil automining?)`);
}

/** Connect to the anvil at `rpcUrl` (ethers' nonce cache off: several test files share the chain). */
export async function connectAnvil(rpcUrl: string): Promise<AnvilChain> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  provider.pollingInterval = 50;
  const { chainId } = await provider.getNetwork();

  const latestTimestamp = async (): Promise<bigint> => {
    const block = await provider.getBlock('latest');
    if (!block) throw new Error('no latest block');
    return BigInt(block.timestamp);
  };

  return {
    provider,
    chainId,
    latestTimestamp,
    async newAccount() {
      const wallet = new Wallet(hexlify(randomBytes(32)), provider);
      await provider.send('anvil_setBalance', [wallet.address, toBeHex(parseEther('1000'))]);
      return wallet;
    },
    async mineAt(timestamp) {
      await provider.send('evm_mine', [Number(timestamp)]);
    },
    async increaseTime(seconds) {
      await provider.send('evm_increaseTime', [Number(seconds)]);
      await provider.send('evm_mine', []);
    },
    async sendAt(timestamp, send) {
      await provider.send('evm_setNextBlockTimestamp', [Number(timestamp)]);
      const { hash } = await send({ gasLimit: 1_000_000n });
      const receipt = await minedReceipt(provider, hash);
      const block = await provider.getBlock(receipt.blockNumber);
      if (BigInt(block?.timestamp ?? -1) !== timestamp) {
        throw new Error(`tx mined at ${block?.timestamp}, not at the pinned ${timestamp}`);
      }
      if (receipt.status === 1) return { receipt };
      const trace = (await provider.send('debug_traceTransaction', [hash, { tracer: 'callTracer' }])) as {
        output?: string;
      };
      return { receipt, revert: decodeRevert(trace.output) };
    },
  };
}
