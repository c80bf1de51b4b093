// The local services the project runs for development and tests, in start-up order.
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafka } from './kafka.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { timescale } from './timescale.ts';
import { stripeMock } from './stripe-mock.ts';
import type { ServiceContext, ServiceModule, ServiceName } from './types.ts';

export const services: readonly ServiceModule[] = [postgres, redis, kafka, timescale, stripeMock];

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function byName(name: string): ServiceModule {
  const s = services.find((m) => m.name === name);
  if (!s) throw new Error(`unknown service "${name}"; known: ${services.map((m) => m.name).join(', ')}`);
  return s;
}

/** CLUTCH_<NAME>_DIR, else $CLUTCH_SERVICES_DIR/<name>, else <repo>/.services/<name>. */
export function contextFor(name: ServiceName, log: (m: string) => void): ServiceContext {
  const own = process.env[`CLUTCH_${name.toUpperCase().replaceAll('-', '_')}_DIR`];
  const base = process.env.CLUTCH_SERVICES_DIR ?? join(repoRoot, '.services');
  return { repoRoot, dir: resolve(own ?? join(base, name)), ci: process.env.CI === 'true', log };
}

/** Replaces the password of a URL with *** (status output and error messages never show secrets). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
