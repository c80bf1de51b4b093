// Java and Maven plumbing for the Kafka module: finding a Java 17+, resolving jars from Maven Central
// into a folder once per version, building classpaths. Everything Maven writes stays under ctx.dir.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceContext } from '../types.ts';
import { aptInstall, ensureDir, which } from '../util.ts';

export const KAFKA_FILES = import.meta.dirname;
const POM = join(KAFKA_FILES, 'pom.xml');

/** Major version of a java binary (17, 21…), undefined if it does not run. */
function javaMajor(bin: string): number | undefined {
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) return undefined;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major; // "1.8.0" style
}

let cachedJava: string | undefined;

/** A java 17+ binary: $JAVA_HOME, PATH, then any JDK/JRE under /usr/lib/jvm. */
export function findJava(): string | undefined {
  if (cachedJava) return cachedJava;
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  const onPath = which('java');
  if (onPath) candidates.push(onPath);
  if (existsSync('/usr/lib/jvm')) {
    for (const d of readdirSync('/usr/lib/jvm').sort().reverse()) candidates.push(join('/usr/lib/jvm', d, 'bin', 'java'));
  }
  cachedJava = candidates.find((c) => existsSync(c) && (javaMajor(c) ?? 0) >= 17);
  return cachedJava;
}

export function javaVersion(): string | undefined {
  const bin = findJava();
  if (!bin) return undefined;
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  return (r.stderr ?? '').split('\n')[0]?.trim();
}

export function ensureJavaAndMaven(ctx: ServiceContext): string {
  if (!findJava() || !which('mvn')) aptInstall(['openjdk-17-jre-headless', 'maven'], ctx.log);
  cachedJava = undefined;
  const java = findJava();
  if (!java) throw new Error('no Java 17+ found after installing openjdk-17-jre-headless');
  return java;
}

function pomProperty(name: string): string {
  const m = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(readFileSync(POM, 'utf8'));
  if (!m?.[1]) throw new Error(`${POM} has no <${name}>`);
  return m[1].trim();
}

/** Broker version: CLUTCH_KAFKA_VERSION, else the POM's pinned kafka.version. */
export function kafkaVersion(): string {
  return process.env.CLUTCH_KAFKA_VERSION || pomProperty('kafka.version');
}

export function kafkaToolsVersion(): string {
  return process.env.CLUTCH_KAFKA_TOOLS_VERSION || pomProperty('kafka.tools.version');
}

const MARKER = '.resolved';

/**
 * Copies the runtime jars of a POM profile into `folder`, unless the marker says this exact
 * version is already there. Resolves into a temp folder first so a failed download never leaves
 * a half-filled folder that looks complete.
 */
export function resolveJars(ctx: ServiceContext, profile: 'broker' | 'tools', folder: string, versionArgs: string[]): void {
  const want = `${profile} ${versionArgs.join(' ')}\n`;
  const marker = join(folder, MARKER);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  if (!which('mvn')) throw new Error('mvn not found (install maven)');
  const tmp = `${folder}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  ctx.log(`kafka: resolving ${profile} jars (${versionArgs.join(' ')}) from Maven Central`);
  const args = ['-q', '-B', '-Dstyle.color=never', '-f', POM, '-P', profile,
    `-Dmaven.repo.local=${join(ensureDir(ctx.dir), 'm2-repo')}`, ...versionArgs,
    'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`];
  const r = spawnSync('mvn', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`mvn could not resolve the ${profile} jars (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  }
  writeFileSync(join(tmp, MARKER), want);
  rmSync(folder, { recursive: true, force: true });
  renameSync(tmp, folder);
}

export function brokerLibs(ctx: ServiceContext): string {
  return join(ctx.dir, 'libs');
}

export function toolsLibs(ctx: ServiceContext): string {
  return join(ctx.dir, 'tools-libs');
}

/** Classpath with a JVM-expanded wildcard (quoted from the shell by passing it as one argv entry). */
export function classpath(folder: string): string {
  return join(folder, '*');
}
