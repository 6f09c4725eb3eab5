import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  buildDashboardView,
  buildOperatorView,
  lastDays,
  loadDashboardData,
  loadOperatorSnapshot,
  operatorPageUpdate,
  renderOperatorPage,
  type DashboardView,
  type OperatorView,
} from '@microraiden/ledger';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';
import { LedgerRuntime } from './ledger-runtime';
import { LedgerOperatorOnly } from './operator.guard';
import { WatcherProbe } from './watcher-probe';

/** The page lists this many channels, most recently active first; the totals cover all of them. */
const CHANNELS_SHOWN = 200;
const SENDERS_SHOWN = 20;
const CLOSES_SHOWN = 50;
const CHART_DAYS = 30;

const NOT_READY = { status: 503, description: 'LEDGER_NOT_READY: the database is not initialised yet' };

@ApiTags('operator')
@LedgerOperatorOnly()
@Controller()
export class OperatorController {
  private readonly watcher: WatcherProbe;

  constructor(
    private readonly runtime: LedgerRuntime,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.watcher = new WatcherProbe(config.CHAIN_WATCHER_URL);
  }

  @Get('operator')
  @Header('content-type', 'text/html; charset=utf-8')
  // Scripts, styles and the refresh only from the ledger itself; the inline style and the JSON data block apply.
  @Header(
    'content-security-policy',
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  )
  @Header('cache-control', 'no-store')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      'Operator page (HTML): totals, revenue and paid requests per day (charts), chain-watcher status, closes and ' +
      'disputes, revenue by sender and by route, channels, projection lag. Updates itself from ' +
      'GET /api/1/operator/view without reloading. Amounts in token units (TOKEN_SYMBOL, TOKEN_DECIMALS) with the ' +
      'exact base units. Needs the operator token (OPERATOR_TOKEN; 503 OPERATOR_TOKEN_UNSET without one), like the ' +
      'rest of the ledger API.',
  })
  @ApiResponse({
    status: 200,
    description: 'the page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiResponse(NOT_READY)
  async page(): Promise<string> {
    const { view, dash } = await this.load();
    return renderOperatorPage(view, dash);
  }

  @Get('api/1/operator/view')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary:
      "The operator page's refresh: each section's HTML (escaped, by element id) and the charts' series, as the " +
      'page would render them now.',
  })
  @ApiResponse({
    status: 200,
    description: 'sections and chart series',
    schema: {
      type: 'object',
      required: ['generatedAt', 'sections', 'charts'],
      properties: {
        generatedAt: { type: 'string', format: 'date-time' },
        sections: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'inner HTML of the page element with that id',
        },
        charts: {
          type: 'object',
          required: ['days', 'revenue', 'requests'],
          properties: {
            days: { type: 'array', items: { type: 'integer' }, description: 'unix seconds of each UTC day' },
            revenue: {
              type: 'array',
              items: { type: 'number' },
              description: 'revenue per day in token units (approximate: for drawing; tables are exact)',
            },
            requests: { type: 'array', items: { type: 'integer' }, description: 'accepted proofs per day' },
          },
        },
      },
    },
  })
  @ApiResponse(NOT_READY)
  async update() {
    const { view, dash } = await this.load();
    return operatorPageUpdate(view, dash);
  }

  private async load(): Promise<{ view: OperatorView; dash: DashboardView }> {
    const database = this.runtime.database();
    const projection = this.runtime.currentProjection();
    const now = new Date();
    const days = lastDays(now, CHART_DAYS);
    const [snapshot, lag, data, watcher] = await Promise.all([
      loadOperatorSnapshot(database, { channelLimit: CHANNELS_SHOWN }),
      // Kafka unreachable: still show the projection, with the lag marked unknown.
      projection?.joined() ? projection.lag().catch(() => null) : Promise.resolve(null),
      loadDashboardData((sql, params) => database.query(sql, params), {
        since: days[0]!,
        senderLimit: SENDERS_SHOWN,
        closeLimit: CLOSES_SHOWN,
      }),
      this.watcher.status(),
    ]);
    const token = { symbol: this.config.TOKEN_SYMBOL, decimals: this.config.TOKEN_DECIMALS };
    return {
      view: buildOperatorView({ snapshot, lag, token, now }),
      dash: buildDashboardView({ data, watcher, token, days }),
    };
  }
}
