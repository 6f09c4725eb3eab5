import path from 'node:path';

/** Absolute path of the repository root, where deploy/local/ and node_modules/ live. */
export function repoRoot(): string {
  return path.resolve(__dirname, '../../..');
}
