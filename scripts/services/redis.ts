// Local Redis 7 (Debian's redis-server) on 127.0.0.1, no persistence: live state is rebuilt from
// Kafka and PostgreSQL, so a test instance never needs RDB/AOF.
import { join } from 'node:path';
import type { ProbeResult, ServiceModule } from './types.ts';
import { aptInstall, ensureDir, envPort, hostPort, killAndWait, readPid, removeFile, spawnDetached, tail, tcpRequest, waitFor, which } from './util.ts';

const port = () => envPort('CLUTCH_REDIS_PORT', 56379);

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** True once `buf` holds a complete bulk-string reply (INFO's; PING and AUTH answer simple strings). */
function complete(buf: Buffer): boolean {
  const text = buf.toString('latin1');
  const bulk = /\$(\d+)\r\n/.exec(text);
  if (!bulk) return false;
  return buf.length >= bulk.index + bulk[0].length + Number(bulk[1]) + 2;
}

export const redis: ServiceModule = {
  name: 'redis',
  envVar: 'REDIS_URL',
  managedUrl: () => `redis://127.0.0.1:${port()}`,

  async install(ctx) {
    if (which('redis-server')) return;
    aptInstall(['redis-server'], ctx.log);
    if (!which('redis-server')) throw new Error('redis-server not found on PATH after install');
  },

  async start(ctx) {
    if ((await this.probe(this.managedUrl(), 1000)).up) return;
    ensureDir(ctx.dir);
    const logFile = join(ctx.dir, 'redis.log');
    ctx.log(`redis: starting on 127.0.0.1:${port()}`);
    spawnDetached(
      which('redis-server')!,
      ['--bind', '127.0.0.1', '--port', String(port()), '--dir', ctx.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxclients', '2000'],
      { logFile, pidFile: join(ctx.dir, 'redis.pid'), cwd: ctx.dir },
    );
    await waitFor('redis', async () => ((await this.probe(this.managedUrl(), 1000)).up ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      onTimeout: () => tail(logFile),
    });
  },

  async stop(ctx) {
    const pid = readPid(join(ctx.dir, 'redis.pid'));
    if (pid === undefined) return;
    ctx.log('redis: stopping');
    await killAndWait(pid, 10_000);
    removeFile(join(ctx.dir, 'redis.pid'));
  },

  async probe(url, timeoutMs): Promise<ProbeResult> {
    try {
      const { host, port: p } = hostPort(url, 6379);
      const u = new URL(url);
      const auth = u.password ? resp('AUTH', ...(u.username ? [decodeURIComponent(u.username)] : []), decodeURIComponent(u.password)) : '';
      const reply = await tcpRequest(host, p, auth + resp('PING') + resp('INFO', 'server'), timeoutMs, (b) => {
        return /(^|\r\n)-[^\r\n]*\r\n/.test(b.toString('latin1')) || complete(b);
      });
      const text = reply.toString('utf8');
      const error = /(?:^|\r\n)-([^\r\n]*)/.exec(text);
      if (error) return { up: false, error: error[1] };
      if (!text.includes('+PONG')) return { up: false, error: `unexpected reply: ${text.split('\r\n')[0]}` };
      return { up: true, version: /redis_version:([^\r\n]+)/.exec(text)?.[1] };
    } catch (err) {
      return { up: false, error: (err as Error).message };
    }
  },

  async pid(ctx) {
    return readPid(join(ctx.dir, 'redis.pid'));
  },
};
