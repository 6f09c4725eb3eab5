// `npm run stack`: the whole local stack in one command. Infrastructure (deploy/local/up.sh), contracts on
// anvil, a funded demo sender, the demo upstream, two gateway replicas behind an HAProxy front with readiness
// checks (front-spec.ts), the ledger, the chain-watcher and the streamed completion demo (its own port, paywall
// embedded: completion-spec.ts), each logging to .run/logs/<name>.log. A service that dies is reported with its
// log's tail and restarted with backoff (service-supervisor.ts), or, with --exit-on-failure, stops the stack. Ctrl-C, SIGINT or SIGTERM stops everything.
// `npm run stack -- --check` starts it, pays for two requests end to end, stops it and exits 0 or 1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { STACK_ACCOUNTS } from './anvil-accounts';
import { formatTokenAmount } from '@microraiden/protocol';
import { COMPLETION_UNIT_PRICE, COMPLETION_UNITS_PER_STEP, completionSpec } from './completion-spec';
import { serviceSpecs } from './stack-services';
import { stackDatabaseUrl } from './stack-database';
import { deployOrReuse, ensureBlocksKeepComing, fundDemoSender, writeDemoSenderKey } from './local-chain';
import { findPrometheus, prometheusSpec } from './prometheus-spec';
import { frontSpec } from './front-spec';
import { DEFAULT_RESTART_POLICY } from './restart-policy';
import { portInUse, type ServiceSpec } from './service-process';
import { ServiceSupervisor } from './service-supervisor';
import { runSmokeCheck } from './smoke-check';
import { DEMO_LINKS } from '../../examples/demo-links';
import { claimStack, releaseStack, runningStackPid } from './stack-claim';
import { StackError } from './stack-error';
import { parseStackOptions, STACK_USAGE, type StackOptions } from './stack-options';

const repo = path.resolve(__dirname, '../..');
const runDir = path.join(repo, '.run');
const logDir = path.join(runDir, 'logs');
const deploymentFile = path.join(runDir, 'deployment.json');
const senderKeyFile = path.join(runDir, 'demo-sender.key');
const pidsFile = path.join(runDir, 'stack.pids');
const stackPidFile = path.join(runDir, 'stack.pid');
const prometheusDir = path.join(runDir, 'prometheus');
const haproxyConfigFile = path.join(runDir, 'haproxy.cfg');
const STOP_GRACE_MS = 10_000;
/** The stack's token (MicroToken, deployed by local-chain.ts). */
const MTK = { symbol: 'MTK', decimals: 18 };

const log = (line: string) => process.stdout.write(`[stack] ${line}\n`);

function runScript(script: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(repo, script)], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

