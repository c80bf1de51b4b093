#!/usr/bin/env node
// Entry point of every top-level npm script (npm test, npm run demo, npm run services:*, benchmarks).
// It makes the one-command promise hold on a fresh clone:
//   1. Node 24: when the running Node is older, installs the official Node 24 binary from the npm
//      registry (package `node`) into .tools/node and re-runs itself with it.
//   2. Dependencies: runs `npm ci` when node_modules is missing or older than package-lock.json.
//   3. Runs the task with Node 24 first on PATH, forwarding signals and the exit code (the demo
//      first builds the web dashboard when it is missing or stale: scripts/dashboard.ts).
// Plain JavaScript on purpose: it must start on whatever Node the machine has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const wanted = readFileSync(join(root, '.nvmrc'), 'utf8').trim(); // e.g. 24.21.0
const wantedMajor = Number(wanted.split('.')[0]);
const toolsNodeBin = join(root, '.tools', 'node', 'node_modules', 'node', 'bin');
const say = (m) => process.stderr.write(`[clutch] ${m}\n`);

const TASKS = {
  test: (args) => [process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args]],
  demo: (args) => [process.execPath, [join(root, 'server', 'bin', 'clutch.mjs'), 'demo', ...args]],
  dashboard: (args) => [process.execPath, [join(root, 'scripts', 'dashboard.ts'), ...args]],
  browser: (args) => [process.execPath, [join(root, 'scripts', 'browser.ts'), ...args]],
  clutch: (args) => [process.execPath, [join(root, 'server', 'bin', 'clutch.mjs'), ...args]],
  services: (args) => [process.execPath, [join(root, 'scripts', 'services', 'cli.ts'), ...args]],
  bench: ([name, ...args]) => [process.execPath, [join(root, 'bench', name ?? '', 'run.ts'), ...args]],
  chaos: ([name, ...args]) => [process.execPath, [join(root, 'server', 'test', 'chaos', `${name ?? 'processor'}.ts`), ...args]],
};

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['inherit', 2, 2], env });
  if (r.status !== 0) {
    say(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function ensureNode24() {
  if (Number(process.versions.node.split('.')[0]) >= wantedMajor) return;
  const node = join(toolsNodeBin, 'node');
  if (!existsSync(node)) {
    say(`Node ${process.versions.node} is too old; installing Node ${wanted} into .tools/node from the npm registry`);
    run('npm', ['install', '--prefix', join(root, '.tools', 'node'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${wanted}`]);
  }
  const env = { ...process.env, PATH: `${toolsNodeBin}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit', env });
  forward(child);
  return 'reexec';
}

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function forward(child) {
  // Ctrl-C reaches the child through the terminal's process group already; forwarding it too
  // would deliver it twice (a second SIGINT means "stop now" to the server). Other signals are
  // usually sent to this process alone, so they are passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
}

const [task, ...args] = process.argv.slice(2);
if (!task || !TASKS[task]) {
  say(`usage: node scripts/run.mjs <${Object.keys(TASKS).join('|')}> [args…]`);
  process.exit(2);
}
if (ensureNode24() !== 'reexec') {
  ensureDependencies();
  // The demo serves the web dashboard (/app/): build it when missing or older than its sources.
  if (task === 'demo') run(process.execPath, [join(root, 'scripts', 'dashboard.ts'), 'ensure']);
  const [cmd, cmdArgs] = TASKS[task](args);
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  forward(spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env }));
}
