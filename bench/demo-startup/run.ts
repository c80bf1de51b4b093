// Time from `npm run demo` to a live match page of the dashboard rendering moving data, as a newcomer
// would see it: the demo command is started as a child process (it builds the dashboard when it is
// missing or stale), Chromium opens /app/ as soon as the demo prints its URL, follows the first live
// match, and the clock stops when the page's seq has moved twice (two live updates rendered).
//
//   npm run bench -- demo-startup [--runs N] [--rebuild]
//
// --rebuild removes dashboard/dist first (a fresh clone's first run). Prints one JSON document.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from '../../scripts/browser.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 3);
const REBUILD = process.argv.includes('--rebuild');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const log = (m: string) => process.stderr.write(`[bench:demo-startup] ${m}\n`);

interface Run {
  demoReadyMs: number;
  livePageMovingMs: number;
  firstSeq: number;
  movedToSeq: number;
}

async function once(executablePath: string, port: number): Promise<Run> {
  const started = performance.now();
  const demo = spawn(process.execPath, [`${root}scripts/run.mjs`, 'demo'], { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`demo not ready in 180 s:\n${out.slice(-2000)}`)), 180_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /dashboard: (http:\/\/\S+\/app\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      demo.stdout!.on('data', onData);
      demo.stderr!.on('data', onData);
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out.slice(-2000)}`)));
    });
    const demoReadyMs = performance.now() - started;
    const browser = await chromium.launch({ executablePath, args: ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      // The first live match of the list, then its page's seq (data-seq on the connection badge).
      const link = page.locator('a[href*="#/match"]').first();
      await link.waitFor({ timeout: 60_000 });
      await link.click();
      const badge = page.getByTestId('connection');
      // Page functions as source text: this file is type-checked for Node, not the DOM.
      const seqNow = `Number(document.querySelector('[data-testid="connection"]')?.getAttribute('data-seq') || 0)`;
      await page.waitForFunction(`${seqNow} > 0`, undefined, { timeout: 60_000 });
      const firstSeq = Number(await badge.getAttribute('data-seq'));
      await page.waitForFunction(`${seqNow} >= ${firstSeq + 2}`, undefined, { timeout: 60_000 });
      const livePageMovingMs = performance.now() - started;
      return { demoReadyMs: Math.round(demoReadyMs), livePageMovingMs: Math.round(livePageMovingMs), firstSeq, movedToSeq: Number(await badge.getAttribute('data-seq')) };
    } finally {
      await browser.close();
    }
  } finally {
    try {
      process.kill(-demo.pid!, 'SIGTERM');
    } catch {
      /* gone already */
    }
    await new Promise((r) => (demo.exitCode === null ? demo.once('exit', r) : r(undefined)));
  }
}

const executablePath = ensureChromium(log);
const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  if (REBUILD && i === 0) rmSync(`${root}dashboard/dist`, { recursive: true, force: true });
  const r = await once(executablePath, 18_080 + i);
  log(`run ${i + 1}: demo ready ${r.demoReadyMs} ms, live page moving ${r.livePageMovingMs} ms (seq ${r.firstSeq} → ${r.movedToSeq})`);
  runs.push(r);
}
const sorted = runs.map((r) => r.livePageMovingMs).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: 'demo-startup',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      settings: { runs: RUNS, rebuildFirst: REBUILD },
      results: { runs, medianLivePageMovingMs: sorted[Math.floor(sorted.length / 2)] },
      note: 'from spawning `npm run demo` to the first live match page of the dashboard showing two live updates, in Chromium',
    },
    null,
    2,
  )}\n`,
);
