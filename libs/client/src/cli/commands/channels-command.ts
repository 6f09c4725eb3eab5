import { describeChannel } from '../cli-output';
import type { CliContext } from '../cli-context';

/** `channels [--receiver <address>] [--all]`: the sender's channels from the local state. */
export async function channelsCommand(ctx: CliContext): Promise<number> {
  const all = await ctx.client.channels(ctx.values.receiver ? { receiver: ctx.values.receiver } : {});
  const shown = ctx.values.all ? all : all.filter((c) => c.state !== 'settled');
  // The list is local: without an RPC it is still shown, in base units only.
  const token = await ctx.token().catch(() => undefined);
  const human =
    shown.length === 0
      ? `no channels${ctx.values.all ? '' : ' (--all includes settled ones; sync rebuilds the list from the chain)'}`
      : shown.map((c) => describeChannel(c, token)).join('\n');
  ctx.output.result(
    human,
    shown.map((c) => c.toJSON()),
  );
  return 0;
}
