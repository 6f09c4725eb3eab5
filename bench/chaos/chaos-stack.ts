import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { Client as Postgres } from 'pg';
import type { Deployment } from '@microraiden/contracts';
import { deployOrReuse, ensureBlocksKeepComing } from '../../deploy/stack/local-chain';
import { parseStackOptions, type StackOptions } from '../../deploy/stack/stack-options';
import { serviceSpecs } from '../../deploy/stack/stack-services';
import { PostgresCluster } from './postgres-cluster';
import { SupervisedService, type ProcessDeath } from './supervised-service';

/** Not the README's ports, nor another helper's: the chaos stack runs beside everything else. */
const CHAOS_PORT_DEFAULTS: Record<string, string> = {
  FRONT_PORT: '18665',
  UPSTREAM_PORT: '18666',
  GATEWAY_PORTS: '18667,18668',
  LEDGER_PORT: '18669',
  CHAIN_WATCHER_PORT: '18670',
  KAFKA_PORT: '19665',
  ANVIL_PORT: '8665',
};
const CHAOS_PG_PORT = Number(process.env.CHAOS_PG_PORT ?? 5499);
const DATABASE = 'microraiden_chaos_test';

export type ServiceName = 'gateway-1' | 'gateway-2' | 'ledger' | 'chain-watcher';

/**
 * The local stack of `npm run stack` (same service configuration: deploy/stack/stack-services.ts) on its own
 * ports, its own anvil, its own Kafka (data under .run/chaos) and its own Postgres cluster, every service under
 * a supervisor. Faults are methods: SIGKILL a service, stop Kafka, stop the Postgres server.
 */
export class ChaosStack {
  readonly runDir: string;
  readonly ports: StackOptions['ports'];
  readonly cluster = new PostgresCluster('15', 'chaos', CHAOS_PG_PORT);
  readonly databaseUrl = `postgres://postgres@127.0.0.1:${CHAOS_PG_PORT}/${DATABASE}`;
  readonly operatorToken = randomBytes(16).toString('hex');
  readonly services = new Map<ServiceName, SupervisedService>();
  private readonly others: SupervisedService[] = [];
  provider!: JsonRpcProvider;
  deployment!: Deployment;
  private restoreMining?: () => Promise<void>;

  constructor(
    private readonly repo: string,
    private readonly log: (line: string) => void,
  ) {
    this.runDir = path.join(repo, '.run/chaos');
    const env: NodeJS.ProcessEnv = { ...CHAOS_PORT_DEFAULTS };
    for (const name of Object.keys(CHAOS_PORT_DEFAULTS)) {
      const override = process.env[`CHAOS_${name}`];
      if (override) env[name] = override;
    }
    this.ports = parseStackOptions([], env).ports;
  }

