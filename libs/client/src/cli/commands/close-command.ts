import { ClientError } from '../../client-error';
import type { CliContext } from '../cli-context';
import { formatDuration } from '../../format-duration';
import { formatTokenAmount } from '../token-amount';

/**
 * Consent to fall back to an uncooperative close: given by --uncooperative, asked on a terminal, refused
 * without one — an uncooperative close starts a challenge period, so it is never done silently.
 */
export function uncooperativeConsent(ctx: Pick<CliContext, 'values' | 'output'>, channelId: string) {
  return async (reason: string): Promise<boolean> => {
    if (ctx.values.uncooperative) return true;
    const ask = ctx.output.confirm;
    if (!ask) {
      throw new ClientError(
        'COOPERATIVE_CLOSE_FAILED',
        `the cooperative close failed (${reason}); the channel stays open. stdin is not a terminal to ask ` +
          `on: run \`microraiden close ${channelId} --uncooperative\` to start the challenge period instead`,
        { channelId, reason },
      );
    }
    ctx.output.progress(`the cooperative close failed: ${reason}`);
    return ask(
      'Close uncooperatively instead? This sends uncooperativeClose and starts the challenge period; ' +
        'the channel pays out with `microraiden settle` after it',
    );
  };
}

/** `close <channelId> [--receiver-url <url>] [--uncooperative]`: cooperative close, else (with consent) the challenge period. */
export async function closeCommand(ctx: CliContext, args: Readonly<Record<string, string>>): Promise<number> {
  const token = await ctx.token();
  const channel = await ctx.client.channel(args.channelId as string);
  const receiverUrl = ctx.values['receiver-url'] ?? channel.gatewayUrl;
  ctx.output.progress(
    receiverUrl
      ? `asking the receiver at ${receiverUrl} to sign a close at balance ${formatTokenAmount(channel.balance, token)}`
      : 'no receiver URL known (--receiver-url <gateway> names it): no cooperative close possible',
  );
  const outcome = await channel.close({
    ...(ctx.values['receiver-url'] ? { receiverUrl: ctx.values['receiver-url'] } : {}),
    onProgress: (event) => ctx.output.transaction(event),
    confirmUncooperative: uncooperativeConsent(ctx, channel.id),
  });
  if (outcome.kind === 'cooperative') {
    ctx.output.result(
      [
        `closed cooperatively: channel ${channel.id} is settled`,
        `  receiver paid  ${formatTokenAmount(outcome.receiverPaid, token)}`,
        `  refunded       ${formatTokenAmount(outcome.senderRefund, token)}`,
        `  transaction    ${outcome.txHash}`,
      ].join('\n'),
      { channelId: channel.id, ...outcome },
    );
    return 0;
  }
  const left = await channel.secondsUntilSettleable();
  ctx.output.result(
    [
      `uncooperative close requested (${outcome.reason})`,
      `  balance        ${formatTokenAmount(outcome.balance, token)}`,
      `  settle from    chain time ${outcome.settleAt} (in ${formatDuration(left)})`,
      ...(outcome.txHash ? [`  transaction    ${outcome.txHash}`] : []),
      `  then run: microraiden settle ${channel.id} --wait`,
    ].join('\n'),
    { channelId: channel.id, ...outcome, secondsLeft: Number(left) },
  );
  return 0;
}
