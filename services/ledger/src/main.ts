import 'reflect-metadata';
import { Logger } from '@nestjs/common';
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
  if (config.OPERATOR_TOKEN === undefined)
    new Logger('Ledger').warn(
      'OPERATOR_TOKEN is not set: the query API and the operator page answer 503 OPERATOR_TOKEN_UNSET',
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'ledger', msg: String(err) })}\n`);
  process.exit(1);
});
