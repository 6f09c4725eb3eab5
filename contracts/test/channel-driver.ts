import { Interface, JsonRpcProvider, Network, Signature, type TransactionReceipt, type Wallet } from 'ethers';
import {
  decodeRevert,
  encodeCreateChannelData,
  encodeTopUpData,
  microTokenAbi,
  microTransferChannelsAbi,
  type DecodedRevert,
} from '@microraiden/contracts';
import { minedReceipt } from './anvil-chain';
import type { Call } from './channel-transitions';
import type { ChannelFixture } from './channel-fixture';
import { signBalanceProof, signClosingProof, signPermit } from './sign-proofs';
import { UNLIMITED } from './channel-model';

/**
 * Runs the property tests' calls against the real contracts on anvil: every transaction is mined at a pinned
 * timestamp (so the model knows the time exactly), without gas estimation (which ignores that timestamp), and
 * a revert is decoded from the mined transaction's trace. `reset` rewinds the chain to the state right after
 * setup (evm_snapshot / evm_revert), so every run starts from the same world.
 */

/** A channel as `getChannel` returns it (all zero once settled and deleted). */
export interface OnChainChannel {
  sender: string;
  receiver: string;
  deposit: bigint;
  withdrawn: bigint;
  closingBalance: bigint;
  settleAt: bigint;
  /** `balanceSignerOf`: zero when none (or deleted). */
  signer: string;
}

/** What the chain holds, read after a step. */
export interface ChainView {
  channels: Readonly<Record<string, OnChainChannel>>;
  tokens: Readonly<Record<string, bigint>>;
}

export interface CallOutcome {
  receipt?: TransactionReceipt;
  revert?: DecodedRevert;
}

export interface ChannelDriver {
  /** Rewind to the post-setup state; returns the timestamp the first transaction may be mined at. */
  reset(): Promise<bigint>;
  /** Perform `call`; transactions are mined at exactly `at`. */
  execute(call: Call, at: bigint): Promise<CallOutcome>;
  read(addresses: readonly string[], channelIds: readonly string[]): Promise<ChainView>;
  close(): void;
}

const managerAbi = new Interface(microTransferChannelsAbi);
const tokenAbi = new Interface(microTokenAbi);
const GAS_LIMIT = 1_000_000n;
const MAX_FEE = 100_000_000_000n;

