// Charging for an app's own Nest routes with the gateway core (instead of running the reverse proxy):
// @UseInterceptors(PaywallInterceptor) @UseFilters(PaywallResponseFilter), with the Paywall provided as PAYWALL.
export * from './paywall.interceptor';
export * from './paywall-response.exception';
export * from './paywall-response.filter';
