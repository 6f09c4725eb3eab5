// `@microraiden/paywall/nest`: charging for a Nest app's own routes with the paywall core (instead of running the
// reverse proxy). `PaywallModule.forRoot({ paywall })` in the root module, `@Paid()` on the paid controllers or
// handlers; or, by hand, `@UseInterceptors(PaywallInterceptor) @UseFilters(PaywallResponseFilter)` with the
// Paywall provided as PAYWALL. Peer dependencies `@nestjs/common`, `@nestjs/core`, `rxjs` (optional): its own
// entry point, so the main one never loads Nest.
export * from './paywall.interceptor';
export * from './paywall.module';
export * from './paywall-close.middleware';
export * from './paywall-cors.middleware';
export * from './paywall-response.exception';
export * from './paywall-response.filter';
export * from './paywall-stream-body.middleware';
export * from './paywall-stream.guard';
