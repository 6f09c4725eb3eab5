import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { fundsAtRisk, listAudit, revenueByDay, revenueByRoute, revenueBySender } from '@microraiden/ledger';
import { amountsAsStrings } from './amounts-as-strings';
import { LedgerRuntime } from './ledger-runtime';
import { LedgerOperatorOnly } from './operator.guard';
import { auditQuerySchema, dayRangeQuerySchema } from './query-schemas';
import { parseInput } from './zod-query';

@ApiTags('revenue')
@LedgerOperatorOnly()
@Controller('api/1')
export class RevenueController {
  constructor(private readonly runtime: LedgerRuntime) {}

  @Get('revenue/routes')
  @ApiOperation({
    summary:
      "Revenue (sum of charges: an accepted proof's charge, its increment at a fixed price, plus charge-only " +
      'commits of streams) by route and method, largest first. `proofs` counts accepted proofs only.',
  })
  async byRoute() {
    return amountsAsStrings({ items: await revenueByRoute(this.runtime.database()) });
  }

  @Get('revenue/senders')
  @ApiOperation({ summary: 'Revenue by sender, largest first.' })
  async bySender() {
    return amountsAsStrings({ items: await revenueBySender(this.runtime.database()) });
  }

  @Get('revenue/days')
  @ApiOperation({ summary: 'Revenue by UTC day of acceptance, oldest first.' })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD, inclusive' })
  async byDay(@Query() query: unknown) {
    const range = parseInput(dayRangeQuerySchema, query);
    return amountsAsStrings({ items: await revenueByDay(this.runtime.database(), range) });
  }

  @Get('funds-at-risk')
  @ApiOperation({
    summary:
      'Accepted balance not yet withdrawn or settled, per unsettled channel (largest first) and in total; ' +
      'overDeposit is the part above the confirmed deposit, which no proof can claim on chain.',
  })
  async fundsAtRisk() {
    return amountsAsStrings(await fundsAtRisk(this.runtime.database()));
  }

  @Get('audit')
  @ApiOperation({ summary: 'Audit trail: one row per consumed event (applied, or ignored with the reason).' })
  @ApiQuery({ name: 'channelId', required: false })
  @ApiQuery({ name: 'outcome', required: false, enum: ['applied', 'ignored'] })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  async audit(@Query() query: unknown) {
    const filter = parseInput(auditQuerySchema, query);
    return amountsAsStrings(await listAudit(this.runtime.database(), filter));
  }
}
