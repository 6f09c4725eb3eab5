import type { ContractTransactionResponse, Wallet } from 'ethers';
import {
  channelManagerAt,
  deployContracts,
  encodeCreateChannelData,
  encodeTopUpData,
  microTokenAt,
  type Deployment,
} from '@microraiden/contracts';
import type { AnvilChain } from './anvil-chain';
import { signBalanceProof, signClosingProof, signPermit } from './sign-proofs';

/** Operations whose gas is measured, in table order, with what each row means. */
export const GAS_OPERATIONS = {
  erc20Transfer: 'ERC-20 `transfer` (reference; recipient already holds tokens)',
  erc20TransferToNewHolder: 'ERC-20 `transfer` to an address holding none (reference)',
  createChannel: '`createChannel` (after `approve`; the sender’s first channel)',
  createChannelNext: '`createChannel` (the sender’s later channels)',
  createChannelWithPermit: '`createChannelWithPermit` (no prior approval; first channel)',
  createChannelErc1363: '`transferAndCall` → create (ERC-1363)',
  createChannelErc223: '`transfer(to, value, data)` → create (ERC-223)',
  topUp: '`topUp` (after `approve`)',
  topUpErc1363: '`transferAndCall` → top up (ERC-1363)',
  topUpErc223: '`transfer(to, value, data)` → top up (ERC-223)',
  withdraw: '`withdraw`',
  cooperativeClose: '`cooperativeClose` (after a withdraw)',
  uncooperativeClose: '`uncooperativeClose`',
  settle: '`settle`',
  receiverClose: '`receiverClose`',
  createChannelWithSigner: '`createChannelWithSigner` (the sender’s later channels; vs `createChannel`)',
  createChannelWithPermitAndSigner: '`createChannelWithPermitAndSigner` (no prior approval; first channel)',
  withdrawSignedBySigner: '`withdraw` with a balance signer’s proof',
} as const;

/** A measured operation key. */
export type GasOperation = keyof typeof GAS_OPERATIONS;

/** gasUsed per operation. */
export type GasMeasurements = Record<GasOperation, bigint>;

/**
 * Deploy fresh contracts and measure gasUsed of every operation in a fixed scenario. Steady state: the
 * manager, the sender and the receiver already hold tokens (no zero-to-nonzero balance write is charged
 * to a channel operation), and the sender approved the manager for an unlimited amount.
 */
