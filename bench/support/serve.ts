// `clutch serve` as a child process on the local services, for benchmarks that measure the product
// as an operator runs it (its CPU apart from the benchmark's own clients).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../server/bin/clutch.mjs', import.meta.url));

export interface ServeChild {
  /** host:port */
  base: string;
  /** An API key of the tenant `demo` (plan enterprise) with every scope (made with `clutch org create`, as an operator would). */
  apiKey: string;
  /** { authorization: Bearer <apiKey> } */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

export async function startServe(env: Record<string, string>): Promise<ServeChild> {
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open in Chrome DevTools).
  // Enterprise: benchmarks measure the product, not the free plan's limits (bench/rate-limit sets its own plan).
  const org = spawnSync(process.execPath, [bin, 'org', 'create', '--tenant', 'demo', '--kind', 'api_key', '--plan', 'enterprise'], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, encoding: 'utf8' });
  if (org.status !== 0) throw new Error(`clutch org create failed:\n${org.stderr}${org.stdout}`);
  const apiKey = (JSON.parse(org.stdout) as { apiKey: string }).apiKey;
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, bin, 'serve', '--port', '0'], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let base = '';
  for (const deadline = Date.now() + 60_000; !base && Date.now() < deadline && child.exitCode === null; ) {
    await new Promise((r) => setTimeout(r, 200));
    // With LOG_LEVEL=warn the listen line is not logged: find the child's listening port.
    const ss = spawnSync('ss', ['-ltnp'], { encoding: 'utf8' }).stdout;
    const port = new RegExp(`127\\.0\\.0\\.1:(\\d+)\\s.*pid=${child.pid},`).exec(ss)?.[1];
    if (port && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok).catch(() => false))) base = `127.0.0.1:${port}`;
  }
  if (!base) {
    child.kill('SIGKILL');
    throw new Error(`clutch serve did not start:\n${output}`);
  }
  return {
    base,
    apiKey,
    headers: { authorization: `Bearer ${apiKey}` },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
