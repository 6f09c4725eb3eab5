import { Body, Controller, Delete, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { GatewayError } from '@microraiden/paywall';
import { OperatorOnly } from '@microraiden/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayRuntime } from './gateway-runtime';
import {
  channelDto,
  ChannelDto,
  ChannelPageDto,
  CloseRequestDto,
  CloseResponseDto,
  ErrorBodyDto,
  statsDto,
  StatsDto,
} from './management-dto';
import { channelParams, listChannelsQuery, senderParams, validate } from './management-params';
import { OperatorGuard } from './operator.guard';

const INVALID = { status: 400, description: 'invalid parameters', type: ErrorBodyDto };
// Every route reads or writes Postgres: libs/service-kit's error filter answers a transient database error so.
const DATABASE_UNAVAILABLE_TEXT =
  'DATABASE_UNAVAILABLE: the database is down, or locked or slow past its lock or statement timeout; ' +
  'retry after Retry-After seconds';
const DATABASE_UNAVAILABLE = {
  status: 503,
  description: DATABASE_UNAVAILABLE_TEXT,
  headers: { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } },
  type: ErrorBodyDto,
};

/**
 * The management API (µRaiden's `/api/1`): channel listings and stats for the operator, and the sender's
 * cooperative close. Its routes are relative: ManagementModule is mounted under GATEWAY_PATH (RouterModule).
 */
@ApiTags('management')
@ApiResponse(DATABASE_UNAVAILABLE)
@Controller()
export class ManagementController {
  constructor(@Inject(GatewayRuntime) private readonly runtime: GatewayRuntime) {}

  @Get('channels')
  @OperatorOnly(OperatorGuard, { type: ErrorBodyDto, unavailable: DATABASE_UNAVAILABLE_TEXT })
  @ApiOperation({
    summary: 'List channels with balances, paged by channel id; filter by sender and state.',
  })
  @ApiQuery({ name: 'sender', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['open', 'closing', 'settled'] })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1..500, default 100' })
  @ApiOkResponse({ type: ChannelPageDto })
  @ApiResponse(INVALID)
  async list(@Query() query: unknown): Promise<ChannelPageDto> {
    const filter = validate(listChannelsQuery, query);
    const page = await this.runtime.queries.list(filter);
    return { channels: page.channels.map(channelDto), nextCursor: page.nextCursor };
  }

  @Get('channels/:sender')
  @OperatorOnly(OperatorGuard, { type: ErrorBodyDto, unavailable: DATABASE_UNAVAILABLE_TEXT })
  @ApiOperation({ summary: "List one sender's channels (µRaiden's /channels/{sender})." })
  @ApiParam({ name: 'sender' })
  @ApiOkResponse({ type: ChannelPageDto })
  @ApiResponse(INVALID)
  async listBySender(@Param() params: unknown, @Query() query: unknown): Promise<ChannelPageDto> {
    const { sender } = validate(senderParams, params);
    const filter = validate(listChannelsQuery, { ...(query as object), sender });
    const page = await this.runtime.queries.list(filter);
    return { channels: page.channels.map(channelDto), nextCursor: page.nextCursor };
  }

  @Get('channels/:sender/:channelId')
  @OperatorOnly(OperatorGuard, { type: ErrorBodyDto, unavailable: DATABASE_UNAVAILABLE_TEXT })
  @ApiOperation({ summary: 'One channel.' })
  @ApiParam({ name: 'sender' })
  @ApiParam({ name: 'channelId' })
  @ApiOkResponse({ type: ChannelDto })
  @ApiResponse({ status: 404, description: 'no such channel of this sender', type: ErrorBodyDto })
  @ApiResponse(INVALID)
  async detail(@Param() params: unknown): Promise<ChannelDto> {
    const { sender, channelId } = validate(channelParams, params);
    const channel = await this.runtime.queries.find(channelId);
    if (channel === undefined || channel.sender !== sender) {
      throw new GatewayError('NOT_FOUND', { channelId }, 'No such channel of this sender.');
    }
    return channelDto(channel);
  }

  @Get('stats')
  @OperatorOnly(OperatorGuard, { type: ErrorBodyDto, unavailable: DATABASE_UNAVAILABLE_TEXT })
  @ApiOperation({ summary: 'Paid requests, revenue, funds at risk and channel counts of the whole fleet.' })
  @ApiOkResponse({ type: StatsDto })
  async stats(): Promise<StatsDto> {
    return statsDto(await this.runtime.queries.stats());
  }

  @Delete('channels/:sender/:channelId')
  @ApiOperation({
    summary: "Cooperative close: the receiver's ClosingProof signature for the last accepted balance.",
    description:
      "Authenticated by the sender's own balance proof (docs/protocol.md section 10), not by the operator " +
      'token. `balance` and `balanceSignature` may be query parameters instead of the body. Afterwards the ' +
      'channel accepts no more payments.',
  })
  @ApiParam({ name: 'sender' })
  @ApiParam({ name: 'channelId' })
  @ApiBody({ type: CloseRequestDto, required: false })
  @ApiOkResponse({ type: CloseResponseDto })
  @ApiResponse({ status: 400, description: 'PAYMENT_MALFORMED', type: ErrorBodyDto })
  @ApiResponse({
    status: 402,
    description:
      'CHANNEL_NOT_FOUND, WRONG_RECEIVER, SENDER_MISMATCH, INVALID_SIGNATURE; with the challenge headers ' +
      '(RDN-Price: the lowest price of the paid routes) and PAYMENT-REQUIRED (docs/protocol.md 8.3)',
    type: ErrorBodyDto,
  })
  @ApiResponse({
    status: 409,
    description: 'CLOSE_BALANCE_MISMATCH; with the challenge headers (docs/protocol.md 8.3)',
    type: ErrorBodyDto,
  })
  async close(
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The same endpoint an embedded paywall answers (`@microraiden/paywall`'s CloseEndpoint); this route only
    // documents it in the OpenAPI description and puts it under Nest's router next to the operator routes.
    const answer = await this.runtime.closeEndpoint.answer({
      params: { sender: params.sender ?? '', channelId: params.channelId ?? '' },
      body,
      query,
      resourceUrl: `${request.protocol}://${request.headers.host ?? 'localhost'}${request.url.split('?')[0]}`,
      ...(request.headers.accept === undefined ? {} : { accept: request.headers.accept }),
    });
    await reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
}
