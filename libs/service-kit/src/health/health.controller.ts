import { Controller, Get, Inject, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { DependencyCheck } from './dependency-check';
import { publicReason, withTimeout } from './dependency-check';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

const CHECK_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  // The last failure logged per check, so a dependency that stays down is logged once, not on every probe.
  private readonly lastFailure = new Map<string, string>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[],
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers. Never checks dependencies.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: every real dependency answers (503 otherwise).' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.runChecks();
    } catch (err) {
      // Terminus reports "not ready" by throwing; answer its report as-is (not the generic error body) so
      // orchestrators and operators see which dependency is down.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse();
    }
  }

  private runChecks() {
    return this.health.check(
      this.checks.map((dep) => async () => {
        const session = this.indicators.check(dep.name);
        try {
          const facts = await withTimeout(dep.check(), CHECK_TIMEOUT_MS, dep.name);
          if (this.lastFailure.delete(dep.name)) this.logger.log(`${dep.name} is ready again`);
          return session.up(facts);
        } catch (err) {
          this.logFailure(dep.name, err);
          // The public answer: the readiness of a gateway is reachable through the front.
          return session.down({ message: publicReason(err) });
        }
      }),
    );
  }

  private logFailure(name: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    const text = `${message}${cause}`;
    if (this.lastFailure.get(name) === text) return;
    this.lastFailure.set(name, text);
    this.logger.warn(`${name} is not ready: ${text}`);
  }
}
