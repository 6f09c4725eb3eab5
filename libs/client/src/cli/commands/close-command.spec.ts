import { describe, expect, it, vi } from 'vitest';
import { isClientError } from '../../client-error';
import { CliOutput } from '../cli-output';
import { uncooperativeConsent } from './close-command';

const ID = `0x${'ab'.repeat(32)}`;

function context(options: { uncooperative?: boolean; confirm?: (q: string) => Promise<boolean> }) {
  let stderr = '';
  const output = new CliOutput(
    {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      env: {},
      interactive: options.confirm !== undefined,
      ...(options.confirm ? { confirm: options.confirm } : {}),
    },
    false,
  );
  const values = options.uncooperative ? { uncooperative: true } : {};
  return { ctx: { values, output }, stderr: () => stderr };
}

describe('consent to an uncooperative close', () => {
  it('is given by --uncooperative without asking', async () => {
    const confirm = vi.fn(async (_question: string) => false);
    const { ctx } = context({ uncooperative: true, confirm });
    await expect(uncooperativeConsent(ctx, ID)('gateway down')).resolves.toBe(true);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('is asked on a terminal, after saying why the cooperative close failed', async () => {
    for (const answer of [true, false]) {
      const confirm = vi.fn(async (_question: string) => answer);
      const { ctx, stderr } = context({ confirm });
      await expect(uncooperativeConsent(ctx, ID)('the gateway refused')).resolves.toBe(answer);
      expect(stderr()).toBe('the cooperative close failed: the gateway refused\n');
      expect(confirm.mock.calls[0]![0]).toMatch(/^Close uncooperatively instead\? .*challenge period/);
    }
  });

  it('is refused without a terminal, naming the flag', async () => {
    const { ctx } = context({});
    const error = await uncooperativeConsent(ctx, ID)('no receiver URL').catch((e: unknown) => e);
    expect(isClientError(error, 'COOPERATIVE_CLOSE_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`microraiden close ${ID} --uncooperative`);
  });
});
