import { gatewayConfigSchema, loadGatewayConfig, type GatewayConfig } from '@microraiden/paywall';

export { gatewayConfigSchema, loadGatewayConfig, type GatewayConfig };

/** Injection token of the validated configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
