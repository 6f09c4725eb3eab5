import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundlePaywallScript, buildPaywallScript, GENERATED_FILE } from '../../scripts/build-paywall-script';
import { PAYWALL_CLIENT_SCRIPT } from './paywall-client-script';

describe('the paywall page script (generated from libs/paywall/src/browser)', () => {
  it('is what the TypeScript sources build to (npm run paywall:build after changing them)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await buildPaywallScript());
  }, 30_000); // a few seconds of esbuild on a loaded 2-core machine

  it('is one inline script that cannot end its own <script> element', () => {
    expect(PAYWALL_CLIENT_SCRIPT.toLowerCase()).not.toContain('</script');
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('<!--');
    // ES2020, no modules: it runs as a classic inline script.
    expect(PAYWALL_CLIENT_SCRIPT).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('takes from the client only what the page uses: no ethers, no zod, no curve library', () => {
    // Markers of each: an ethers error code, a zod issue code, an error of @noble/curves' Weierstrass points.
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('UNCONFIGURED_NAME');
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('invalid_union');
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('is not on curve');
    // The session key signs with @noble/secp256k1 (~5 kB, HMAC from WebCrypto; @noble/curves would add 42 kB).
    expect(PAYWALL_CLIENT_SCRIPT).toContain('"HMAC"');
    expect(PAYWALL_CLIENT_SCRIPT.length).toBeLessThan(64 * 1024);
  });

  it('fails the build when the bundle would import a Node built-in (or anything else)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'paywall-script-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(
        entry,
        "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync('/etc/hostname'));\n",
      );
      await expect(bundlePaywallScript(entry)).rejects.toThrow(/imports node:fs: it must be self-contained/);
      writeFileSync(entry, "import { createHash } from 'crypto';\nconsole.log(createHash('sha256'));\n");
      await expect(bundlePaywallScript(entry)).rejects.toThrow(/imports crypto/);
      // The client's heavy dependencies are left external (unparsed): one the page used would stay an import.
      writeFileSync(entry, "import { id } from 'ethers';\nconsole.log(id('page'));\n");
      await expect(bundlePaywallScript(entry)).rejects.toThrow(/imports ethers/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
