import { type DynamicModule, Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { MetricsController } from './metrics.controller';

/**
 * One prom-client Registry per application (not the global one) so several apps can run in one test
 * process; inject `Registry` to add service metrics.
 */
@Global()
@Module({})
export class MetricsModule {
  static register(service: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        {
          provide: Registry,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ service });
            collectDefaultMetrics({ register: registry, prefix: 'microraiden_' });
            return registry;
          },
        },
      ],
      exports: [Registry],
    };
  }
}
