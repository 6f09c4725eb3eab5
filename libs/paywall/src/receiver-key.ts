import { readFileSync, statSync } from 'node:fs';
import { MicroraidenError } from '@microraiden/errors';
import {
  privateKeyToAddress,
  signClosingProof,
  type Address,
  type ChannelDomain,
  type ClosingProof,
  type Hex,
} from '@microraiden/protocol';
import { Wallet } from 'ethers';

/** The receiver's signing key; the key itself never leaves this object (not logged, not serialised). */
export interface ReceiverKey {
  readonly address: Address;
  /** The receiver's ClosingProof signature, for cooperativeClose. */
  signClosingProof(domain: ChannelDomain, proof: ClosingProof): Hex;
}

/** The receiver key cannot be loaded; the message never contains the key or the password. */
export class ReceiverKeyError extends MicroraidenError<'RECEIVER_KEY_INVALID'> {
  override readonly name = 'ReceiverKeyError';
}

/** Where the key comes from: exactly one of a hex key or a keystore file with a password file. */
export type ReceiverKeySource =
  { readonly privateKey: string } | { readonly keystoreFile: string; readonly passwordFile: string };

function fail(message: string, details: Record<string, string> = {}): never {
  throw new ReceiverKeyError('RECEIVER_KEY_INVALID', message, details);
}

// Group and others must not read a file holding (access to) the key.
function assertPrivateFile(file: string, what: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    fail(`${what} ${file} cannot be read`, { file });
  }
  if ((mode & 0o077) !== 0) {
    fail(`${what} ${file} must not be accessible by group or others (chmod 600)`, {
      file,
      mode: (mode & 0o777).toString(8),
    });
  }
}

function fromHex(privateKey: string): ReceiverKey {
  const key = privateKey.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) fail('RECEIVER_PRIVATE_KEY must be 0x followed by 64 hex digits');
  let address: Address;
  try {
    address = privateKeyToAddress(key);
  } catch {
    fail('RECEIVER_PRIVATE_KEY is not a valid secp256k1 key');
  }
  const receiverKey: ReceiverKey = {
    address,
    signClosingProof: (domain, proof) => signClosingProof(key, domain, proof),
  };
  // util.inspect and JSON.stringify show the address only.
  Object.defineProperty(receiverKey, 'toJSON', { value: () => ({ address }), enumerable: false });
  return Object.freeze(receiverKey);
}

/** Loads the receiver key (decrypting a keystore synchronously: this runs once at start-up). */
export function loadReceiverKey(source: ReceiverKeySource): ReceiverKey {
  if ('privateKey' in source) return fromHex(source.privateKey);
  assertPrivateFile(source.keystoreFile, 'RECEIVER_KEYSTORE');
  assertPrivateFile(source.passwordFile, 'RECEIVER_KEYSTORE_PASSWORD_FILE');
  const json = readFileSync(source.keystoreFile, 'utf8');
  // A trailing newline is the norm for files written by editors and `echo`; it is not part of the password.
  const password = readFileSync(source.passwordFile, 'utf8').replace(/\r?\n$/, '');
  let wallet: Wallet;
  try {
    wallet = Wallet.fromEncryptedJsonSync(json, password) as Wallet;
  } catch {
    fail(`RECEIVER_KEYSTORE ${source.keystoreFile} cannot be decrypted with the password file`, {
      file: source.keystoreFile,
    });
  }
  return fromHex(wallet.privateKey);
}
