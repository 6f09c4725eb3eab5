import { z } from 'zod';
import { MicroraidenError } from '@microraiden/errors';
import { checksummedAddress, toChecksumAddress } from '@microraiden/protocol';

/** The contract's MIN_CHALLENGE_PERIOD: the shortest challenge period a deployment can have. */
export const MIN_CHALLENGE_PERIOD_SECONDS = 3600;

const addressSchema = z
  .string()
  .refine((value) => toChecksumAddress(value) !== undefined, {
    message: 'not an address (or a bad EIP-55 checksum)',
  })
  .transform((value): string => checksummedAddress(value));

/** Where the contracts of one chain live: what services read at start-up. Addresses are checksummed. */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  channelManager: addressSchema,
  token: addressSchema,
  /** Seconds, as deployed (the contract's `challengePeriod()`). */
  challengePeriod: z.number().int().min(MIN_CHALLENGE_PERIOD_SECONDS),
  /** Block of the channel manager's deployment: where log scans start. */
  deployBlock: z.number().int().nonnegative(),
});

/** A validated deployment. */
export type Deployment = z.output<typeof deploymentSchema>;

/** A deployment file is missing, not JSON, or does not match the schema. */
export class DeploymentFileError extends MicroraidenError<'DEPLOYMENT_FILE_INVALID'> {
  override readonly name = 'DeploymentFileError';
}

/** Validate `json` as a deployment (throws DeploymentFileError listing every problem). */
export function parseDeployment(json: unknown, source = 'deployment'): Deployment {
  const result = deploymentSchema.safeParse(json);
  if (!result.success) {
    throw new DeploymentFileError(
      'DEPLOYMENT_FILE_INVALID',
      `${source} is invalid:\n${z.prettifyError(result.error)}`,
      {
        source,
      },
    );
  }
  return result.data;
}

/** Read and validate the deployment file at `file`. */
export async function readDeploymentFile(file: string): Promise<Deployment> {
  // Node built-ins are loaded on use, so bundles that only parse deployments (the client's browser build)
  // carry none.
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DeploymentFileError(
      'DEPLOYMENT_FILE_INVALID',
      `cannot read ${file}`,
      { source: file },
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DeploymentFileError(
      'DEPLOYMENT_FILE_INVALID',
      `${file} is not JSON`,
      { source: file },
      { cause },
    );
  }
  return parseDeployment(json, file);
}

/** Validate `deployment` and write it to `file` (creating its directory), keys in a stable order. */
export async function writeDeploymentFile(file: string, deployment: Deployment): Promise<void> {
  const [{ mkdir, writeFile }, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const valid = parseDeployment(deployment, file);
  const ordered: Deployment = {
    chainId: valid.chainId,
    channelManager: valid.channelManager,
    token: valid.token,
    challengePeriod: valid.challengePeriod,
    deployBlock: valid.deployBlock,
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(ordered, null, 2)}\n`);
}
