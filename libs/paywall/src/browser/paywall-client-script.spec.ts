import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPaywallScript, GENERATED_FILE } from '../../scripts/build-paywall-script';
import { PAYWALL_CLIENT_SCRIPT } from './paywall-client-script';

describe('the paywall page script (generated from libs/paywall/src/browser)', () => {
  it('is what the TypeScript sources build to (npm run paywall:build after changing them)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await buildPaywallScript());
  });

  it('is one inline script that cannot end its own <script> element', () => {
    expect(PAYWALL_CLIENT_SCRIPT.toLowerCase()).not.toContain('</script');
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('<!--');
    // ES2020, no modules: it runs as a classic inline script.
    expect(PAYWALL_CLIENT_SCRIPT).not.toMatch(/^\s*(import|export)\s/m);
  });
});
