import { chmod, writeFile } from 'node:fs/promises';
import { JsonRpcProvider, Wallet, formatUnits, parseUnits } from 'ethers';
import {
  deployContracts,
  microTokenAt,
  readDeploymentFile,
  writeDeploymentFile,
  type Deployment,
} from '@microraiden/contracts';
import { anvilPrivateKey, STACK_ACCOUNTS } from './anvil-accounts';

/** The stack's challenge period: the contract's minimum, so a demo close settles within the hour. */
const CHALLENGE_PERIOD_SECONDS = 3600;
/** Tokens (whole units) the demo sender holds after start-up; topped up by the faucet when below. */
const DEMO_SENDER_TOKENS = '1000';

type Log = (line: string) => void;

async function hasCode(provider: JsonRpcProvider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== '0x';
}

/**
 * The deployment in `file` when its contracts still exist on this chain (anvil keeps state across restarts),
 * else a fresh MicroToken + MicroTransferChannels deployed by anvil's account 0, written to `file`.
 */
export async function deployOrReuse(provider: JsonRpcProvider, file: string, log: Log): Promise<Deployment> {
  const { chainId } = await provider.getNetwork();
  const existing = await readDeploymentFile(file).catch(() => undefined);
  if (
    existing &&
    BigInt(existing.chainId) === chainId &&
    existing.challengePeriod === CHALLENGE_PERIOD_SECONDS &&
    (await hasCode(provider, existing.channelManager)) &&
    (await hasCode(provider, existing.token))
  ) {
    log(`reusing contracts from ${file}: manager ${existing.channelManager}, token ${existing.token}`);
    return existing;
  }
  log(`deploying contracts (challenge period ${CHALLENGE_PERIOD_SECONDS} s) with anvil account 0 ...`);
  const deployer = new Wallet(anvilPrivateKey(STACK_ACCOUNTS.deployer), provider);
  const deployment = await deployContracts(deployer, {
    challengePeriod: CHALLENGE_PERIOD_SECONDS,
    onProgress: (event) => {
      if (event.stage === 'mined')
        log(`  ${event.contract} at ${event.address} (block ${event.blockNumber})`);
    },
  });
  await writeDeploymentFile(file, deployment);
  log(`wrote ${file}`);
  return deployment;
}

/** Mints demo tokens to anvil's account 1 through MicroToken's local-chain faucet; returns its address. */
export async function fundDemoSender(
  provider: JsonRpcProvider,
  deployment: Deployment,
  log: Log,
): Promise<string> {
  const minter = new Wallet(anvilPrivateKey(STACK_ACCOUNTS.deployer), provider);
  const sender = new Wallet(anvilPrivateKey(STACK_ACCOUNTS.demoSender)).address;
  const token = microTokenAt(deployment.token, minter);
  const decimals = Number(await token.decimals());
  const wanted = parseUnits(DEMO_SENDER_TOKENS, decimals);
  const held = await token.balanceOf(sender);
  if (held < wanted) {
    const tx = await token.mint(sender, wanted - held);
    await tx.wait();
  }
  log(
    `demo sender ${sender} holds ${formatUnits(await token.balanceOf(sender), decimals)} ${await token.symbol()}`,
  );
  return sender;
}

/** Writes the demo sender's key to `file` (0600) for the CLI's --keystore, so it is never printed. */
export async function writeDemoSenderKey(file: string): Promise<void> {
  await writeFile(file, `${anvilPrivateKey(STACK_ACCOUNTS.demoSender)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/**
 * Mines a block every second while the stack runs. With anvil's default automine a block appears only per
 * transaction, so a channel opened at the head would never reach the chain-watcher's confirmation depth.
 * Returns how to put the previous mode back.
 */
export async function ensureBlocksKeepComing(
  provider: JsonRpcProvider,
  log: Log,
): Promise<() => Promise<void>> {
  const automine = (await provider.send('anvil_getAutomine', [])) as boolean;
  if (!automine) return async () => {};
  await provider.send('evm_setIntervalMining', [1]);
  log('anvil: mining a block every second while the stack runs (for confirmations)');
  return async () => {
    await provider.send('evm_setIntervalMining', [0]);
    await provider.send('evm_setAutomine', [true]);
  };
}
