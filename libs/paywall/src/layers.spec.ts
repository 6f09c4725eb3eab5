import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The package is laid out by role; dependencies between the role folders point inward, towards core. Tests may
// reach across (a close-endpoint spec drives every adapter), so only runtime files are checked.
const ALLOWED: Record<string, readonly string[]> = {
  // The paywall page embeds the browser script (an asset); the paywall decision opens metered streams.
  core: ['browser', 'stream'],
  postgres: ['core'],
  chain: ['core', 'postgres'],
  stream: ['core'],
  adapters: ['core', 'stream'],
  'adapters/fastify': ['core', 'adapters', 'stream'],
  'adapters/nest': ['core', 'adapters', 'stream'],
  x402: ['core'],
  testing: ['core', 'postgres', 'chain', 'stream'],
};
const here = __dirname;

function runtimeFiles(folder: string): string[] {
  return readdirSync(path.join(here, folder))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
    .map((name) => path.join(here, folder, name));
}

/** The role folders a file imports from (relative imports only), `adapters/nest` for nested ones. */
function foldersImportedBy(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specs.map((spec) => {
    const target = path.relative(here, path.resolve(path.dirname(file), spec));
    const parts = target.split(path.sep);
    return parts.length > 2 && parts[0] === 'adapters' ? `${parts[0]}/${parts[1]}` : parts[0]!;
  });
}

describe('libs/paywall role folders', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder} imports only from itself and ${allowed.join(', ')}`, () => {
      const files = runtimeFiles(folder);
      expect(files.length).toBeGreaterThan(0);
      const outward = files.flatMap((file) =>
        foldersImportedBy(file)
          .filter((target) => target !== folder && !allowed.includes(target))
          .map((target) => `${path.relative(here, file)} -> ${target}`),
      );
      expect(outward).toEqual([]);
    });
  }
});
