// Local PostgreSQL 15+ (Debian's binaries) in a cluster of our own under ctx.dir, on 127.0.0.1 only.
// Tuned for tests (fsync off): it is a development cluster, never a production one.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { withPgClient } from './pg-client.ts';
import type { ProbeResult, ServiceContext, ServiceModule } from './types.ts';
import { aptInstall, ensureDir, envPort, isAlive, tail, waitFor } from './util.ts';

const USER = 'clutch';
const PASSWORD = 'clutch';
const DATABASE = 'clutch';
const port = () => envPort('CLUTCH_POSTGRES_PORT', 55432);

/** Newest Debian PostgreSQL >= 15 bin dir, e.g. /usr/lib/postgresql/15/bin. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .map(Number)
    .filter((v) => v >= 15 && existsSync(join(root, String(v), 'bin', 'initdb')))
    .sort((a, b) => b - a);
  return versions.length ? join(root, String(versions[0]), 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root we run its tools as the `postgres` system user. */
// (Processes are spawned with that uid/gid directly: no runuser/su, which a minimal PATH may lack.)
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((f) => f[0] === 'postgres');
  if (!entry) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as (install Debian\'s postgresql package)');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function run(ctx: ServiceContext, bin: string, args: string[]): { status: number | null; output: string } {
  const who = owner();
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: ctx.dir, ...(who ? { uid: who.uid, gid: who.gid } : {}) });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const runPg = (ctx: ServiceContext, tool: string, args: string[]) => run(ctx, join(binDir()!, tool), args);

const dataDir = (ctx: ServiceContext) => join(ctx.dir, 'data');
const logFile = (ctx: ServiceContext) => join(ctx.dir, 'postgres.log');

function initCluster(ctx: ServiceContext): void {
  const who = owner();
  ensureDir(ctx.dir);
  const runDir = ensureDir(join(ctx.dir, 'run'));
  const pwFile = join(ctx.dir, '.pw');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (who) {
    for (const p of [ctx.dir, runDir, pwFile]) chownSync(p, who.uid, who.gid);
    const check = run(ctx, '/bin/sh', ['-c', 'test -w "$0"', ctx.dir]);
    if (check.status !== 0) {
      throw new Error(`the postgres user cannot write ${ctx.dir} (${check.output.trim() || 'a parent folder is not searchable'}); set CLUTCH_POSTGRES_DIR to a folder it can reach (e.g. /var/tmp/clutch-postgres)`);
    }
  }
  ctx.log(`postgres: initdb ${dataDir(ctx)}`);
  const r = runPg(ctx, 'initdb', ['-D', dataDir(ctx), '-U', USER, `--pwfile=${pwFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C']);
  rmSync(pwFile, { force: true });
  if (r.status !== 0) throw new Error(`initdb failed:\n${r.output}`);
  appendFileSync(
    join(dataDir(ctx), 'postgresql.conf'),
    [
      '',
      '# --- Clutch local development cluster (scripts/services/postgres.ts) ---',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${runDir}'`,
      'max_connections = 200',
      'shared_buffers = 128MB',
      // Durability is not needed for a test cluster; speed is.
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'),
  );
}

export const postgres: ServiceModule = {
  name: 'postgres',
  envVar: 'DATABASE_URL',
  managedUrl: () => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port()}/${DATABASE}`,

  async install(ctx) {
    if (binDir()) return;
    // Debian's postinst would otherwise create and start a cluster of its own on 5432.
    const conf = '/etc/postgresql-common/createcluster.conf';
    if (process.getuid?.() === 0 && !existsSync(conf)) {
      ensureDir('/etc/postgresql-common');
      writeFileSync(conf, 'create_main_cluster = false\n');
    }
    aptInstall(['postgresql'], ctx.log);
    if (!binDir()) throw new Error('PostgreSQL 15+ binaries not found under /usr/lib/postgresql after install');
  },

  async start(ctx) {
    const url = this.managedUrl();
    if ((await this.probe(url, 2000)).up) return;
    if (!existsSync(join(dataDir(ctx), 'PG_VERSION'))) initCluster(ctx);
    ctx.log(`postgres: starting on 127.0.0.1:${port()}`);
    const r = runPg(ctx, 'pg_ctl', ['-D', dataDir(ctx), '-l', logFile(ctx), '-o', `-p ${port()}`, '-w', '-t', '60', 'start']);
    if (r.status !== 0) throw new Error(`pg_ctl start failed:\n${r.output}\n${tail(logFile(ctx))}`);
    await waitFor('postgres', async () => ((await this.probe(url.replace(/\/[^/]*$/, '/postgres'), 2000)).up ? true : undefined), {
      timeoutMs: 30_000,
      onTimeout: () => tail(logFile(ctx)),
    });
    await withPgClient(url.replace(/\/[^/]*$/, '/postgres'), 5000, async (c) => {
      const exists = await c.query('select 1 from pg_database where datname = $1', [DATABASE]);
      // Identifier, not a value: DATABASE is our own constant, never input.
      if (exists.rowCount === 0) await c.query(`create database ${DATABASE}`);
    });
  },

  async stop(ctx) {
    if (!existsSync(join(dataDir(ctx), 'postmaster.pid'))) return;
    ctx.log('postgres: stopping');
    const r = runPg(ctx, 'pg_ctl', ['-D', dataDir(ctx), '-m', 'fast', '-w', '-t', '60', 'stop']);
    if (r.status !== 0 && existsSync(join(dataDir(ctx), 'postmaster.pid'))) {
      throw new Error(`pg_ctl stop failed:\n${r.output}`);
    }
  },

  async probe(url, timeoutMs): Promise<ProbeResult> {
    try {
      const version = await withPgClient(url, timeoutMs, async (c) => (await c.query('show server_version')).rows[0]?.server_version as string);
      return { up: true, version };
    } catch (err) {
      return { up: false, error: (err as Error).message || String(err) };
    }
  },

  async pid(ctx) {
    const file = join(dataDir(ctx), 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
  },
};

