// Local Apache Kafka 4.x: one combined broker+controller (KRaft) on loopback, jars from Maven Central.
// Files: scripts/services/kafka/ (POM, server.properties template, log4j2 config, wire probe).
// State:  <ctx.dir>/libs (broker jars), tools-libs (perf tools), m2-repo, data, server.properties,
//         kafka.log, kafka.pid.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { ProbeResult, ServiceContext, ServiceModule } from './types.ts';
import { ensureDir, envPort, hostPort, isAlive, killAndWait, readPid, removeFile, spawnDetached, tail, waitFor } from './util.ts';
import {
  brokerLibs, classpath, ensureJavaAndMaven, findJava, KAFKA_FILES, kafkaToolsVersion, kafkaVersion, resolveJars, toolsLibs,
} from './kafka/jvm.ts';
import { describeBroker } from './kafka/wire.ts';

function ports(): { port: number; controllerPort: number } {
  return {
    port: envPort('CLUTCH_KAFKA_PORT', 59092),
    controllerPort: envPort('CLUTCH_KAFKA_CONTROLLER_PORT', 59093),
  };
}

function paths(ctx: ServiceContext) {
  return {
    pidFile: join(ctx.dir, 'kafka.pid'),
    logFile: join(ctx.dir, 'kafka.log'),
    props: join(ctx.dir, 'server.properties'),
    data: join(ctx.dir, 'data'),
  };
}

/** "h1:p1,h2:p2" (optionally with a scheme per entry) as host/port pairs. */
export function parseBrokers(list: string): Array<{ host: string; port: number }> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => hostPort(s.includes('://') ? s : `kafka://${s}`, 9092));
}

