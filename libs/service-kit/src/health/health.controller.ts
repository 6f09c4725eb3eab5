import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
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
  ready() {
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
