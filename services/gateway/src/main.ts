import 'reflect-metadata';
import { bootstrapService } from '@microraiden/service-kit';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './gateway-config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  await bootstrapService(AppModule.register(config), {
    name: 'gateway',
    port: config.PORT,
    host: config.HOST,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'gateway', msg: String(err) })}\n`);
  process.exit(1);
});
