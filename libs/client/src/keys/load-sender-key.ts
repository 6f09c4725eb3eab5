import { decryptKeystoreJsonSync, isKeystoreJson } from 'ethers';
import { ClientError } from '../client-error';
import { readOwnerOnlyFile } from './owner-only-file';
import { SenderKey } from './sender-key';

/**
 * Where the sender's key comes from: a hex private key, or a key file readable only by its owner holding
 * either a geth/ethers JSON keystore (decrypted with `password`, or the first line of `passwordFile`) or
 * a hex private key.
 */
export type KeySource =
  | { readonly privateKey: string }
  | { readonly keystorePath: string; readonly password?: string; readonly passwordFile?: string };

// A password file holds the password on its first line (as µRaiden's --private-key-password-file did);
// only the line break is stripped, since spaces may be part of a password.
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

/** Loads the sender's key synchronously; every failure is a ClientError that never contains key material. */
export function loadSenderKey(source: KeySource): SenderKey {
  if (typeof source !== 'object' || source === null) {
    throw new ClientError('KEY_MISSING', 'no key: give a privateKey or a keystorePath');
  }
  if ('privateKey' in source) {
    if (!source.privateKey) throw new ClientError('KEY_MISSING', 'the private key is empty');
    return new SenderKey(source.privateKey);
  }
  if (!source.keystorePath)
    throw new ClientError('KEY_MISSING', 'no key: give a privateKey or a keystorePath');
  const file = source.keystorePath;
  const content = readOwnerOnlyFile(file, 'keystore').trim();

  if (!content.startsWith('{')) {
    try {
      return new SenderKey(content);
    } catch {
      throw new ClientError(
        'KEYSTORE_INVALID',
        `${file} holds neither a JSON keystore nor a hex private key`,
        {
          file,
        },
      );
    }
  }
  if (!isKeystoreJson(content)) {
    throw new ClientError('KEYSTORE_INVALID', `${file} is JSON but not an encrypted keystore`, { file });
  }
  const password =
    source.password ??
    (source.passwordFile !== undefined
      ? firstLine(readOwnerOnlyFile(source.passwordFile, 'password file'))
      : undefined);
  if (password === undefined) {
    throw new ClientError(
      'KEYSTORE_PASSWORD_REQUIRED',
      `${file} is an encrypted keystore: give its password or a password file`,
      { file },
    );
  }
  let privateKey: string;
  try {
    privateKey = decryptKeystoreJsonSync(content, password).privateKey;
  } catch {
    // ethers' reason (wrong password, bad MAC, unsupported cipher) is not worth the risk of echoing input.
    throw new ClientError('KEYSTORE_INVALID', `cannot decrypt ${file}: wrong password or damaged keystore`, {
      file,
    });
  }
  return new SenderKey(privateKey);
}
