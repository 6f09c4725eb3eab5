import {
  type Abstract,
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { ServiceRuntime } from '../runtime/service-runtime';
import type { DependencyCheck } from './dependency-check';
import { DEPENDENCY_CHECKS, HealthController } from './health.controller';

/** `/health/live` and `/health/ready` over the given dependency checks. */
@Module({})
export class HealthModule implements OnApplicationShutdown {
  constructor(@Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[]) {}

  static register(checks: {
    inject?: unknown[];
    useFactory: (...deps: never[]) => DependencyCheck[];
  }): DynamicModule {
    return {
      module: HealthModule,
      imports: [
        // Terminus would log every failed probe with a stack trace; HealthController logs a failure once per change.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: DEPENDENCY_CHECKS,
          inject: (checks.inject ?? []) as never[],
          useFactory: checks.useFactory,
        },
      ],
    };
  }

  /**
   * Readiness over the checks the service's runtime names (`ServiceRuntime.readiness`): the runtime knows its
   * dependencies, app.module only mounts them. The runtime's provider must be visible here (a global module).
   */
  static forRuntime(runtime: Abstract<Required<Pick<ServiceRuntime, 'readiness'>>>): DynamicModule {
    return HealthModule.register({
      inject: [runtime],
      useFactory: (instance: Required<Pick<ServiceRuntime, 'readiness'>>) => instance.readiness(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.checks.map((c) => c.close?.()));
  }
}
