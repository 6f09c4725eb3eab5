import { readFileSync, statSync } from 'node:fs';
import { ClientError } from '../client-error';

/**
 * Reads a secret file (keystore, key or password file) after checking that only its owner can access it:
 * mode 0600 or stricter, no group or other bits (as µRaiden required of its key files). POSIX only; on
 * Windows, where mode bits mean nothing, the check is skipped.
 */
export function readOwnerOnlyFile(file: string, what: string): string {
  let mode: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    mode = stat.mode & 0o777;
  } catch (cause) {
    throw new ClientError('KEYSTORE_UNREADABLE', `cannot read the ${what} ${file}`, { file }, { cause });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = mode.toString(8).padStart(4, '0');
    throw new ClientError(
      'KEYSTORE_INSECURE',
      `the ${what} ${file} is accessible by group or others (mode ${octal}); run: chmod 600 ${file}`,
      { file, mode: octal },
    );
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ClientError('KEYSTORE_UNREADABLE', `cannot read the ${what} ${file}`, { file }, { cause });
  }
}
