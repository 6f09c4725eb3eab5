import 'reflect-metadata';
import { bootstrapService } from '@microraiden/service-kit';
import { AppModule } from './app.module';
import { loadChainWatcherConfig } from './chain-watcher-config';

async function main(): Promise<void> {
  const config = loadChainWatcherConfig();
  await bootstrapService(AppModule.register(config), {
    name: 'chain-watcher',
    port: config.PORT,
    host: config.HOST,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'chain-watcher', msg: String(err) })}\n`);
  process.exit(1);
});
