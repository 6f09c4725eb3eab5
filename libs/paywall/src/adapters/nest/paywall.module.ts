import {
  applyDecorators,
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { paywallPartsOf, type PaywallSource } from '../../core/close-endpoint';
import { PAYWALL_CLOSE_ENDPOINT, PaywallCloseMiddleware } from './paywall-close.middleware';
import { PaywallCorsMiddleware } from './paywall-cors.middleware';
import { PaywallResponseFilter } from './paywall-response.filter';
import { PaywallStreamBodyMiddleware } from './paywall-stream-body.middleware';
import { PaywallStreamGuard } from './paywall-stream.guard';
import { PAYWALL, PAYWALL_OPTIONS, PaywallInterceptor, type PaywallNestOptions } from './paywall.interceptor';

/** Options of {@link PaywallModule.forRoot}. */
export interface PaywallModuleOptions extends PaywallNestOptions {
  /** A Paywall, or a PaywallRuntime (`startPaywall`): then the module also answers the close endpoint. */
  readonly paywall: PaywallSource;
}

/**
 * Charges for the routes of controllers (or handlers) marked `@Paid()`: the interceptor, the filter sending the
 * paywall's own answers, and the CORS preflight middleware. Routes without `@Paid()` are not touched.
 */
export const Paid = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(PaywallStreamGuard),
    UseInterceptors(PaywallInterceptor),
    UseFilters(PaywallResponseFilter),
  );

/**
 * `PaywallModule.forRoot({ paywall })` once in the application's root module: provides the Paywall (token
 * {@link PAYWALL}) to {@link PaywallInterceptor} everywhere (global module) and answers CORS preflights for the
 * payment headers before routing; given a PaywallRuntime, also the close endpoint ({@link PaywallCloseMiddleware}). Works on `@nestjs/platform-express` and `@nestjs/platform-fastify`.
 */
@Module({})
export class PaywallModule implements NestModule {
  constructor(
    @Inject(PAYWALL_OPTIONS) private readonly options: PaywallNestOptions,
    @Inject(PAYWALL_CLOSE_ENDPOINT) private readonly closeEndpoint: unknown,
  ) {}

  static forRoot(options: PaywallModuleOptions): DynamicModule {
    const { paywall: source, ...nest } = options;
    const { paywall, closeEndpoint } = paywallPartsOf(source);
    return {
      module: PaywallModule,
      global: true,
      providers: [
        { provide: PAYWALL, useValue: paywall },
        { provide: PAYWALL_OPTIONS, useValue: nest },
        // null without a runtime: a bare Paywall has no key to sign closing proofs with.
        { provide: PAYWALL_CLOSE_ENDPOINT, useValue: closeEndpoint ?? null },
        PaywallInterceptor,
        PaywallStreamGuard,
        PaywallResponseFilter,
      ],
      exports: [PAYWALL, PAYWALL_OPTIONS, PaywallInterceptor, PaywallStreamGuard, PaywallResponseFilter],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.options.cors !== false) consumer.apply(PaywallCorsMiddleware).forRoutes('*');
    if (this.closeEndpoint !== null) consumer.apply(PaywallCloseMiddleware).forRoutes('*');
    consumer.apply(PaywallStreamBodyMiddleware).forRoutes('*');
  }
}
