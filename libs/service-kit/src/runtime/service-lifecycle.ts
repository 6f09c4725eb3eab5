import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
  type InjectionToken,
  type Provider,
} from '@nestjs/common';
import { SERVICE_RUNTIME, type ServiceRuntime } from './service-runtime';

/**
 * The one Nest provider that runs a service's runtime: `start` on module init (before the app listens), then on
 * shutdown the stop signal aborts (every kit loop and sleep returns at once) and `stop` closes what is open.
 */
@Injectable()
export class ServiceLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly stopping = new AbortController();

  constructor(@Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.start(this.stopping.signal);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.runtime.stop();
  }
}

/** The providers that run `runtime` (a provider token of the service's module) through {@link ServiceLifecycle}. */
export function serviceRuntimeProviders(runtime: InjectionToken): Provider[] {
  return [{ provide: SERVICE_RUNTIME, useExisting: runtime }, ServiceLifecycle];
}
