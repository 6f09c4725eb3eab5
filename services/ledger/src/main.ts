import 'reflect-metadata';
import { bootstrapService } from '@microraiden/service-kit';
import { AppModule } from './app.module';
import { loadLedgerConfig } from './ledger-config';

async function main(): Promise<void> {
  const config = loadLedgerConfig();
  await bootstrapService(AppModule.register(config), {
    name: 'ledger',
    port: config.PORT,
    host: config.HOST,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'ledger', msg: String(err) })}\n`);
  process.exit(1);
});
