// Process, file and network helpers shared by the service modules. No dependencies beyond Node.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Port from CLUTCH_<NAME>_PORT, else the default. Rejects anything that is not a TCP port. */
export function envPort(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

/** True when `name` resolves on PATH (or is an existing absolute path). */
export function which(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : undefined;
}

/** A process that exists and is not a zombie (an exited child nobody has reaped yet counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): the signal check is all we have
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Starts a long-running server process that outlives this one: own process group, output to logFile. */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): number {
  const fd = openSync(opts.logFile, 'a');
  const options: SpawnOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  };
  if (opts.uid !== undefined) options.uid = opts.uid;
  if (opts.gid !== undefined) options.gid = opts.gid;
  const child = spawn(command, args, options);
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  child.unref();
  writeFileSync(opts.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, wait up to timeoutMs, then SIGKILL the process group. */
export async function killAndWait(pid: number, timeoutMs = 15_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the whole group: JVM and its children alike
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signal('SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
}

/** Polls check() until it returns a value, or throws naming `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; onTimeout?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const extra = opts.onTimeout ? `\n${opts.onTimeout()}` : '';
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${what} was not ready after ${opts.timeoutMs} ms${cause}${extra}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

/** Last `lines` lines of a log file, for error messages. */
export function tail(path: string, lines = 30): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const all = readFileSync(path, 'utf8').trimEnd().split('\n');
  return `--- last ${Math.min(lines, all.length)} lines of ${path} ---\n${all.slice(-lines).join('\n')}`;
}

/** Opens a TCP connection and sends `request`; resolves with the first bytes answered. */
export function tcpRequest(
  host: string,
  port: number,
  request: Buffer | string,
  timeoutMs: number,
  until: (received: Buffer) => boolean = () => true,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timeout after ${timeoutMs} ms talking to ${host}:${port}`));
    }, timeoutMs);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (until(all)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(all);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (chunks.length === 0) reject(new Error(`${host}:${port} closed the connection`));
      else resolve(Buffer.concat(chunks));
    });
  });
}

let aptUpdated = false;

/**
 * Installs Debian packages when a needed program is missing. Uses apt-get directly as root, sudo -n
 * otherwise; without either it throws with the exact command to run.
 */
export function aptInstall(packages: string[], log: (m: string) => void): void {
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : which('sudo') ? ['sudo', '-n'] : undefined;
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (prefix === undefined) {
    throw new Error(`missing Debian packages: ${packages.join(', ')}. Install them with: sudo ${command}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...prefix, ...args];
    return spawnSync(cmd!, rest, { stdio: ['ignore', 2, 2], env }); // stdout is reserved for JSON
  };
  log(`installing Debian packages: ${packages.join(' ')}`);
  let r = run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
  }
  if (r.status !== 0) throw new Error(`apt-get could not install ${packages.join(' ')} (exit ${r.status}); run: sudo ${command}`);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** host and port of a URL, for probes. */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : defaultPort };
}
