import {
  amountSchema,
  booleanSchema,
  loadConfig,
  receiverServiceEnv,
  rpcUrlSchema,
  serviceEnv,
  type LoadConfigOptions,
} from '@microraiden/config';
import { TOPICS } from '@microraiden/events';
import { DATABASE_TIMEOUTS_ENV } from '@microraiden/persistence';
import { parseEther, parseUnits } from 'ethers';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
/** Exact decimal ETH ("0.05") to wei: parsed as a string, never through a float. */
const etherAmount = z
  .string()
  .regex(/^\d{1,30}(\.\d{1,18})?$/, 'expected a decimal amount of ETH, e.g. 0.05')
  .transform((value) => parseEther(value));
const gweiAmount = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,9})?$/, 'expected a decimal amount of gwei')
  .transform((value) => parseUnits(value, 'gwei'));

export const chainWatcherConfigSchema = z.object({
  ...serviceEnv({ port: 3002, kafkaGroup: 'chain-watcher' }),
  /** The receiver's key (loadReceiverKey): a keystore, or in development mode a raw key. Never logged. */
  ...receiverServiceEnv,
  ...DATABASE_TIMEOUTS_ENV,
  RPC_URL: rpcUrlSchema.default('http://127.0.0.1:8545'),
  POLL_INTERVAL_MS: positiveInt.default(1_000),
  /** Largest eth_getLogs range (providers limit it; 500 is accepted everywhere). */
  MAX_BLOCK_RANGE: positiveInt.max(10_000).default(500),
  /** Below this receiver ETH balance disputes may not be payable: alarm metric and not ready. */
  MIN_RECEIVER_ETH: etherAmount.default(parseEther('0.05')),
  /** Do not start a dispute with fewer seconds than this left before settleAt. */
  DISPUTE_MARGIN_SECONDS: nonNegativeInt.default(30),
  /** A dispute not mined after this long is replaced with higher fees. */
  TX_REPLACE_AFTER_MS: positiveInt.default(30_000),
  TX_BUMP_PERCENT: z.coerce.number().int().min(10).max(1_000).default(25),
  /** Fee cap for disputes, in gwei. */
  MAX_FEE_PER_GAS_GWEI: gweiAmount.default(parseUnits('500', 'gwei')),
  /** Withdraw a channel's latest proof once it pays this many token base units more than withdrawn (off when unset). */
  WITHDRAW_THRESHOLD: amountSchema.optional(),
  /** Settle channels of ours whose challenge period ended after a fair close (off by default). */
  AUTO_SETTLE: booleanSchema.default(false),
  CHANNELS_TOPIC: z.string().min(1).default(TOPICS.channels.name),
  BALANCE_PROOFS_TOPIC: z.string().min(1).default(TOPICS.balanceProofs.name),
});

export type ChainWatcherConfig = z.output<typeof chainWatcherConfigSchema>;
export const CHAIN_WATCHER_CONFIG = Symbol('CHAIN_WATCHER_CONFIG');

/** Load and validate the chain-watcher's configuration once, at start-up. */
export const loadChainWatcherConfig = (
  env: NodeJS.ProcessEnv = process.env,
  options?: LoadConfigOptions,
): ChainWatcherConfig => loadConfig(chainWatcherConfigSchema, env, options);
