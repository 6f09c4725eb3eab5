/**
 * Writes the compose stack's secrets (docker-compose.yml `secrets:`) into a folder, each file mode 0600:
 *
 *   operator_token               a random operator token (the management APIs' Bearer token)
 *   receiver_keystore.json       the receiver's key, an encrypted JSON keystore (scrypt)
 *   receiver_keystore_password   its random password
 *
 *   npm run compose:secrets -- --dev [--out deploy/secrets] [--force]
 *       receiver = anvil's PUBLIC account 2 (the local stack's receiver, funded by anvil): the services accept it
 *       only with MICRORAIDEN_DEV=1
 *   npm run compose:secrets -- --new [--out dir] [--force]
 *       receiver = a fresh random key; fund its address (printed) with ETH so the chain-watcher can dispute
 *
 * Never prints a key, a password or the token.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_RECEIVER_PRIVATE_KEY } from '@microraiden/config';
import { encryptKeystoreJsonSync, Wallet } from 'ethers';

export const SECRET_FILES = {
  operatorToken: 'operator_token',
  keystore: 'receiver_keystore.json',
  password: 'receiver_keystore_password',
} as const;

export interface ComposeSecretsOptions {
  /** The receiver's key; anvil's account 2 for a development stack. */
  readonly receiverKey: string;
  /** Overwrite existing files (else refuse: they may be the only copy of a real key). */
  readonly force?: boolean;
  /** scrypt cost; ethers' default (2^17) unless a test wants it cheap. */
  readonly scryptN?: number;
}

/** Writes the three secret files into `dir` (created 0700); returns the receiver's address. */
export function writeComposeSecrets(dir: string, options: ComposeSecretsOptions): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = Object.values(SECRET_FILES).map((name) => path.join(dir, name));
  const existing = files.filter((file) => existsSync(file));
  if (existing.length > 0 && options.force !== true)
    throw new Error(
      `${existing.join(', ')} exist: pass --force to replace them (keep a copy of a real key first)`,
    );
  const wallet = new Wallet(options.receiverKey);
  const password = randomBytes(24).toString('base64url');
  const keystore = encryptKeystoreJsonSync(
    { address: wallet.address, privateKey: wallet.privateKey },
    password,
    options.scryptN === undefined ? {} : { scrypt: { N: options.scryptN } },
  );
  const write = (name: string, content: string): void => {
    const file = path.join(dir, name);
    writeFileSync(file, content, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  write(SECRET_FILES.operatorToken, `${randomBytes(32).toString('hex')}\n`);
  write(SECRET_FILES.keystore, keystore);
  write(SECRET_FILES.password, `${password}\n`);
  return wallet.address;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      dev: { type: 'boolean', default: false },
      new: { type: 'boolean', default: false },
      out: { type: 'string', default: 'deploy/secrets' },
      force: { type: 'boolean', default: false },
    },
  });
  if (values.dev === values.new)
    throw new Error('usage: compose:secrets -- --dev|--new [--out dir] [--force]');
  const receiverKey = values.dev ? DEV_RECEIVER_PRIVATE_KEY : Wallet.createRandom().privateKey;
  const address = writeComposeSecrets(values.out, { receiverKey, force: values.force });
  process.stdout.write(
    `wrote ${Object.values(SECRET_FILES).join(', ')} to ${values.out} (mode 0600)\nreceiver ${address}\n` +
      (values.dev
        ? "anvil's public account 2: start with MICRORAIDEN_DEV=1 MICRORAIDEN_UID=$(id -u) docker compose up --build\n"
        : 'fund it with ETH for disputes; start with MICRORAIDEN_UID=$(id -u) docker compose up --build\n'),
  );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
