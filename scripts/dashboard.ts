// The web dashboard's build (dashboard/dist, served by the server under /app/).
//   node scripts/dashboard.ts ensure   builds when dist is missing or older than its sources (npm run demo does this)
//   node scripts/dashboard.ts build    builds now
// Vite takes about two seconds, so "stale" is judged by modification times only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const DASHBOARD_DIR = join(root, 'dashboard');
export const DASHBOARD_DIST = join(DASHBOARD_DIR, 'dist');

/** What the bundle is made of: the app, its config, and the SDK it bundles. */
const SOURCES = ['dashboard/src', 'dashboard/index.html', 'dashboard/vite.config.ts', 'dashboard/package.json', 'sdk/client/src', 'sdk/client/package.json', 'package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

/** Why the build is out of date, or undefined when it is fresh. */
export function staleReason(): string | undefined {
  const index = join(DASHBOARD_DIST, 'index.html');
  if (!existsSync(index)) return 'not built yet';
  const built = statSync(index).mtimeMs;
  const changed = SOURCES.find((s) => newest(join(root, s)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

export function buildDashboard(log: (m: string) => void = (m) => process.stderr.write(`[dashboard] ${m}\n`)): void {
  const started = performance.now();
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  // NODE_ENV as the caller has it (vitest sets "test") would make Vite bundle React's development build.
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: DASHBOARD_DIR, stdio: ['ignore', 2, 2], env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) throw new Error(`the dashboard build failed (exit ${r.status ?? r.signal}): run \`npm run build -w dashboard\` to see why`);
  log(`built dashboard/dist in ${Math.round(performance.now() - started)} ms`);
}

/** Builds the dashboard when it is missing or stale; returns whether it built. */
export function ensureDashboard(log: (m: string) => void = (m) => process.stderr.write(`[dashboard] ${m}\n`)): boolean {
  const why = staleReason();
  if (!why) return false;
  log(`building the web dashboard (${why})`);
  buildDashboard(log);
  return true;
}

if (import.meta.main) {
  const [command] = process.argv.slice(2);
  try {
    if (command === 'build') buildDashboard();
    else if (command === 'ensure') ensureDashboard();
    else {
      process.stderr.write('usage: node scripts/dashboard.ts <ensure|build>\n');
      process.exit(2);
    }
  } catch (err) {
    process.stderr.write(`[dashboard] ${(err as Error).message}\n`);
    process.exit(1);
  }
}
