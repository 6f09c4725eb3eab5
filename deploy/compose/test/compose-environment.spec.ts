import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_RECEIVER_PRIVATE_KEY, loadReceiverKey } from '@microraiden/config';
import { Wallet } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadChainWatcherConfig } from '../../../services/chain-watcher/src/chain-watcher-config';
import { loadGatewayConfig } from '../../../services/gateway/src/gateway-config';
import { loadLedgerConfig } from '../../../services/ledger/src/ledger-config';
import { writeComposeSecrets } from '../compose-secrets';
import { composeServiceEnvironment, interpolate } from './compose-file';

const COMPOSE_FILE = path.resolve(__dirname, '../../../docker-compose.yml');
const quiet = { warn: () => undefined };

/** The start-up config loading of the services that hold the receiver key, as in their containers. */
const startUp = {
  'gateway-1': (env: Record<string, string>) => loadReceiverKey(loadGatewayConfig(env, quiet)),
  'gateway-2': (env: Record<string, string>) => loadReceiverKey(loadGatewayConfig(env, quiet)),
  'chain-watcher': (env: Record<string, string>) => loadReceiverKey(loadChainWatcherConfig(env, quiet)),
};

let devSecrets: string;
let ownSecrets: string;
let ownAddress: string;

beforeAll(() => {
  // Cheap scrypt: this tests the wiring, not the key derivation.
  devSecrets = mkdtempSync(path.join(tmpdir(), 'compose-dev-secrets-'));
  writeComposeSecrets(devSecrets, {
    receiverKey: DEV_RECEIVER_PRIVATE_KEY,
    scryptN: 1024,
  });
  ownSecrets = mkdtempSync(path.join(tmpdir(), 'compose-own-secrets-'));
  ownAddress = writeComposeSecrets(ownSecrets, {
    receiverKey: Wallet.createRandom().privateKey,
    scryptN: 1024,
  });
});

describe.each(Object.keys(startUp) as (keyof typeof startUp)[])("docker-compose.yml's %s", (service) => {
  const envOf = (hostEnv: Record<string, string>) =>
    composeServiceEnvironment(COMPOSE_FILE, service, hostEnv);

  it("refuses anvil's public receiver key without MICRORAIDEN_DEV", () => {
    for (const flag of [{}, { MICRORAIDEN_DEV: '0' }, { MICRORAIDEN_DEV: '' }] as Record<string, string>[])
      expect(() => startUp[service](envOf({ MICRORAIDEN_SECRETS_DIR: devSecrets, ...flag }))).toThrow(
        expect.objectContaining({ code: 'RECEIVER_KEY_PUBLIC' }),
      );
  });

  it('starts with it when MICRORAIDEN_DEV=1, signing as the stack receiver (anvil account 2)', () => {
    const loaded = startUp[service](envOf({ MICRORAIDEN_SECRETS_DIR: devSecrets, MICRORAIDEN_DEV: '1' }));
    expect(loaded.publicDevAccount).toBe(2);
  });

  it('starts with a receiver key of its own, no flag needed, and reads the key and password from secrets', () => {
    const env = envOf({ MICRORAIDEN_SECRETS_DIR: ownSecrets });
    expect(env).not.toHaveProperty('RECEIVER_PRIVATE_KEY');
    expect(startUp[service](env).wallet.address).toBe(ownAddress);
  });
});

describe("docker-compose.yml's operator token", () => {
  it.each(['gateway-1', 'gateway-2', 'ledger'])('%s reads it from the operator_token secret', (service) => {
    const env = composeServiceEnvironment(COMPOSE_FILE, service, { MICRORAIDEN_SECRETS_DIR: ownSecrets });
    const config = service === 'ledger' ? loadLedgerConfig(env, quiet) : loadGatewayConfig(env, quiet);
    expect(config.OPERATOR_TOKEN).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('interpolate', () => {
  it("follows compose's rules", () => {
    expect(interpolate('${A:-x}/${B-y}/${C}/$$', { A: '', B: '', C: 'c' })).toBe('x//c/$');
    expect(() => interpolate('${A:?set A}', {})).toThrow(/set A/);
  });
});
