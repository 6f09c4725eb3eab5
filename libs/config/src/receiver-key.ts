import { readFileSync } from 'node:fs';
import { MicroraidenError } from '@microraiden/errors';
import { Wallet } from 'ethers';
import { DEV_RECEIVER_PRIVATE_KEY, publicDevAccountIndex } from './dev-accounts';
import { privateFileProblem } from './private-file';

export type ReceiverKeyErrorCode =
  'RECEIVER_KEY_MISSING' | 'RECEIVER_KEY_INSECURE' | 'RECEIVER_KEY_INVALID' | 'RECEIVER_KEY_PUBLIC';

/** The receiver key cannot be used; the message names settings and files, never the key or the password. */
export class ReceiverKeyError extends MicroraidenError<ReceiverKeyErrorCode> {
  override readonly name = 'ReceiverKeyError';
}

/** The settings of config-fragments' receiverKeyEnv and devModeEnv, as a service's config holds them. */
export interface ReceiverKeySettings {
  readonly MICRORAIDEN_DEV: boolean;
  readonly RECEIVER_KEYSTORE_FILE?: string | undefined;
  readonly RECEIVER_KEYSTORE_PASSWORD?: string | undefined;
  readonly RECEIVER_PRIVATE_KEY?: string | undefined;
}

/** Where the key comes from, decided from the settings alone. */
export type ReceiverKeySource =
  | { readonly kind: 'keystore'; readonly file: string; readonly password: string }
  | { readonly kind: 'raw'; readonly key: string; readonly where: 'RECEIVER_PRIVATE_KEY' | 'default' };

/** The loaded key: an ethers Wallet without provider (inspecting or serialising it shows the address only). */
export interface LoadedReceiverKey {
  readonly wallet: Wallet;
  /** Which of anvil's public accounts it is (development mode only), or undefined for a private key. */
  readonly publicDevAccount: number | undefined;
  /** True when no key was configured and development mode fell back to anvil's account 2. */
  readonly defaulted: boolean;
}

const fail = (code: ReceiverKeyErrorCode, message: string, details: Record<string, string> = {}): never => {
  throw new ReceiverKeyError(code, message, details);
};

const DEV_HINT = 'MICRORAIDEN_DEV=1 allows it on a local development chain only';

/** Pure: which source the settings name, or the error that says what to set. */
export function receiverKeySourceOf(settings: ReceiverKeySettings): ReceiverKeySource {
  const {
    RECEIVER_KEYSTORE_FILE: file,
    RECEIVER_KEYSTORE_PASSWORD: password,
    RECEIVER_PRIVATE_KEY: raw,
  } = settings;
  if (file !== undefined && raw !== undefined)
    fail('RECEIVER_KEY_INVALID', 'set RECEIVER_KEYSTORE_FILE or RECEIVER_PRIVATE_KEY, not both');
  if (file !== undefined) {
    if (password === undefined)
      fail(
        'RECEIVER_KEY_MISSING',
        'RECEIVER_KEYSTORE_FILE needs RECEIVER_KEYSTORE_PASSWORD or RECEIVER_KEYSTORE_PASSWORD_FILE',
      );
    return { kind: 'keystore', file, password: password as string };
  }
  if (raw !== undefined) {
    if (!settings.MICRORAIDEN_DEV)
      fail(
        'RECEIVER_KEY_INSECURE',
        `RECEIVER_PRIVATE_KEY puts the key in the environment: use RECEIVER_KEYSTORE_FILE (${DEV_HINT})`,
      );
    return { kind: 'raw', key: raw.trim(), where: 'RECEIVER_PRIVATE_KEY' };
  }
  if (!settings.MICRORAIDEN_DEV)
    fail(
      'RECEIVER_KEY_MISSING',
      'set RECEIVER_KEYSTORE_FILE and RECEIVER_KEYSTORE_PASSWORD(_FILE); MICRORAIDEN_DEV=1 uses anvil account 2',
    );
  return { kind: 'raw', key: DEV_RECEIVER_PRIVATE_KEY, where: 'default' };
}

function walletFromHex(key: string, where: string): Wallet {
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    fail('RECEIVER_KEY_INVALID', `${where} is not 0x followed by 64 hex digits`);
  try {
    return new Wallet(key);
  } catch {
    return fail('RECEIVER_KEY_INVALID', `${where} is not a valid secp256k1 key`);
  }
}

function walletFromKeystore(file: string, password: string): Wallet {
  const problem = privateFileProblem(file);
  if (problem !== undefined) fail('RECEIVER_KEY_INSECURE', `RECEIVER_KEYSTORE_FILE: ${problem}`, { file });
  const json = readFileSync(file, 'utf8');
  if (!json.trimStart().startsWith('{'))
    fail('RECEIVER_KEY_INVALID', `RECEIVER_KEYSTORE_FILE ${file} is not an encrypted JSON keystore`, {
      file,
    });
  try {
    // Synchronous scrypt: this runs once, at start-up, before anything else could use the event loop.
    return new Wallet(Wallet.fromEncryptedJsonSync(json, password).privateKey);
  } catch {
    return fail(
      'RECEIVER_KEY_INVALID',
      `RECEIVER_KEYSTORE_FILE ${file} cannot be decrypted with the password`,
      {
        file,
      },
    );
  }
}

/**
 * The receiver key the settings name, for the gateway (signs closing proofs) and the chain-watcher (sends
 * disputes). Refuses anvil's public keys outside development mode, whichever way they came.
 */
export function loadReceiverKey(settings: ReceiverKeySettings): LoadedReceiverKey {
  const source = receiverKeySourceOf(settings);
  const wallet =
    source.kind === 'keystore'
      ? walletFromKeystore(source.file, source.password)
      : walletFromHex(source.key, source.where);
  const index = publicDevAccountIndex(wallet.address);
  if (index >= 0 && !settings.MICRORAIDEN_DEV)
    fail(
      'RECEIVER_KEY_PUBLIC',
      `the receiver key is anvil's public account ${index} (${wallet.address}), which anyone can spend from; ` +
        `configure your own key (${DEV_HINT})`,
      { address: wallet.address },
    );
  return {
    wallet,
    publicDevAccount: index >= 0 ? index : undefined,
    defaulted: source.kind === 'raw' && source.where === 'default',
  };
}
