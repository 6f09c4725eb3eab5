import { describeChannel } from '../cli-output';
import type { CliContext } from '../cli-context';

/** `sync`: rebuilds the local state from the channel manager's events. */
export async function syncCommand(ctx: CliContext): Promise<number> {
  ctx.output.progress('reading channel events from the deployment block on');
  const channels = await ctx.client.sync();
  const token = await ctx.token();
  const open = channels.filter((c) => c.state !== 'settled');
  ctx.output.result(
    [
      `synced ${channels.length} channel(s), ${open.length} not settled`,
      ...open.map((c) => describeChannel(c, token)),
    ].join('\n'),
    channels.map((c) => c.toJSON()),
  );
  return 0;
}
