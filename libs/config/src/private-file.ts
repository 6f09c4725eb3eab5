import { readFileSync, statSync } from 'node:fs';

/** Why a file that holds a secret (or access to one) cannot be used; `undefined` when it can. */
export function privateFileProblem(file: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return `${file} cannot be read`;
  }
  // Group and others must not read it: a keystore's password, or the key itself, would be one `cat` away.
  if ((mode & 0o077) !== 0)
    return `${file} is accessible by group or others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`;
  return undefined;
}

/** A secret file's content without the one trailing newline editors and `echo` add (it is not part of it). */
export function readSecretText(file: string): string {
  return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
}
