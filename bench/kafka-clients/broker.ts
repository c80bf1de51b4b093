// Where the benchmark's broker comes from: KAFKA_BROKERS when set (used as is, never started or
// stopped), else the managed local broker of scripts/services/kafka.ts. The Java perf tools are always
// taken from the managed install (jars under <dir>/tools-libs).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { kafka, parseBrokers } from '../../scripts/services/kafka.ts';
import { findJava, javaVersion, kafkaToolsVersion, kafkaVersion, toolsLibs } from '../../scripts/services/kafka/jvm.ts';
import type { ServiceContext } from '../../scripts/services/types.ts';
import { javaTools, type JavaTools } from './java.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface Broker {
  brokers: string[];
  external: boolean;
  /** True when this run started the managed broker (and so stops it at the end). */
  startedHere: boolean;
  serverVersion: string | undefined;
  tools: JavaTools;
  ctx: ServiceContext;
}

export async function ensureBroker(): Promise<Broker> {
  const ctx: ServiceContext = {
    repoRoot,
    dir: process.env.CLUTCH_KAFKA_DIR || join(repoRoot, '.services', 'kafka'),
    ci: process.env.CI === 'true',
    log: (m) => console.error(m),
  };
  await kafka.install(ctx);
  const java = findJava();
  if (!java) throw new Error('no Java 17+ after install');
  const tools = javaTools(java, toolsLibs(ctx), repoRoot);
  const fromEnv = process.env[kafka.envVar];
  const url = fromEnv || kafka.managedUrl();
  let startedHere = false;
  if (!fromEnv) {
    startedHere = (await kafka.pid(ctx)) === undefined;
    await kafka.start(ctx);
  }
  const probe = await kafka.probe(url, 5000);
  if (!probe.up) throw new Error(`Kafka at ${url} is not up: ${probe.error}`);
  const brokers = parseBrokers(url).map(({ host, port }) => `${host}:${port}`);
  return { brokers, external: Boolean(fromEnv), startedHere, serverVersion: probe.version, tools, ctx };
}

export function machine(b: Broker) {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    java: javaVersion(),
    kafka: {
      broker: b.external ? `external (${b.serverVersion ?? '?'})` : `${kafkaVersion()} (${b.serverVersion ?? '?'})`,
      javaTools: kafkaToolsVersion(),
      brokerHeap: b.external ? undefined : process.env.CLUTCH_KAFKA_HEAP || '768m',
    },
    clients: { kafkajs: versionOf('kafkajs'), '@platformatic/kafka': versionOf('@platformatic/kafka') },
  };
}

/** Installed version of a package (its package.json may not be exported, so walk up from its entry). */
function versionOf(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === name) return json.version ?? '?';
    }
    dir = dirname(dir);
  }
  return '?';
}
