/**
 * Deploys MicroToken (unless --token is given) and MicroTransferChannels to any JSON-RPC endpoint and writes
 * the deployment file the services read.
 *
 *   DEPLOYER_PRIVATE_KEY=0x... node -r @swc-node/register contracts/scripts/deploy.ts \
 *     --rpc http://127.0.0.1:8545 --challenge-period 86400 --out deployments/local.json
 *
 * The key comes from DEPLOYER_PRIVATE_KEY or from --keystore <file> (mode 0600): either an encrypted JSON
 * keystore (password in DEPLOYER_KEYSTORE_PASSWORD) or a file holding the hex key. The key is never printed.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JsonRpcProvider, Wallet, formatEther, getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import {
  MIN_CHALLENGE_PERIOD_SECONDS,
  deployContracts,
  writeDeploymentFile,
  type DeployProgress,
} from '@microraiden/contracts';

const USAGE = `usage: contracts:deploy --rpc <url> [--challenge-period <seconds>] [--out <file.json>]
                        [--keystore <file>] [--token <address>] [--initial-supply <base units>]
                        [--faucet-chain-id <id> ...]
  key: DEPLOYER_PRIVATE_KEY, or --keystore <file> (chmod 600; JSON keystore + DEPLOYER_KEYSTORE_PASSWORD, or a hex key)`;

const privateKeySchema = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'a private key is 32 bytes of hex');

const cliSchema = z.object({
  rpc: z.url({ protocol: /^(http|https|ws|wss)$/ }),
  challengePeriod: z.coerce
    .number()
    .int()
    .min(
      MIN_CHALLENGE_PERIOD_SECONDS,
      `the contract requires at least ${MIN_CHALLENGE_PERIOD_SECONDS} seconds`,
    ),
  out: z.string().endsWith('.json'),
  keystore: z.string().optional(),
  token: z
    .string()
    .refine((value) => isAddress(value), 'not an address')
    .transform((value) => getAddress(value))
    .optional(),
  initialSupply: z.coerce.bigint().nonnegative(),
  faucetChainIds: z.array(z.coerce.bigint().positive()),
});

type CliOptions = z.output<typeof cliSchema>;

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rpc: { type: 'string' },
      'challenge-period': { type: 'string', default: '86400' },
      out: { type: 'string', default: 'deployments/local.json' },
      keystore: { type: 'string' },
      token: { type: 'string' },
      'initial-supply': { type: 'string', default: '0' },
      'faucet-chain-id': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const parsed = cliSchema.safeParse({
    rpc: values.rpc,
    challengePeriod: values['challenge-period'],
    out: values.out,
    keystore: values.keystore,
    token: values.token,
    initialSupply: values['initial-supply'],
    faucetChainIds: values['faucet-chain-id'],
  });
  if (!parsed.success) throw new Error(`${z.prettifyError(parsed.error)}\n${USAGE}`);
  return parsed.data;
}

/** The deployer's key from the environment or a keystore that only its owner can read. */
async function loadDeployer(keystore: string | undefined, provider: JsonRpcProvider): Promise<Wallet> {
  if (!keystore) {
    const key = process.env.DEPLOYER_PRIVATE_KEY;
    if (!key) throw new Error(`no key: set DEPLOYER_PRIVATE_KEY or pass --keystore\n${USAGE}`);
    return new Wallet(privateKeySchema.parse(key.trim()), provider);
  }
  const mode = statSync(keystore).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${keystore} is readable by others (mode ${mode.toString(8)}): chmod 600 ${keystore}`);
  }
  const content = readFileSync(keystore, 'utf8').trim();
  if (content.startsWith('{')) {
    const password = process.env.DEPLOYER_KEYSTORE_PASSWORD;
    if (password === undefined) throw new Error('encrypted keystore: set DEPLOYER_KEYSTORE_PASSWORD');
    const wallet = await Wallet.fromEncryptedJson(content, password);
    return new Wallet(wallet.privateKey, provider);
  }
  const parsed = privateKeySchema.safeParse(content);
  if (!parsed.success) throw new Error(`${keystore} holds neither a JSON keystore nor a hex private key`);
  return new Wallet(parsed.data, provider);
}

function reportProgress(event: DeployProgress): void {
  if (event.stage === 'sent') {
    console.log(`  ${event.contract}: sent ${event.txHash}, waiting to be mined...`);
  } else {
    console.log(
      `  ${event.contract}: deployed at ${event.address} (block ${event.blockNumber}, gas ${event.gasUsed})`,
    );
  }
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  const provider = new JsonRpcProvider(options.rpc, undefined, { cacheTimeout: -1 });
  provider.pollingInterval = 500;
  try {
    const { chainId } = await Promise.race([
      provider.getNetwork(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${options.rpc} did not answer within 15 s`)), 15_000).unref(),
      ),
    ]);
    const deployer = await loadDeployer(options.keystore, provider);
    const balance = await provider.getBalance(deployer.address);
    console.log(`chain ${chainId} via ${new URL(options.rpc).host}`);
    console.log(`deployer ${deployer.address} (balance ${formatEther(balance)} ETH)`);
    console.log(
      options.token
        ? `using existing token ${options.token}`
        : `deploying MicroToken (initial supply ${options.initialSupply}, faucet on 31337, 1337${options.faucetChainIds.map((id) => `, ${id}`).join('')})`,
    );
    console.log(`challenge period ${options.challengePeriod} s`);

    const deployment = await deployContracts(deployer, {
      challengePeriod: options.challengePeriod,
      token: options.token,
      initialSupply: options.initialSupply,
      faucetChainIds: options.faucetChainIds,
      onProgress: reportProgress,
    });
    await writeDeploymentFile(options.out, deployment);
    console.log(`wrote ${options.out}`);
    console.log(JSON.stringify(deployment, null, 2));
  } finally {
    provider.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