// A stack killed with SIGKILL cannot stop its children; the next start does, so their ports are free again.
function stopLeftovers(): void {
  if (!existsSync(pidsFile)) return;
  const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const ours =
      (cmdline.includes('@swc-node/register') &&
        (cmdline.includes('services/') ||
          cmdline.includes('deploy/stack/') ||
          cmdline.includes('examples/demo-upstream') ||
          cmdline.includes('examples/completion/'))) ||
      cmdline.includes(`--storage.tsdb.path=${prometheusDir}`) ||
      cmdline.includes(haproxyConfigFile);
    if (ours) {
      log(`stopping process group ${pid} left by an earlier stack run`);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  rmSync(pidsFile, { force: true });
}

const PORT_VARIABLES: Record<string, string> = {
  'demo-upstream': 'UPSTREAM_PORT',
  completion: 'COMPLETION_PORT',
  'gateway-1': 'GATEWAY_PORTS',
  'gateway-2': 'GATEWAY_PORTS',
  ledger: 'LEDGER_PORT',
  'chain-watcher': 'CHAIN_WATCHER_PORT',
  front: 'FRONT_PORT',
  prometheus: 'PROMETHEUS_PORT',
};

// Checked before anything starts, so a taken port fails in a second, not after the infrastructure is up.
async function portsInUse(ports: StackOptions['ports']): Promise<string[]> {
  const wanted: Array<[number, string]> = [
    [ports.front, 'FRONT_PORT'],
    [ports.upstream, 'UPSTREAM_PORT'],
    [ports.completion, 'COMPLETION_PORT'],
    [ports.gateways[0], 'GATEWAY_PORTS'],
    [ports.gateways[1], 'GATEWAY_PORTS'],
    [ports.ledger, 'LEDGER_PORT'],
    [ports.chainWatcher, 'CHAIN_WATCHER_PORT'],
    [ports.prometheus, 'PROMETHEUS_PORT'],
  ];
  const taken: string[] = [];
  for (const [port, variable] of wanted) if (await portInUse(port)) taken.push(`${port} (${variable})`);
  return taken;
}

/** Prometheus scraping every service of the stack, when Debian's package is installed. */
async function startPrometheus(
  options: StackOptions,
  track: (spec: ServiceSpec) => Promise<ServiceSupervisor>,
  announceReady: (child: ServiceSupervisor) => Promise<void>,
): Promise<ServiceSupervisor | undefined> {
  const binary = findPrometheus();
  if (binary === undefined) {
    log('  prometheus is not installed (apt-get install prometheus): running without it');
    return undefined;
  }
  const { ports } = options;
  const local = (port: number) => `127.0.0.1:${port}`;
  const prometheus = await track(
    prometheusSpec({
      binary,
      monitoringDir: path.join(repo, 'deploy/monitoring'),
      runDir: prometheusDir,
      port: ports.prometheus,
      targets: {
        gateway: ports.gateways.map(local),
        ledger: [local(ports.ledger)],
        'chain-watcher': [local(ports.chainWatcher)],
        prometheus: [local(ports.prometheus)],
      },
    }),
  );
  await announceReady(prometheus);
  return prometheus;
}

async function main(): Promise<number> {
  const options = parseStackOptions(process.argv.slice(2), process.env);
  const { ports } = options;
  const children: ServiceSupervisor[] = [];
  let restoreMining: (() => Promise<void>) | undefined;
  let provider: JsonRpcProvider | undefined;
  let stopping: Promise<void> | undefined;
  let infraStarted = false;
  let stopRequested: (() => void) | undefined;
  /** Why the stack stops on its own (--exit-on-failure): it then exits 1. */
  let fatal: string | undefined;
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));

  const stopAll = () =>
    (stopping ??= (async () => {
      if (children.length > 0)
        log(`stopping ${children.length} services (SIGTERM, SIGKILL after ${STOP_GRACE_MS / 1000} s) ...`);
      // One at a time, newest first: two gateway replicas leaving their consumer group at once can each wait
      // out the other's rebalance past the grace period; one by one each leaves within a second or two.
      const outcomes: string[] = [];
      for (const child of [...children].reverse()) {
        const started = Date.now();
        const outcome = await child.stop(STOP_GRACE_MS);
        outcomes.push(`${child.spec.name} ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
      if (outcomes.length > 0) log(outcomes.join(', '));
      rmSync(pidsFile, { force: true });
      releaseStack(stackPidFile);
      await restoreMining?.().catch(() => undefined);
      provider?.destroy();
      if (!infraStarted) return;
      if (options.keepInfra) {
        log('--keep-infra: Kafka, anvil and Postgres keep running (npm run infra:down stops them)');
      } else {
        log('stopping the infrastructure (deploy/local/down.sh) ...');
        await runScript('deploy/local/down.sh', {});
      }
    })());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: shutting down`);
      stopRequested?.();
    });
  }
  const interruptible = async <T>(work: Promise<T>): Promise<T> => {
    const outcome = await Promise.race([work, stopSignal.then(() => 'interrupted' as const)]);
    if (outcome === 'interrupted') throw new StackError('STACK_USAGE', 'interrupted during start-up');
    return outcome as T;
  };

  const other = runningStackPid(stackPidFile);
  if (other !== undefined) {
    log(
      `FAILED: another stack (pid ${other}) is running from this checkout; stop it first ` +
        `(Ctrl-C in its terminal, or kill ${other}), or run this one from another checkout`,
    );
    return 1;
  }
  claimStack(stackPidFile);
  try {
    stopLeftovers();
    const taken = await portsInUse(ports);
    if (taken.length > 0) {
      throw new StackError(
        'STACK_PORT_IN_USE',
        `already in use: ${taken.join(', ')}; stop whatever holds them or move the stack with those variables`,
      );
    }
    log('1/5 infrastructure: Postgres, anvil, Kafka (deploy/local/up.sh)');
    const infraEnv = { KAFKA_PORT: String(ports.kafka), ANVIL_PORT: String(ports.anvil) };
    infraStarted = true;
    const upCode = await runScript('deploy/local/up.sh', infraEnv);
    if (upCode !== 0) {
      throw new StackError(
        'STACK_INFRA_FAILED',
        `deploy/local/up.sh failed (exit ${upCode}); see its output above`,
      );
    }

    log('2/5 contracts');
    const rpcUrl = `http://127.0.0.1:${ports.anvil}`;
    provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    provider.pollingInterval = 250;
    const deployment = await interruptible(deployOrReuse(provider, deploymentFile, log));

    const databaseUrl = await interruptible(
      stackDatabaseUrl(options.databaseUrl, `127.0.0.1:${ports.kafka}`, provider, deployment),
    );
    log(`  services' database: ${databaseUrl}`);

    log('3/5 demo sender');
    const sender = await interruptible(fundDemoSender(provider, deployment, log));
    await writeDemoSenderKey(senderKeyFile);
    restoreMining = await ensureBlocksKeepComing(provider, log);

    log('4/5 services (logs in .run/logs/)');
    mkdirSync(logDir, { recursive: true });
    const operatorToken = randomBytes(16).toString('hex');
    const writePids = () => writeFileSync(pidsFile, JSON.stringify(children.map((c) => c.pid)));
    const policy = { ...DEFAULT_RESTART_POLICY, exitOnFailure: options.exitOnFailure };
    const track = async (spec: ServiceSpec) => {
      const child = await ServiceSupervisor.start(spec, {
        repo,
        logDir,
        portVariable: PORT_VARIABLES[spec.name] ?? 'its port',
        policy,
        events: {
          log,
          // A restarted service has a new pid: a later start must find it to stop it.
          started: writePids,
          fatal: (reason) => {
            fatal ??= reason;
            log(`FAILED: ${reason}: stopping the stack`);
            stopRequested?.();
          },
        },
      });
      children.push(child);
      writePids();
      return child;
    };
    const announceReady = async (child: ServiceSupervisor) => {
      const ms = await interruptible(child.waitReady(options.readyTimeoutMs));
      log(`  ${child.spec.name} ready on ${child.url} (${(ms / 1000).toFixed(1)} s)`);
    };
    const upstream = await track({
      name: 'demo-upstream',
      entry: 'examples/demo-upstream.ts',
      port: ports.upstream,
      readyPath: '/',
      env: { PORT: String(ports.upstream) },
    });
    await announceReady(upstream);
    const services: ServiceSupervisor[] = [];
    for (const spec of serviceSpecs({ ports, databaseUrl, operatorToken, deploymentFile }))
      services.push(await track(spec));
    await Promise.all(services.map(announceReady));
    // After the gateways: they migrated the database it shares, and they project its channels and relay its outbox.
    const completion = await track(completionSpec({ port: ports.completion, databaseUrl, deploymentFile }));
    await announceReady(completion);
    const frontChoice = frontSpec({
      port: ports.front,
      gatewayPorts: ports.gateways,
      configFile: haproxyConfigFile,
    });
    if (frontChoice.warning) log(`  WARNING: ${frontChoice.warning}`);
    const front = await track(frontChoice.spec);
    await announceReady(front);
    const prometheus = await startPrometheus(options, track, announceReady);

    const [gateway1, gateway2, ledger, watcher] = services as [
      ServiceSupervisor,
      ServiceSupervisor,
      ServiceSupervisor,
      ServiceSupervisor,
    ];
    log('5/5 ready\n');
    const lines = [
      frontChoice.kind === 'haproxy'
        ? `  front (haproxy)      ${front.url}            GET /  (free), /api/fortune, /api/echo?q=1 (paid)`
        : `  front (round robin)  ${front.url}            no health checks: apt-get install haproxy`,
      frontChoice.kind === 'haproxy'
        ? `                       readiness-checked replicas, config ${path.relative(repo, haproxyConfigFile)}`
        : `                       GET /  (free), /api/fortune, /api/echo?q=1 (paid)`,
      `  demos (paid through the front; prices in deploy/stack/routes.json, examples/README.md):`,
      ...DEMO_LINKS.map((link) => `    ${`${front.url}${link.path}`.padEnd(44)} ${link.what}`),
      `  streamed completion  ${front.url}/api/complete   ${formatTokenAmount(COMPLETION_UNIT_PRICE, MTK)} per token, ` +
        `top-ups every ${COMPLETION_UNITS_PER_STEP} tokens, metered by the gateways`,
      `                       try it: npm run completion -- ${front.url}/api/complete --budget 0.001MTK --rpc ${rpcUrl}`,
      `                       the same with the paywall embedded in the app: ${completion.url}/v1/complete`,
      `  gateway replicas     ${gateway1.url}, ${gateway2.url}   (/docs, /metrics, /health/ready, management /api/1)`,
      `  ledger               ${ledger.url}/api/1/channels   docs ${ledger.url}/docs   metrics ${ledger.url}/metrics`,
      `  operator page        ${ledger.url}/operator   (channels, revenue, funds at risk, projection lag)`,
      `  chain-watcher        ${watcher.url}/health/ready   docs ${watcher.url}/docs   metrics ${watcher.url}/metrics`,
      `  demo upstream        ${upstream.url}`,
      prometheus
        ? `  prometheus           ${prometheus.url}   (scrapes every service; alerts ${prometheus.url}/alerts; deploy/monitoring/)`
        : `  prometheus           not installed (apt-get install prometheus): the stack runs without it`,
      `  anvil ${rpcUrl}   Kafka 127.0.0.1:${ports.kafka}   Postgres ${databaseUrl}`,
      `  deployment           ${path.relative(repo, deploymentFile)} (manager ${deployment.channelManager}, token ${deployment.token})`,
      `  operator token       ${operatorToken}   (curl -H 'Authorization: Bearer ${operatorToken}' ${gateway1.url}/api/1/stats)`,
      `                       also for the ledger's API and operator page (a browser asks: any user name, the token as password)`,
      `  receiver             anvil account ${STACK_ACCOUNTS.receiver}`,
      `  demo sender          ${sender} (anvil account ${STACK_ACCOUNTS.demoSender}); key in ${path.relative(repo, senderKeyFile)}`,
      `  WARNING: the demo sender's and receiver's keys are anvil's PUBLIC test keys: never use them on a real chain.`,
      '',
      '  Pay for a request with the CLI (opens a channel on first use):',
      `    npm run microraiden -- pay ${front.url}/api/fortune --max-price 0.001MTK --max-deposit 0.1MTK \\`,
      `      --rpc ${rpcUrl} --deployment ${path.relative(repo, deploymentFile)} --keystore ${path.relative(repo, senderKeyFile)} --state-dir .run/demo-sender-state`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    if (options.check) {
      log('--check: paying through the front');
      try {
        await interruptible(
          runSmokeCheck(
            { frontUrl: front.url, ledgerUrl: ledger.url, operatorToken, deployment, provider },
            log,
          ),
        );
        log('CHECK PASSED');
        return 0;
      } catch (err) {
        log(`CHECK FAILED: ${(err as Error).message}`);
        return 1;
      }
    }
    log(
      options.exitOnFailure
        ? 'running; Ctrl-C stops everything; a service that dies stops the stack (--exit-on-failure)'
        : 'running; Ctrl-C stops everything; a service that dies is restarted',
    );
    await stopSignal;
    return fatal === undefined ? 0 : 1;
  } catch (err) {
    const interrupted = err instanceof StackError && err.message === 'interrupted during start-up';
    if (!interrupted) log(`FAILED: ${(err as Error).message}`);
    return interrupted && fatal === undefined ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError && err.message === STACK_USAGE) {
      process.stdout.write(`${STACK_USAGE}\n`);
      process.exit(0);
    }
    process.stderr.write(`[stack] ${(err as Error).message}\n`);
    process.exit(1);
  },
);
