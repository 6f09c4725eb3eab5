import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { DependencyCheck } from './dependency-check';
import { withTimeout } from './dependency-check';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

const CHECK_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
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
          return session.up(await withTimeout(dep.check(), CHECK_TIMEOUT_MS, dep.name));
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      }),
    );
  }
}