/** A driver acting as `parties` (wallets of the fixture) on `f`'s contracts through the anvil at `rpcUrl`. */
export async function createChannelDriver(
  rpcUrl: string,
  f: ChannelFixture,
  parties: readonly Wallet[],
): Promise<ChannelDriver> {
  // No batching delay, no chain id look-ups: a run is hundreds of sequential requests.
  const provider = new JsonRpcProvider(rpcUrl, Network.from(f.chain.chainId), {
    staticNetwork: true,
    batchStallTime: 0,
    cacheTimeout: -1,
  });
  const wallets = new Map(parties.map((wallet) => [wallet.address, wallet.connect(provider)]));
  const initialNonces = new Map<string, number>();
  for (const address of wallets.keys())
    initialNonces.set(address, await provider.getTransactionCount(address));
  let nonces = new Map(initialNonces);
  let snapshotId = (await provider.send('evm_snapshot', [])) as string;
  const { channelManager: manager, token } = f.deployment;
  const proofs = new Map<string, string>();

  const wallet = (address: string): Wallet => {
    const found = wallets.get(address);
    if (!found) throw new Error(`no wallet for ${address}`);
    return found;
  };

  const send = async (from: string, to: string, data: string, at: bigint): Promise<CallOutcome> => {
    const nonce = nonces.get(from) ?? 0;
    nonces.set(from, nonce + 1);
    await provider.send('evm_setNextBlockTimestamp', [Number(at)]);
    const tx = await wallet(from).sendTransaction({
      to,
      data,
      nonce,
      gasLimit: GAS_LIMIT,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: 1n,
      type: 2,
      chainId: f.chain.chainId,
    });
    const receipt = await minedReceipt(provider, tx.hash);
    if (receipt.status === 1) return { receipt };
    const trace = (await provider.send('debug_traceTransaction', [tx.hash, { tracer: 'callTracer' }])) as {
      output?: string;
    };
    return {
      receipt,
      revert: decodeRevert(trace.output) ?? { name: 'undecodable', signature: '', args: [], data: '' },
    };
  };

  const permit = async (owner: string, value: bigint, at: bigint) => {
    const params = {
      token,
      tokenName: 'MicroToken',
      chainId: f.chain.chainId,
      owner,
      spender: manager,
      value,
      nonce: await f.token.connect(provider).nonces(owner),
      deadline: at + 3_600n,
    };
    const sig = Signature.from(await signPermit(wallet(owner), params));
    return [params.deadline, sig.v, sig.r, sig.s] as const;
  };

  const proof = (channelId: string, balance: bigint): string => {
    const sig = proofs.get(`${channelId}:${balance}`);
    if (!sig) throw new Error(`the receiver holds no proof for ${balance} on ${channelId}`);
    return sig;
  };

  const deposit = async (
    call: Extract<Call, { fn: 'createChannel' | 'topUp' }>,
    at: bigint,
  ): Promise<CallOutcome> => {
    const value = call.fn === 'createChannel' ? call.deposit : call.amount;
    const target = call.fn === 'createChannel' ? call.receiver : call.channelId;
    const signer = call.fn === 'createChannel' ? call.signer : undefined;
    switch (call.via) {
      case 'approve': {
        const [fn, args] = signer
          ? ['createChannelWithSigner', [target, value, signer]]
          : [call.fn, [target, value]];
        return send(call.caller, manager, managerAbi.encodeFunctionData(fn, args), at);
      }
      case 'permit': {
        const permitArgs = await permit(call.caller, value, at);
        const [fn, args] = signer
          ? ['createChannelWithPermitAndSigner', [target, value, signer, ...permitArgs]]
          : [
              call.fn === 'createChannel' ? 'createChannelWithPermit' : 'topUpWithPermit',
              [target, value, ...permitArgs],
            ];
        return send(call.caller, manager, managerAbi.encodeFunctionData(fn, args), at);
      }
      case 'erc1363':
      case 'erc223': {
        const fn =
          call.via === 'erc1363'
            ? 'transferAndCall(address,uint256,bytes)'
            : 'transfer(address,uint256,bytes)';
        const data = call.fn === 'createChannel' ? encodeCreateChannelData(target) : encodeTopUpData(target);
        return send(call.caller, token, tokenAbi.encodeFunctionData(fn, [manager, value, data]), at);
      }
    }
  };

  const execute = async (call: Call, at: bigint): Promise<CallOutcome> => {
    const domain = { chainId: f.chain.chainId, channelManager: manager };
    const encode = (fn: string, args: unknown[]) => managerAbi.encodeFunctionData(fn, args);
    switch (call.fn) {
      case 'createChannel':
      case 'topUp':
        return deposit(call, at);
      case 'approve':
        return send(call.caller, token, tokenAbi.encodeFunctionData('approve', [manager, UNLIMITED]), at);
      case 'signBalanceProof': {
        const { channelId, receiver, balance } = call;
        proofs.set(
          `${channelId}:${balance}`,
          await signBalanceProof(wallet(call.signer), domain, { channelId, receiver, balance }),
        );
        return {};
      }
      case 'withdraw':
      case 'receiverClose': {
        const args = [call.channelId, call.balance, proof(call.channelId, call.balance)];
        return send(call.caller, manager, encode(call.fn, args), at);
      }
      case 'cooperativeClose': {
        const { channelId, sender, balance } = call;
        const closingSig = await signClosingProof(wallet(call.receiver), domain, {
          channelId,
          sender,
          balance,
        });
        const args = [channelId, balance, proof(channelId, balance), closingSig];
        return send(call.caller, manager, encode('cooperativeClose', args), at);
      }
      case 'uncooperativeClose':
        return send(call.caller, manager, encode('uncooperativeClose', [call.channelId, call.balance]), at);
      case 'settle':
        return send(call.caller, manager, encode('settle', [call.channelId]), at);
      case 'warp':
        // Nothing to do on chain: the next transaction is pinned at the later time.
        return {};
    }
  };

  return {
    async reset() {
      if (!(await provider.send('evm_revert', [snapshotId])))
        throw new Error(`evm_revert ${snapshotId} failed`);
      snapshotId = (await provider.send('evm_snapshot', [])) as string;
      nonces = new Map(initialNonces);
      proofs.clear();
      const latest = await provider.getBlock('latest');
      if (!latest) throw new Error('no latest block');
      return BigInt(latest.timestamp) + 1n;
    },
    execute,
    close: () => provider.destroy(),
    async read(addresses, channelIds) {
      const managerContract = f.manager.connect(provider);
      const tokenContract = f.token.connect(provider);
      const [balances, channels, signers] = await Promise.all([
        Promise.all(addresses.map((address) => tokenContract.balanceOf(address))),
        Promise.all(channelIds.map((id) => managerContract.getChannel(id))),
        Promise.all(channelIds.map((id) => managerContract.balanceSignerOf(id))),
      ]);
      return {
        tokens: Object.fromEntries(addresses.map((address, i) => [address, balances[i]!])),
        channels: Object.fromEntries(
          channelIds.map((id, i) => {
            const [sender, receiver, deposit, withdrawn, closingBalance, settleAt] = channels[i]!;
            const signer = signers[i]!;
            return [id, { sender, receiver, deposit, withdrawn, closingBalance, settleAt, signer }];
          }),
        ),
      };
    },
  };
}
