import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { buildOperatorView, loadOperatorSnapshot, renderOperatorPage } from '@microraiden/ledger';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';
import { LedgerRuntime } from './ledger-runtime';
import { LedgerOperatorOnly } from './operator.guard';

/** The page lists this many channels, most recently active first; the totals cover all of them. */
const CHANNELS_SHOWN = 200;

@ApiTags('operator')
@LedgerOperatorOnly()
@Controller()
export class OperatorController {
  constructor(
    private readonly runtime: LedgerRuntime,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get('operator')
  @Header('content-type', 'text/html; charset=utf-8')
  // The page has no scripts and no external assets; only its inline style may apply.
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  @Header('cache-control', 'no-store')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      'Operator page (HTML, no scripts): channels, accepted revenue, funds at risk, revenue by route, projection lag. ' +
      'Amounts in token units (TOKEN_SYMBOL, TOKEN_DECIMALS) with the exact base units. Needs the operator token ' +
      '(OPERATOR_TOKEN; 503 OPERATOR_TOKEN_UNSET without one), like the rest of the ledger API.',
  })
  @ApiResponse({
    status: 200,
    description: 'the page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 503, description: 'LEDGER_NOT_READY: the database is not initialised yet' })
  async page(): Promise<string> {
    const database = this.runtime.database();
    const projection = this.runtime.currentProjection();
    const [snapshot, lag] = await Promise.all([
      loadOperatorSnapshot(database, { channelLimit: CHANNELS_SHOWN }),
      // Kafka unreachable: still show the projection, with the lag marked unknown.
      projection?.joined() ? projection.lag().catch(() => null) : Promise.resolve(null),
    ]);
    const view = buildOperatorView({
      snapshot,
      lag,
      token: { symbol: this.config.TOKEN_SYMBOL, decimals: this.config.TOKEN_DECIMALS },
      now: new Date(),
    });
    return renderOperatorPage(view);
  }
}