export async function measureGas(chain: AnvilChain): Promise<GasMeasurements> {
  const [deployer, sender, receiver, holder, permitSender, newHolder, signerSender, sessionKey] =
    await Promise.all(Array.from({ length: 8 }, () => chain.newAccount()));
  if (!deployer || !sender || !receiver || !holder || !permitSender || !newHolder) {
    throw new Error('no accounts');
  }
  if (!signerSender || !sessionKey) throw new Error('no accounts');
  const deployment = await deployContracts(deployer, { challengePeriod: 3600 });
  const manager = channelManagerAt(deployment.channelManager, deployer);
  const token = microTokenAt(deployment.token, deployer);
  const domain = { chainId: chain.chainId, channelManager: deployment.channelManager };
  const measured: Partial<GasMeasurements> = {};

  const gasOf = async (tx: Promise<ContractTransactionResponse>): Promise<bigint> => {
    const receipt = await (await tx).wait();
    if (!receipt) throw new Error('not mined');
    return receipt.gasUsed;
  };
  const run = async (operation: GasOperation, tx: Promise<ContractTransactionResponse>): Promise<void> => {
    measured[operation] = await gasOf(tx);
  };
  const idOf = (nonce: bigint) => manager.channelIdOf(sender.address, receiver.address, nonce);

  // Steady state: everyone holds tokens; the manager already escrows someone else's channel.
  for (const account of [sender, receiver, holder, permitSender, signerSender]) {
    await gasOf(token.mint(account.address, 10n ** 24n));
  }
  await gasOf(token.connect(holder).approve(deployment.channelManager, 1n));
  await gasOf(manager.connect(holder).createChannel(receiver.address, 1n));
  await gasOf(token.connect(sender).approve(deployment.channelManager, 2n ** 256n - 1n));

  const asSender = manager.connect(sender);
  const senderToken = token.connect(sender);
  await run('erc20Transfer', senderToken.transfer(holder.address, 1_000n));
  await run('erc20TransferToNewHolder', senderToken.transfer(newHolder.address, 1_000n));

  await run('createChannel', asSender.createChannel(receiver.address, 10n ** 20n)); // nonce 0
  await run('createChannelNext', asSender.createChannel(receiver.address, 10n ** 20n)); // nonce 1

  const deadline = (await chain.latestTimestamp()) + 3600n;
  const permit = await signPermit(permitSender, {
    token: deployment.token,
    tokenName: 'MicroToken',
    chainId: chain.chainId,
    owner: permitSender.address,
    spender: deployment.channelManager,
    value: 10n ** 20n,
    nonce: 0n,
    deadline,
  });
  await run(
    'createChannelWithPermit',
    manager
      .connect(permitSender)
      .createChannelWithPermit(receiver.address, 10n ** 20n, deadline, permit.v, permit.r, permit.s),
  );

  const createData = encodeCreateChannelData(receiver.address);
  const to = deployment.channelManager;
  await run(
    'createChannelErc1363',
    senderToken['transferAndCall(address,uint256,bytes)'](to, 10n ** 20n, createData),
  ); // nonce 2
  await run(
    'createChannelErc223',
    senderToken['transfer(address,uint256,bytes)'](to, 10n ** 20n, createData),
  ); // nonce 3

  const first = await idOf(0n);
  await run('topUp', asSender.topUp(first, 10n ** 19n));
  await run(
    'topUpErc1363',
    senderToken['transferAndCall(address,uint256,bytes)'](to, 10n ** 19n, encodeTopUpData(first)),
  );
  await run(
    'topUpErc223',
    senderToken['transfer(address,uint256,bytes)'](to, 10n ** 19n, encodeTopUpData(first)),
  );

  const proof = (channelId: string, balance: bigint) =>
    signBalanceProof(sender, domain, { channelId, receiver: receiver.address, balance });
  await run(
    'withdraw',
    manager.connect(receiver).withdraw(first, 10n ** 19n, await proof(first, 10n ** 19n)),
  );

  const closeBalance = 3n * 10n ** 19n;
  const closingSig = await signClosingProof(receiver, domain, {
    channelId: first,
    sender: sender.address,
    balance: closeBalance,
  });
  await run(
    'cooperativeClose',
    manager.cooperativeClose(first, closeBalance, await proof(first, closeBalance), closingSig),
  );

  const second = await idOf(1n);
  await run('uncooperativeClose', asSender.uncooperativeClose(second, 10n ** 19n));
  await chain.increaseTime(3600n);
  await run('settle', manager.settle(second));

  const third = await idOf(2n);
  await run(
    'receiverClose',
    manager.connect(receiver).receiverClose(third, 10n ** 19n, await proof(third, 10n ** 19n)),
  );

  Object.assign(
    measured,
    await measureSignerGas(chain, { deployment, sender, receiver, signerSender, sessionKey }),
  );

  for (const operation of Object.keys(GAS_OPERATIONS) as GasOperation[]) {
    if (measured[operation] === undefined) throw new Error(`${operation} was not measured`);
  }
  return measured as GasMeasurements;
}

/**
 * The balance-signer operations, after the others (so their figures stay as they were): a later channel of
 * `sender` with a signer, a first channel of `signerSender` by permit with a signer, and a withdrawal
 * against a proof the signer (not the sender) signed.
 */
async function measureSignerGas(
  chain: AnvilChain,
  parties: {
    deployment: Deployment;
    sender: Wallet;
    receiver: Wallet;
    signerSender: Wallet;
    sessionKey: Wallet;
  },
): Promise<Partial<GasMeasurements>> {
  const { deployment, sender, receiver, signerSender, sessionKey } = parties;
  const manager = channelManagerAt(deployment.channelManager, sender);
  const domain = { chainId: chain.chainId, channelManager: deployment.channelManager };
  const gasOf = async (tx: Promise<ContractTransactionResponse>): Promise<bigint> => {
    const receipt = await (await tx).wait();
    if (!receipt) throw new Error('not mined');
    return receipt.gasUsed;
  };
  const nonce = await manager.channelNonce(sender.address);
  const createChannelWithSigner = await gasOf(
    manager.createChannelWithSigner(receiver.address, 10n ** 20n, sessionKey.address),
  );
  const deadline = (await chain.latestTimestamp()) + 3600n;
  const permit = await signPermit(signerSender, {
    token: deployment.token,
    tokenName: 'MicroToken',
    chainId: chain.chainId,
    owner: signerSender.address,
    spender: deployment.channelManager,
    value: 10n ** 20n,
    nonce: 0n,
    deadline,
  });
  const createChannelWithPermitAndSigner = await gasOf(
    manager
      .connect(signerSender)
      .createChannelWithPermitAndSigner(
        receiver.address,
        10n ** 20n,
        sessionKey.address,
        deadline,
        permit.v,
        permit.r,
        permit.s,
      ),
  );
  const channelId = await manager.channelIdOf(sender.address, receiver.address, nonce);
  const sessionProof = await signBalanceProof(sessionKey, domain, {
    channelId,
    receiver: receiver.address,
    balance: 10n ** 19n,
  });
  const withdrawSignedBySigner = await gasOf(
    manager.connect(receiver).withdraw(channelId, 10n ** 19n, sessionProof),
  );
  return { createChannelWithSigner, createChannelWithPermitAndSigner, withdrawSignedBySigner };
}
