import { describe, expect, it } from 'vitest';
import { ContractRevertedError } from '@microraiden/contracts';
import { ProtocolError } from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { SENDER_KEY } from '../test/builders';
import { COMMAND_OPTIONS, COMMANDS } from './cli-arguments';
import { describeFailure } from './cli-failure';
import { runCli } from './run-cli';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    interactive: false,
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints usage for --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: microraiden <command>');
  });

  it("prints one command's help for <command> --help, with its options and an example", async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: microraiden ${command}\\b`));
      expect(stdout).toContain(`example: microraiden ${command}`);
      expect(stdout).toContain('global options (--rpc, --deployment, --keystore, --json, ...)');
    }
    const close = await run(['close', '--help']);
    expect(close.stdout).toContain(
      '--uncooperative        fall back to the uncooperative close without asking',
    );
    expect((await run(['pay', '-h'])).stdout).toContain(
      '--max-price <amount>     the most one request may cost',
    );
  });

  it('documents in --help every option each command accepts', async () => {
    const { stdout: usage } = await run(['--help']);
    for (const command of COMMANDS) {
      const { stdout } = await run([command, '--help']);
      for (const option of COMMAND_OPTIONS[command]) {
        expect(stdout).toContain(`--${option}`);
        expect(usage).toContain(`--${option}`);
      }
    }
  });

  it("reports a bad command line as one error line with exit code 2, pointing at the command's help", async () => {
    const { code, stdout, stderr } = await run(['open', '0xabc']);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe(
      'error INVALID_USAGE: open takes 2 argument(s): microraiden open <receiver> <deposit> (microraiden open --help)\n',
    );
  });

  it('asks for the RPC, the deployment and the key before doing anything', async () => {
    expect((await run(['channels'])).stderr).toMatch(/^error INVALID_USAGE: no RPC endpoint/);
    expect((await run(['channels', '--rpc', 'http://127.0.0.1:1'])).stderr).toMatch(/no deployment/);
    const noKey = await run(['channels', '--rpc', 'http://127.0.0.1:1', '--deployment', 'x.json']);
    expect([noKey.code, noKey.stderr]).toEqual([
      1,
      'error KEY_MISSING: no key: pass --keystore <file> or set MICRORAIDEN_PRIVATE_KEY\n',
    ]);
  });

  it('never prints the key, even when it is malformed', async () => {
    const bad = `${SENDER_KEY}ff`;
    const { code, stderr } = await run(['channels', '--rpc', 'http://x', '--deployment', 'x.json'], {
      MICRORAIDEN_PRIVATE_KEY: bad,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error KEY_INVALID: /);
    expect(stderr).not.toContain(SENDER_KEY.slice(2, 30));
  });
});

describe('describeFailure', () => {
  it('puts a multi-line message on one line', () => {
    const error = new ClientError('CONFIG_INVALID', 'invalid client options:\n  ✖ rpcUrl\n  ✖ stateDir');
    expect(describeFailure(error)).toEqual({
      line: 'error CONFIG_INVALID: invalid client options:; ✖ rpcUrl; ✖ stateDir',
      exitCode: 1,
    });
  });

  it('names a decoded revert with its arguments', () => {
    const revert = {
      name: 'ChallengePeriodNotOver',
      signature: 'ChallengePeriodNotOver(uint64)',
      args: [5n],
      data: '0x',
    };
    expect(describeFailure(new ContractRevertedError(revert)).line).toBe(
      'error CONTRACT_REVERTED: contract reverted with ChallengePeriodNotOver ["5"]',
    );
  });

  it('names the header a malformed gateway answer got wrong', () => {
    const error = new ProtocolError('RESPONSE_MALFORMED', { header: 'RDN-Price', reason: 'missing' });
    expect(describeFailure(error).line).toBe(
      "error RESPONSE_MALFORMED: The gateway's payment headers or body could not be parsed. (RDN-Price: missing)",
    );
  });

  it('labels untyped errors INTERNAL', () => {
    expect(describeFailure(new TypeError('x is undefined')).line).toBe('error INTERNAL: x is undefined');
  });
});