  get kafkaBrokers(): string {
    return `127.0.0.1:${this.ports.kafka}`;
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.ports.anvil}`;
  }

  get frontUrl(): string {
    return `http://127.0.0.1:${this.ports.front}`;
  }

  service(name: ServiceName): SupervisedService {
    return this.services.get(name)!;
  }

  /** Every death the bench did not cause, so far. */
  deaths(): ProcessDeath[] {
    return [...this.services.values(), ...this.others].flatMap((service) => service.deaths);
  }

  async start(): Promise<void> {
    rmSync(this.runDir, { recursive: true, force: true });
    mkdirSync(path.join(this.runDir, 'logs'), { recursive: true });
    this.log(`postgres: own cluster ${this.cluster.version}/${this.cluster.name} on ${this.cluster.port}`);
    await this.cluster.create();
    await this.createDatabase();
    this.log(`anvil on ${this.ports.anvil}, kafka on ${this.ports.kafka} (data in .run/chaos)`);
    await this.script('deploy/local/anvil.sh', 'start');
    await this.kafka('start');
    this.provider = new JsonRpcProvider(this.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    this.provider.pollingInterval = 250;
    const deploymentFile = path.join(this.runDir, 'deployment.json');
    this.deployment = await deployOrReuse(this.provider, deploymentFile, this.log);
    this.restoreMining = await ensureBlocksKeepComing(this.provider, this.log);
    await this.startServices(deploymentFile);
  }

  private async startServices(deploymentFile: string): Promise<void> {
    const logDir = path.join(this.runDir, 'logs');
    const supervise = (spec: SupervisedService['spec']) =>
      new SupervisedService(spec, this.repo, logDir, this.log);
    const upstream = supervise({
      name: 'demo-upstream',
      entry: 'examples/demo-upstream.ts',
      port: this.ports.upstream,
      readyPath: '/',
      env: { PORT: String(this.ports.upstream) },
    });
    this.others.push(upstream);
    await upstream.start();
    const specs = serviceSpecs({
      ports: this.ports,
      databaseUrl: this.databaseUrl,
      operatorToken: this.operatorToken,
      deploymentFile,
    });
    for (const spec of specs) {
      // Each service names its sessions, so a scenario can cut exactly the gateways' backends.
      const url = new URL(spec.env.DATABASE_URL!);
      url.searchParams.set('application_name', `chaos-${spec.name}`);
      const service = supervise({ ...spec, env: { ...spec.env, DATABASE_URL: url.toString() } });
      this.services.set(spec.name as ServiceName, service);
    }
    this.log('starting gateway-1, gateway-2, ledger, chain-watcher ...');
    await Promise.all([...this.services.values()].map((service) => service.start()));
    const front = supervise({
      name: 'front',
      entry: 'deploy/stack/round-robin.ts',
      port: this.ports.front,
      readyPath: '/health/live',
      env: {
        PORT: String(this.ports.front),
        TARGETS: this.ports.gateways.map((p) => `http://127.0.0.1:${p}`).join(','),
      },
    });
    this.others.push(front);
    await front.start();
    this.log(`stack ready: front ${this.frontUrl}`);
  }

  private async createDatabase(): Promise<void> {
    const admin = new Postgres({ connectionString: this.cluster.serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end();
    }
  }

  /** deploy/local/kafka.sh on the chaos port, data under .run/chaos/kafka; the broker dies with this process. */
  kafka(command: 'start' | 'stop'): Promise<void> {
    return this.script('deploy/local/kafka.sh', command);
  }

  private script(script: string, command: string): Promise<void> {
    const env = {
      ...process.env,
      KAFKA_PORT: String(this.ports.kafka),
      KAFKA_RUN_DIR: path.join(this.runDir, 'kafka'),
      KAFKA_LIBS_DIR: process.env.KAFKA_LIBS_DIR ?? path.join(this.repo, '.cache/kafka/libs'),
      KAFKA_OWNER_PID: String(process.pid),
      KAFKA_STOP_TIMEOUT: '10',
      KAFKA_START_TIMEOUT: '120',
      ANVIL_PORT: String(this.ports.anvil),
      ANVIL_STATE_FILE: 'none',
      ANVIL_RUN_DIR: this.runDir,
    };
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [path.join(this.repo, script), command], {
        cwd: this.repo,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${script} ${command} failed (${code}):\n${output}`)),
      );
    });
  }

  /** Stops every service, Kafka, anvil and drops the Postgres cluster. */
  async stop(): Promise<void> {
    for (const service of [...this.others].reverse()) await service.stop().catch(() => undefined);
    for (const service of [...this.services.values()].reverse()) await service.stop().catch(() => undefined);
    await this.restoreMining?.().catch(() => undefined);
    this.provider?.destroy();
    await this.kafka('stop').catch((err: Error) => this.log(err.message));
    await this.script('deploy/local/anvil.sh', 'stop').catch((err: Error) => this.log(err.message));
    await this.cluster.drop().catch((err: Error) => this.log(err.message));
  }
}
