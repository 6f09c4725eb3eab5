import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { findChannel, findLatestProof, listChannels } from '@microraiden/ledger';
import { amountsAsStrings } from './amounts-as-strings';
import { LedgerApiError } from './ledger-api-error';
import { LedgerRuntime } from './ledger-runtime';
import { LedgerOperatorOnly } from './operator.guard';
import { parseInput } from './zod-query';
import { channelIdSchema, channelListQuerySchema } from './query-schemas';

const CHANNEL_ID_PARAM = {
  name: 'channelId',
  description: '0x + 64 hex digits',
  example: `0x${'ab'.repeat(32)}`,
};

@ApiTags('channels')
@LedgerOperatorOnly()
@Controller('api/1/channels')
export class ChannelsController {
  constructor(private readonly runtime: LedgerRuntime) {}

  @Get()
  @ApiOperation({
    summary: 'Channels, paged, filtered by status, sender or receiver. Amounts are base-10 strings.',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'open', 'closing', 'settled'] })
  @ApiQuery({ name: 'sender', required: false, description: 'address (any case)' })
  @ApiQuery({ name: 'receiver', required: false, description: 'address (any case)' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiOkResponse({ description: '`{ items, total, limit, offset }`' })
  async list(@Query() query: unknown) {
    const filter = parseInput(channelListQuerySchema, query);
    return amountsAsStrings(await listChannels(this.runtime.database(), filter));
  }

  @Get(':channelId')
  @ApiOperation({
    summary:
      'One channel: state, deposit, latest accepted balance (balance: what the receiver can claim), charged ' +
      'balance (chargedBalance: the sum of its charges, <= balance; equal on fixed prices), overDeposit (accepted balance above the confirmed ' +
      'deposit, which no proof can claim on chain: a reorged top-up or creation; 0 normally), withdrawn, close ' +
      'request, cooperative close signed (closeSignedBalance, closeSignedAt), settlement.',
  })
  @ApiParam(CHANNEL_ID_PARAM)
  async detail(@Param('channelId') channelId: string) {
    const id = parseInput(channelIdSchema, channelId);
    const channel = await findChannel(this.runtime.database(), id);
    if (!channel)
      throw new LedgerApiError('NOT_FOUND', 'the ledger knows no such channel', { channelId: id });
    return amountsAsStrings(channel);
  }

  @Get(':channelId/latest-proof')
  @ApiOperation({
    summary: 'Latest accepted balance proof (balance + signature): what a dispute submits on chain.',
  })
  @ApiParam(CHANNEL_ID_PARAM)
  async latestProof(@Param('channelId') channelId: string) {
    const id = parseInput(channelIdSchema, channelId);
    const proof = await findLatestProof(this.runtime.database(), id);
    if (!proof)
      throw new LedgerApiError('NOT_FOUND', 'no balance proof was accepted on this channel', {
        channelId: id,
      });
    return amountsAsStrings(proof);
  }
}
