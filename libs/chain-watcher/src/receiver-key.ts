import { readFile, stat } from 'node:fs/promises';
import { Wallet } from 'ethers';
import { ChainWatcherError } from './chain-watcher-error';

const HEX_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * The receiver's wallet from `privateKey` (0x + 64 hex) or from `keystoreFile` (mode 0600: an encrypted JSON
 * keystore opened with `keystorePassword`, or a file holding the hex key). Errors never contain the key.
 */
export async function loadReceiverWallet(source: {
  privateKey?: string | undefined;
  keystoreFile?: string | undefined;
  keystorePassword?: string | undefined;
}): Promise<Wallet> {
  if (source.privateKey !== undefined) return walletFromHex(source.privateKey.trim(), 'RECEIVER_PRIVATE_KEY');
  const file = source.keystoreFile;
  if (file === undefined)
    throw new ChainWatcherError('RECEIVER_KEY_MISSING', 'set RECEIVER_PRIVATE_KEY or RECEIVER_KEYSTORE_FILE');
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new ChainWatcherError(
      'RECEIVER_KEY_INSECURE',
      `${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
      { file },
    );
  const content = (await readFile(file, 'utf8')).trim();
  if (!content.startsWith('{')) return walletFromHex(content, file);
  if (source.keystorePassword === undefined)
    throw new ChainWatcherError(
      'RECEIVER_KEY_MISSING',
      'encrypted keystore: set RECEIVER_KEYSTORE_PASSWORD',
      { file },
    );
  try {
    const wallet = await Wallet.fromEncryptedJson(content, source.keystorePassword);
    return new Wallet(wallet.privateKey);
  } catch {
    throw new ChainWatcherError('RECEIVER_KEY_INVALID', `cannot decrypt ${file}`, { file });
  }
}

function walletFromHex(key: string, where: string): Wallet {
  if (!HEX_KEY.test(key))
    throw new ChainWatcherError(
      'RECEIVER_KEY_INVALID',
      `${where} does not hold a 0x-prefixed 32-byte hex key`,
      {
        where,
      },
    );
  return new Wallet(key);
}
