// Makes the services the tests need available, and reports their state. Used by the CLI
// (npm run services:up|status|down) and by the test suite's global setup.
import type { ServiceName } from './types.ts';
import { byName, contextFor, redact, services } from './registry.ts';

export interface Endpoint {
  name: ServiceName;
  envVar: string;
  url: string;
  /** false when the user pointed us at their own instance through envVar. */
  managed: boolean;
}

export type Endpoints = Record<ServiceName, Endpoint>;

const stderr = (m: string) => process.stderr.write(`[services] ${m}\n`);

function externalUrl(envVar: string): string | undefined {
  const v = process.env[envVar];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Installs (sequentially: apt and Maven hold locks) and starts (in parallel) every managed service,
 * and checks every external one. Throws naming each service that is not usable and how to fix it.
 */
export async function ensureServices(names: ServiceName[] = services.map((s) => s.name), log = stderr): Promise<Endpoints> {
  const mods = names.map(byName);
  for (const m of mods) {
    if (externalUrl(m.envVar) === undefined) await m.install(contextFor(m.name, log));
  }
  const results = await Promise.allSettled(
    mods.map(async (m): Promise<Endpoint> => {
      const external = externalUrl(m.envVar);
      if (external !== undefined) {
        const p = await m.probe(external, 5000);
        if (!p.up) {
          throw new Error(`${m.name} at ${redact(external)} (from ${m.envVar}) is not reachable: ${p.error}. Start it, or unset ${m.envVar} to let \`npm run services:up\` run a local one.`);
        }
        return { name: m.name, envVar: m.envVar, url: external, managed: false };
      }
      await m.start(contextFor(m.name, log));
      return { name: m.name, envVar: m.envVar, url: m.managedUrl(), managed: true };
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`- ${mods[i]!.name}: ${(r.reason as Error).message}`] : []));
  if (failures.length) throw new Error(`services not available:\n${failures.join('\n')}`);
  return Object.fromEntries(results.map((r) => [(r as PromiseFulfilledResult<Endpoint>).value.name, (r as PromiseFulfilledResult<Endpoint>).value])) as Endpoints;
}

export interface ServiceState {
  up: boolean;
  url: string;
  envVar: string;
  managed: boolean;
  version?: string;
  pid?: number;
  dir?: string;
  error?: string;
}

export async function status(names: ServiceName[] = services.map((s) => s.name)): Promise<Record<string, ServiceState>> {
  const entries = await Promise.all(
    names.map(byName).map(async (m): Promise<[string, ServiceState]> => {
      const external = externalUrl(m.envVar);
      const url = external ?? m.managedUrl();
      const probe = await m.probe(url, 3000);
      const state: ServiceState = { up: probe.up, url: redact(url), envVar: m.envVar, managed: external === undefined };
      if (probe.version) state.version = probe.version;
      if (probe.error) state.error = probe.error;
      if (external === undefined) {
        const ctx = contextFor(m.name, stderr);
        const pid = await m.pid(ctx);
        if (pid !== undefined) state.pid = pid;
        state.dir = ctx.dir;
      }
      return [m.name, state];
    }),
  );
  return Object.fromEntries(entries);
}

/** Stops managed services in reverse start order; external ones are never touched. */
export async function stopServices(names: ServiceName[] = services.map((s) => s.name), log = stderr): Promise<void> {
  for (const m of names.map(byName).reverse()) {
    if (externalUrl(m.envVar) !== undefined) {
      log(`${m.name}: external (${m.envVar}), left running`);
      continue;
    }
    await m.stop(contextFor(m.name, log));
  }
}

/** Env vars that point Clutch and the tests at the given endpoints. */
export function envFor(endpoints: Endpoints): Record<string, string> {
  return Object.fromEntries(Object.values(endpoints).map((e) => [e.envVar, e.url]));
}