async function probe(url: string, timeoutMs: number): Promise<ProbeResult> {
  const errors: string[] = [];
  try {
    for (const { host, port } of parseBrokers(url)) {
      try {
        const info = await describeBroker(host, port, timeoutMs);
        const level = info.metadataVersionLevel ?? '?';
        return { up: true, version: `Kafka (metadata.version level ${level}, cluster ${info.clusterId ?? '?'})` };
      } catch (err) {
        errors.push(`${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
  }
  return { up: false, error: errors.join('; ') || `no broker in "${url}"` };
}

/** PID from the pid file, only if that process is still our broker (pids get reused after reboots). */
async function pid(ctx: ServiceContext): Promise<number | undefined> {
  const p = readPid(paths(ctx).pidFile);
  if (p === undefined) return undefined;
  const cmdline = `/proc/${p}/cmdline`;
  if (!existsSync(cmdline)) return p; // no procfs (macOS): trust the live pid
  const args = readFileSync(cmdline, 'utf8');
  return args.includes('kafka.Kafka') && args.includes(paths(ctx).props) ? p : undefined;
}

async function install(ctx: ServiceContext): Promise<void> {
  ensureDir(ctx.dir);
  ensureJavaAndMaven(ctx);
  resolveJars(ctx, 'broker', brokerLibs(ctx), [`-Dkafka.version=${kafkaVersion()}`]);
  resolveJars(ctx, 'tools', toolsLibs(ctx), [`-Dkafka.tools.version=${kafkaToolsVersion()}`]);
}

function writeConfig(ctx: ServiceContext): void {
  const { port, controllerPort } = ports();
  const template = readFileSync(join(KAFKA_FILES, 'server.properties.template'), 'utf8');
  const text = template
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{CONTROLLER_PORT}}', String(controllerPort))
    .replaceAll('{{LOG_DIRS}}', paths(ctx).data);
  writeFileSync(paths(ctx).props, text);
}

/** Kafka's Uuid.randomUuid(): 16 random bytes, base64url without padding, never starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const LOG4J = () => `-Dlog4j2.configurationFile=${join(KAFKA_FILES, 'log4j2.properties')}`;

/** Formats the log dir once. A dir without meta.properties holds nothing usable (e.g. a crash mid-format). */
function formatOnce(ctx: ServiceContext, java: string): void {
  const { data, props, logFile } = paths(ctx);
  if (existsSync(join(data, 'meta.properties'))) return;
  rmSync(data, { recursive: true, force: true });
  ctx.log('kafka: formatting storage (first start)');
  // Static quorum (controller.quorum.voters): no --standalone, which 4.1+ rejects in that mode.
  const args = ['-Xmx256m', LOG4J(), '-cp', classpath(brokerLibs(ctx)), 'kafka.tools.StorageTool',
    'format', '-t', clusterId(), '-c', props];
  const r = spawnSync(java, args, { encoding: 'utf8' });
  appendFileSync(logFile, `${r.stdout}${r.stderr}`);
  if (r.status !== 0) throw new Error(`kafka StorageTool format failed (exit ${r.status})\n${tail(logFile)}`);
}

function jvmArgs(ctx: ServiceContext): string[] {
  const heap = process.env.CLUTCH_KAFKA_HEAP || '768m';
  return [
    '-Xms256m', `-Xmx${heap}`,
    // kafka-run-class.sh defaults, minus GC logging; exit (not limp on) when out of memory.
    '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent', '-XX:MaxInlineLevel=15', '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true', LOG4J(), `-Dkafka.logs.dir=${ctx.dir}`,
    '-cp', classpath(brokerLibs(ctx)), 'kafka.Kafka', paths(ctx).props,
  ];
}

/** Keeps kafka.log bounded across restarts: the JVM appends to it through its stdout. */
function rotateLog(logFile: string): void {
  if (existsSync(logFile) && statSync(logFile).size > 20 * 1024 * 1024) renameSync(logFile, `${logFile}.1`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      s.destroy();
      resolve(open);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Fails fast (instead of after the readiness timeout) when another process holds our ports. */
async function assertPortsFree(ctx: ServiceContext): Promise<void> {
  for (const p of Object.values(ports())) {
    if (await portOpen(p)) {
      throw new Error(
        `127.0.0.1:${p} is in use by a process not started from ${ctx.dir}. Stop it, or choose other ports ` +
          'with CLUTCH_KAFKA_PORT / CLUTCH_KAFKA_CONTROLLER_PORT, or point KAFKA_BROKERS at a broker you run.',
      );
    }
  }
}

function startTimeoutMs(ctx: ServiceContext): number {
  const fromEnv = Number(process.env.CLUTCH_KAFKA_START_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : ctx.ci ? 180_000 : 90_000;
}

/** Waits for a Metadata answer listing the broker; gives up early if the JVM dies. */
async function waitReady(ctx: ServiceContext, brokerPid: number): Promise<void> {
  const { logFile } = paths(ctx);
  const outcome = await waitFor(
    `Kafka on ${managedUrl()}`,
    async () => {
      if (!isAlive(brokerPid)) return 'exited' as const;
      const r = await probe(managedUrl(), 2000);
      if (!r.up) throw new Error(r.error);
      return 'up' as const;
    },
    { timeoutMs: startTimeoutMs(ctx), intervalMs: 250, onTimeout: () => tail(logFile) },
  );
  if (outcome === 'exited') throw new Error(`Kafka exited during startup\n${tail(logFile, 40)}`);
}

async function start(ctx: ServiceContext): Promise<void> {
  ensureDir(ctx.dir);
  const running = await pid(ctx);
  if (running !== undefined) return waitReady(ctx, running); // up already, or still starting
  if (!existsSync(join(brokerLibs(ctx), '.resolved'))) await install(ctx);
  const java = findJava();
  if (!java) throw new Error('no Java 17+ found: run the kafka install step');
  await assertPortsFree(ctx);
  const { logFile, pidFile } = paths(ctx);
  writeConfig(ctx);
  formatOnce(ctx, java);
  rotateLog(logFile);
  ctx.log(`kafka: starting broker on ${managedUrl()}`);
  const started = spawnDetached(java, jvmArgs(ctx), { logFile, pidFile, cwd: ctx.dir });
  try {
    await waitReady(ctx, started);
  } catch (err) {
    await killAndWait(started, 10_000); // never leave a half-started broker holding the ports
    removeFile(pidFile);
    throw err;
  }
}

async function stop(ctx: ServiceContext): Promise<void> {
  const running = await pid(ctx);
  if (running !== undefined) {
    ctx.log(`kafka: stopping broker (pid ${running})`);
    await killAndWait(running, 60_000); // SIGTERM = controlled shutdown; a single node needs a few seconds
  }
  removeFile(paths(ctx).pidFile);
}

function managedUrl(): string {
  return `127.0.0.1:${ports().port}`;
}

export const kafka: ServiceModule = {
  name: 'kafka',
  envVar: 'KAFKA_BROKERS',
  managedUrl,
  install,
  start,
  stop,
  probe,
  pid,
};
