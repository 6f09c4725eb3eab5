import { readDeploymentFile } from '@microraiden/contracts';
import { Client } from '../client';
import { ClientError } from '../client-error';
import { loadSenderKey, type KeySource } from '../keys/load-sender-key';
import type { CliValues } from './cli-arguments';
import { CliOutput, type CliIo } from './cli-output';
import { CliUsageError } from './cli-usage-error';
import type { TokenUnits } from './token-amount';

/** What every command works with. */
export interface CliContext {
  readonly client: Client;
  readonly output: CliOutput;
  readonly values: CliValues;
  /** The JSON-RPC endpoint in use (from --rpc or the environment), named when it does not answer. */
  readonly rpcUrl: string;
  /** The token's decimals and symbol, read once per run when a command shows or reads amounts. */
  token(): Promise<TokenUnits>;
}

function keySource(values: CliValues, env: NodeJS.ProcessEnv): KeySource {
  const keystorePath = values.keystore ?? env.MICRORAIDEN_KEYSTORE;
  if (keystorePath) {
    const passwordFile = values['password-file'] ?? env.MICRORAIDEN_PASSWORD_FILE;
    return {
      keystorePath,
      ...(passwordFile ? { passwordFile } : {}),
      ...(env.MICRORAIDEN_KEYSTORE_PASSWORD !== undefined
        ? { password: env.MICRORAIDEN_KEYSTORE_PASSWORD }
        : {}),
    };
  }
  const privateKey = env.MICRORAIDEN_PRIVATE_KEY;
  if (!privateKey) {
    throw new ClientError('KEY_MISSING', 'no key: pass --keystore <file> or set MICRORAIDEN_PRIVATE_KEY');
  }
  return { privateKey };
}

/** Builds the Client from global options and environment (key, RPC, deployment file, state dir). */
export async function openCliContext(values: CliValues, io: CliIo): Promise<CliContext> {
  const { env } = io;
  const rpcUrl = values.rpc ?? env.MICRORAIDEN_RPC_URL;
  if (!rpcUrl) throw new CliUsageError('no RPC endpoint: pass --rpc <url> or set MICRORAIDEN_RPC_URL');
  const deploymentFile = values.deployment ?? env.MICRORAIDEN_DEPLOYMENT;
  if (!deploymentFile) {
    throw new CliUsageError('no deployment: pass --deployment <file> or set MICRORAIDEN_DEPLOYMENT');
  }
  let confirmations: number | undefined;
  if (values.confirmations !== undefined) {
    confirmations = Number(values.confirmations);
    if (!/^[1-9][0-9]{0,3}$/.test(values.confirmations)) {
      throw new CliUsageError(
        `--confirmations must be an integer from 1 to 9999, not ${values.confirmations}`,
      );
    }
  }
  // The key first: a missing or unreadable key is the likelier mistake, and it is checked without I/O.
  const key = loadSenderKey(keySource(values, env));
  const deployment = await readDeploymentFile(deploymentFile);
  const client = new Client(key, {
    rpcUrl,
    deployment,
    stateDir: values['state-dir'] ?? env.MICRORAIDEN_STATE_DIR,
    confirmations,
    usePermit: !values['no-permit'],
  });
  let token: Promise<TokenUnits> | undefined;
  return {
    client,
    output: new CliOutput(io, values.json === true),
    values,
    rpcUrl,
    token: () => (token ??= client.tokenInfo()),
  };
}
