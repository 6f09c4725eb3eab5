import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ChannelSummary, GatewayStats } from '@microraiden/paywall';

const AMOUNT = { type: String, example: '3000000000000000', description: 'token base units, base 10' };

/** A channel as the management API shows it. */
export class ChannelDto {
  @ApiProperty({ example: '0xa011aa0cd38ce04ee3477b0e1794239b24f47394eb55015d51eb15309e28488f' })
  channelId!: string;
  @ApiProperty({ example: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' }) sender!: string;
  @ApiProperty({ example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }) receiver!: string;
  @ApiProperty({ enum: ['open', 'closing', 'settled'] }) state!: string;
  @ApiProperty({ description: 'creation final on chain' }) confirmed!: boolean;
  @ApiProperty(AMOUNT) deposit!: string;
  @ApiProperty(AMOUNT) withdrawn!: string;
  @ApiProperty({ ...AMOUNT, description: 'last balance accepted (cumulative)' }) acceptedBalance!: string;
  @ApiProperty({
    ...AMOUNT,
    description: 'charged in total (docs/protocol.md 7.2): at most acceptedBalance, equal under fixed prices',
  })
  chargedBalance!: string;
  @ApiProperty({ type: String, example: '3' }) paidRequests!: string;
  @ApiPropertyOptional({ ...AMOUNT, nullable: true }) closeSignedBalance!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'unix seconds' }) settleAt!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: "sender's signature of acceptedBalance" })
  lastSignature!: string | null;
  @ApiProperty() updatedAt!: string;
}

/** One page of channels. */
export class ChannelPageDto {
  @ApiProperty({ type: [ChannelDto] }) channels!: ChannelDto[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'pass as cursor for the next page' })
  nextCursor!: string | null;
}

class ChannelCountsDto {
  @ApiProperty() open!: number;
  @ApiProperty() closing!: number;
  @ApiProperty() settled!: number;
}

/** Fleet-wide totals. */
export class StatsDto {
  @ApiProperty({ type: ChannelCountsDto }) channels!: ChannelCountsDto;
  @ApiProperty({ type: String, example: '42' }) paidRequests!: string;
  @ApiProperty({ ...AMOUNT, description: 'sum of charged balances (= accepted under fixed prices)' })
  revenue!: string;
  @ApiProperty({ ...AMOUNT, description: 'accepted, not yet withdrawn or settled' }) fundsAtRisk!: string;
}

/** Body of the cooperative-close request (docs/protocol.md section 10); may be query parameters instead. */
export class CloseRequestDto {
  @ApiProperty(AMOUNT) balance!: string;
  @ApiProperty({ example: '0x…', description: "the sender's BalanceProof signature for balance" })
  balanceSignature!: string;
}

/** The receiver's closing signature. */
export class CloseResponseDto {
  @ApiProperty() channelId!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() receiver!: string;
  @ApiProperty(AMOUNT) balance!: string;
  @ApiProperty({ description: "the receiver's ClosingProof signature" }) closingSignature!: string;
}

class ErrorDto {
  @ApiProperty({ example: 'CHANNEL_NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: Object }) details!: Record<string, unknown>;
}

/** Every error answer. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDto }) error!: ErrorDto;
}

/** Wire form of a channel. */
export function channelDto(channel: ChannelSummary): ChannelDto {
  return {
    channelId: channel.channelId,
    sender: channel.sender,
    receiver: channel.receiver,
    state: channel.state,
    confirmed: channel.confirmed,
    deposit: channel.deposit.toString(),
    withdrawn: channel.withdrawn.toString(),
    acceptedBalance: channel.acceptedBalance.toString(),
    chargedBalance: channel.chargedBalance.toString(),
    paidRequests: channel.paidRequests.toString(),
    closeSignedBalance: channel.closeSignedBalance?.toString() ?? null,
    settleAt: channel.settleAt?.toString() ?? null,
    lastSignature: channel.lastSignature,
    updatedAt: channel.updatedAt.toISOString(),
  };
}

/** Wire form of the stats. */
export function statsDto(stats: GatewayStats): StatsDto {
  return {
    channels: { ...stats.channels },
    paidRequests: stats.paidRequests.toString(),
    revenue: stats.revenue.toString(),
    fundsAtRisk: stats.fundsAtRisk.toString(),
  };
}
