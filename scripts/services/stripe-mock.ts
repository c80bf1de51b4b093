// Stripe's own mock server (github.com/stripe/stripe-mock): validates requests against Stripe's
// OpenAPI spec and answers fixture objects; stateless. Built from source with the Go toolchain into
// <dir>/bin (Go is on these machines at /usr/local/go/bin or on PATH), run on 127.0.0.1.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ProbeResult, ServiceModule } from './types.ts';
import { ensureDir, envPort, killAndWait, readPid, removeFile, spawnDetached, tail, waitFor, which } from './util.ts';

const port = () => envPort('CLUTCH_STRIPE_MOCK_PORT', 12111);
const VERSION = 'v0.203.0';
const binOf = (dir: string) => join(dir, 'bin', 'stripe-mock');

function goBinary(): string | undefined {
  return which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export const stripeMock: ServiceModule = {
  name: 'stripe-mock',
  envVar: 'STRIPE_API_BASE',
  managedUrl: () => `http://127.0.0.1:${port()}`,

  async install(ctx) {
    if (existsSync(binOf(ctx.dir))) return;
    const go = goBinary();
    if (!go) throw new Error('stripe-mock needs the Go toolchain (go on PATH or /usr/local/go/bin/go) to build it');
    ensureDir(join(ctx.dir, 'bin'));
    ctx.log(`stripe-mock: building github.com/stripe/stripe-mock@${VERSION} with ${go}`);
    const r = spawnSync(go, ['install', `github.com/stripe/stripe-mock@${VERSION}`], { env: { ...process.env, GOBIN: join(ctx.dir, 'bin'), GOFLAGS: '-mod=mod', GOPATH: join(ctx.dir, 'gopath'), GOCACHE: join(ctx.dir, 'gocache') }, encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0 || !existsSync(binOf(ctx.dir))) throw new Error(`go install stripe-mock failed:\n${r.stderr}${r.stdout}`);
  },

  async start(ctx) {
    if ((await this.probe(this.managedUrl(), 1000)).up) return;
    ensureDir(ctx.dir);
    const logFile = join(ctx.dir, 'stripe-mock.log');
    ctx.log(`stripe-mock: starting on 127.0.0.1:${port()}`);
    // HTTPS too is always on: on a port the system picks, so it never collides (we use HTTP only).
    spawnDetached(binOf(ctx.dir), ['-http-addr', `127.0.0.1:${port()}`, '-https-addr', '127.0.0.1:'], { logFile, pidFile: join(ctx.dir, 'stripe-mock.pid'), cwd: ctx.dir });
    await waitFor('stripe-mock', async () => ((await this.probe(this.managedUrl(), 1000)).up ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, onTimeout: () => tail(logFile) });
  },

  async stop(ctx) {
    const pid = readPid(join(ctx.dir, 'stripe-mock.pid'));
    if (pid === undefined) return;
    ctx.log('stripe-mock: stopping');
    await killAndWait(pid, 10_000);
    removeFile(join(ctx.dir, 'stripe-mock.pid'));
  },

  async probe(url, timeoutMs): Promise<ProbeResult> {
    try {
      // Any authenticated call: stripe-mock accepts any sk_test_ key.
      const r = await fetch(`${url.replace(/\/$/, '')}/v1/customers?limit=1`, { headers: { authorization: 'Bearer sk_test_123' }, signal: AbortSignal.timeout(timeoutMs) });
      if (!r.ok) return { up: false, error: `HTTP ${r.status}` };
      return { up: true, version: r.headers.get('stripe-mock-version') ?? VERSION };
    } catch (err) {
      return { up: false, error: (err as Error).message };
    }
  },

  async pid(ctx) {
    return readPid(join(ctx.dir, 'stripe-mock.pid'));
  },
};
