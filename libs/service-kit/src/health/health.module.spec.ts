import { Global, Injectable, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerModule } from 'nestjs-pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapService } from '../bootstrap-service';
import { loggerOptions } from '../logging/logger-options';
import type { ServiceRuntime } from '../runtime/service-runtime';
import { NotReadyError, type DependencyCheck } from './dependency-check';
import { HealthModule } from './health.module';

@Injectable()
class FakeRuntime implements ServiceRuntime {
  async start() {}
  async stop() {}
  readiness(): DependencyCheck[] {
    return [
      { name: 'database', check: async () => ({ latencyMs: 1 }) },
      {
        name: 'startup',
        check: () => Promise.reject(new NotReadyError('still joining')),
      },
    ];
  }
}

@Global()
@Module({ providers: [FakeRuntime], exports: [FakeRuntime] })
class FakeRuntimeModule {}

@Module({
  imports: [
    LoggerModule.forRoot(loggerOptions('test', 'silent')),
    FakeRuntimeModule,
    HealthModule.forRuntime(FakeRuntime),
  ],
})
class AppModule {}

let app: NestFastifyApplication;
beforeAll(async () => {
  app = await bootstrapService(AppModule, { name: 'test', port: 0, listen: false });
  await app.init();
});
afterAll(() => app?.close());

describe('HealthModule.forRuntime', () => {
  it('answers readiness over the checks the runtime names', async () => {
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().details).toEqual({
      database: { latencyMs: 1, status: 'up' },
      startup: { message: 'still joining', status: 'down' },
    });
  });
});
