// `@microraiden/paywall/fastify`: the paywall as a Fastify plugin (peer dependency `fastify`, optional). Its own
// entry point so that the main one's declarations never name Fastify's types.
export * from './paywall-plugin';
