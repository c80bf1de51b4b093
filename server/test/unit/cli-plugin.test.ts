// The plugin author's tools: `clutch plugin build` (TypeScript with definePlugin → manifest + classic
// script bundle), the local harness (recorded files → the server's adapters → the real sandboxed
// runtime, in batches), `clutch plugin test` and `publish` as a user runs them (child processes), and
// the first-party plugins in plugins/ over project fixtures.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Envelope } from '@clutch/core';
import { PluginRuntime } from '../../src/plugins/runtime.ts';
import { buildPlugin, buildPluginSource } from '../../src/cli/plugin-build.ts';
import { runPlugin, testPluginOnFiles, readBuiltPlugin, type MatchOutput } from '../../src/cli/plugin-harness.ts';
import { parseFiles } from '../../src/cli/parse.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'server/bin/clutch.mjs');
const FIX = join(ROOT, 'server/test/fixtures');
const WINGMAN = join(FIX, 'cs2-log/wingman.log');
const ASCENT = join(FIX, 'valorant-match/match-ascent.json');

const runtimes: PluginRuntime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
});

function clutch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function events(source: string, file: string): Promise<Envelope[]> {
  return (await parseFiles(source, [file], { tenant: 'cli', streamId: 'test', receivedAt: '2026-01-01T00:00:00.000Z' })).events;
}

const PLAYER = { vex: '76561197960266729', mira: '76561197960266730', kobo: '76561197960267729', lune: '76561197960267730' };

const SMALL = `
import { definePlugin } from '@clutch/plugin-sdk';
import type { Envelope } from '@clutch/core';
const key = (e: Envelope) => e.type;
export default definePlugin({
  manifest: { name: 'kill-count', version: '1.2.3', hostApi: '^1.0.0', titles: ['cs2'], events: ['player.killed.player'],
    outputs: [{ stat: 'kills', subject: 'player', type: 'integer' }], capabilities: ['state'] },
  plugin: {
    init() { return { kills: {} as Record<string, number> }; },
    onEvents(events, state, ctx) {
      for (const e of events) {
        const k = e.payload.killer;
        if (!k || key(e as unknown as Envelope) !== 'player.killed.player') continue;
        state.kills[k.id] = (state.kills[k.id] ?? 0) + 1;
        ctx.emit({ stat: 'kills', subject: { kind: 'player', id: k.id }, value: state.kills[k.id]! });
      }
    },
  },
});
`;

describe('clutch plugin build', () => {
  it('turns a definePlugin module into a manifest and a classic script the real runtime loads and runs', async () => {
    const built = await buildPluginSource(SMALL, 'kill-count.ts');
    expect(built.manifest).toEqual({ name: 'kill-count', version: '1.2.3', hostApi: '^1.0.0', titles: ['cs2'], events: ['player.killed.player'], outputs: [{ stat: 'kills', subject: 'player', type: 'integer' }], capabilities: ['state'] });
    expect(built.bundle).not.toMatch(/^\s*(import|export)\s/m);
    expect(built.bundle).toMatch(/^var plugin = /m);
    const rt = new PluginRuntime();
    runtimes.push(rt);
    const { key } = await rt.load('cli', built.def);
    const evs = await events('cs2-log', WINGMAN);
    const r = await rt.invoke(key, { matchId: evs[0]!.matchId, events: evs });
    const last: Record<string, unknown> = {};
    for (const v of r.values) last[v.subject.id] = v.value;
    // Independently: enemy and team kills with a killer, as the log has them.
    const expected: Record<string, number> = {};
    for (const e of evs) if (e.type === 'player.killed.player' && (e.payload as { killer?: { id: string } }).killer) expected[(e.payload as { killer: { id: string } }).killer.id] = (expected[(e.payload as { killer: { id: string } }).killer.id] ?? 0) + 1;
    expect(last).toEqual(expected);
    expect(last[PLAYER.vex]).toBe(3); // Lune in rounds 1 and 4, mira (team kill) after round 1
  });

  it('refuses imports other than the SDK, missing default exports and invalid manifests, with coded errors', async () => {
    await expect(buildPluginSource(`import { x } from './helpers.ts';\n${SMALL}`, 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_BUILD_FAILED', message: expect.stringContaining('p.ts:1 imports "./helpers.ts"') });
    await expect(buildPluginSource(`import lodash from 'lodash';\nexport default {}`, 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_BUILD_FAILED' });
    await expect(buildPluginSource(`import { nothing } from '@clutch/plugin-sdk';\nexport default nothing;`, 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_BUILD_FAILED', message: expect.stringContaining('no run-time value "nothing"') });
    await expect(buildPluginSource(SMALL.replace('export default ', 'const d = '), 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_BUILD_FAILED', message: expect.stringContaining('no default export') });
    await expect(buildPluginSource(SMALL.replace("stat: 'kills', subject", "stat: 'Bad Name', subject"), 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_MANIFEST_INVALID' });
    await expect(buildPluginSource(SMALL.replace("'^1.0.0'", "'^2.0.0'"), 'p.ts')).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_HOST_API_UNSUPPORTED' });
  });

  it('reproduces the committed manifest.json and bundle.js of every first-party plugin', async () => {
    const out = await mkdtemp(join(tmpdir(), 'clutch-plugin-'));
    for (const name of ['cs2-trades', 'first-blood-conversion', 'lol-gold-objectives', 'dota2-networth-swing']) {
      const dir = join(ROOT, 'plugins', name);
      await buildPlugin(join(dir, 'index.ts'), join(out, name));
      expect(await readFile(join(out, name, 'bundle.js'), 'utf8')).toBe(await readFile(join(dir, 'bundle.js'), 'utf8'));
      expect(await readFile(join(out, name, 'manifest.json'), 'utf8')).toBe(await readFile(join(dir, 'manifest.json'), 'utf8'));
    }
  });
});

describe('the local harness', () => {
  it('gives what direct runtime calls give, whatever the batching', async () => {
    const def = await readBuiltPlugin(join(ROOT, 'plugins/cs2-trades/bundle.js'));
    const evs = await events('valorant-match', ASCENT);
    const rt = new PluginRuntime();
    runtimes.push(rt);
    const { key } = await rt.load('cli', def);
    const direct = await rt.invoke(key, { matchId: evs[0]!.matchId, events: evs });
    const players: Record<string, Record<string, unknown>> = {};
    for (const v of direct.values) if (v.subject.kind === 'player') (players[v.subject.id] ??= {})[v.stat] = v.value;
    for (const batchSize of [1, 7, 500]) {
      const [m] = await runPlugin(def, evs, { batchSize });
      expect(m!.players).toEqual(players);
      expect(m!.state).toEqual(JSON.parse(direct.state!));
      expect(m!.calls).toBe(batchSize === 500 ? 1 : m!.calls);
    }
    const [one] = await runPlugin(def, evs, { batchSize: 1 });
    expect(one!.calls).toBe(evs.filter((e) => def.manifest.events.includes(e.type as never)).length);
  });

  it('refuses a match of a title the plugin does not support', async () => {
    const def = await readBuiltPlugin(join(ROOT, 'plugins/first-blood-conversion/bundle.js'));
    await expect(testPluginOnFiles(def, 'lol-match', [join(FIX, 'lol-match/timeline-2024.json'), join(FIX, 'lol-match/match-2024.json')])).rejects.toMatchObject({ code: 'CLUTCH_PLUGIN_BAD_CALL', message: expect.stringContaining('is lol') });
  });
});

describe('clutch plugin test (child process)', () => {
  it('prints the final values per match as JSON and exits 0', async () => {
    const r = await clutch(['plugin', 'test', 'plugins/cs2-trades/bundle.js', '--source', 'cs2-log', WINGMAN]);
    expect(r.stderr).toContain('clutch plugin test: 1 match(es)');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { plugin: string; matches: MatchOutput[] };
    expect(out.plugin).toBe('cs2-trades@1.0.0');
    expect(out.matches).toHaveLength(1);
    expect(out.matches[0]!.title).toBe('cs2');
    expect(out.matches[0]!.players[PLAYER.lune]).toMatchObject({ deaths: 3, clutches: 3, clutchesWon: 0 });
  });

  async function hostile(body: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'clutch-hostile-'));
    await writeFile(join(dir, 'bundle.js'), body);
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ name: 'hostile', version: '1.0.0', hostApi: '^1.0.0', titles: ['cs2'], events: ['player.killed.player'], outputs: [{ stat: 'x', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 20 } }),
    );
    return dir;
  }

  it('exits non-zero with CLUTCH_PLUGIN_TIMEOUT on stderr for a plugin that loops forever', async () => {
    const dir = await hostile('var plugin = { onEvents() { for (;;) {} } };');
    const r = await clutch(['plugin', 'test', join(dir, 'bundle.js'), '--source', 'cs2-log', WINGMAN]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/CLUTCH_PLUGIN_TIMEOUT/);
  });

  it('exits non-zero with the coded error for an undeclared stat and for a throw; --manifest is honoured', async () => {
    const dir = await hostile("var plugin = { onEvents(e, s, ctx) { ctx.emit({ stat: 'y', subject: { kind: 'match' }, value: 1 }); } };");
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'b.js'), await readFile(join(dir, 'bundle.js')));
    const r = await clutch(['plugin', 'test', join(dir, 'elsewhere', 'b.js'), '--manifest', join(dir, 'manifest.json'), '--source', 'cs2-log', WINGMAN]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CLUTCH_PLUGIN_INVALID_OUTPUT/);
    const crash = await hostile("var plugin = { onEvents() { throw new TypeError('boom'); } };");
    const c = await clutch(['plugin', 'test', join(crash, 'bundle.js'), '--source', 'cs2-log', WINGMAN]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/boom.*CLUTCH_PLUGIN_CRASHED/);
  });

  it('explains its usage', async () => {
    const r = await clutch(['plugin', 'test', 'plugins/cs2-trades/bundle.js', WINGMAN]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/usage: clutch plugin test .*--source/);
  });
});

describe('clutch plugin build and publish (child process)', () => {
  it('reports a build error with its code and line, and unknown subcommands, with a non-zero exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clutch-bad-'));
    await writeFile(join(dir, 'p.ts'), `import { sum } from 'lodash';\n${SMALL}`);
    const r = await clutch(['plugin', 'build', join(dir, 'p.ts')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/p\.ts:1 imports "lodash".*\[CLUTCH_PLUGIN_BUILD_FAILED\]/);
    const u = await clutch(['plugin', 'deploy']);
    expect(u.code).not.toBe(0);
    expect(u.stderr).toMatch(/unknown plugin command "deploy"/);
  });

  it('builds into --out, then POSTs { manifest, bundle } to /v1/plugins with the token', async () => {
    const out = await mkdtemp(join(tmpdir(), 'clutch-build-'));
    const b = await clutch(['plugin', 'build', 'plugins/first-blood-conversion/index.ts', '--out', out]);
    expect(b.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { name: string };
    const bundle = await readFile(join(out, 'bundle.js'), 'utf8');
    expect(manifest.name).toBe('first-blood-conversion');

    // The lifecycle API is built in parallel: a local server stands in for it and checks the request.
    const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: unknown }> = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(text) });
        const ok = req.headers.authorization === 'Bearer s3cret';
        res.writeHead(ok ? 201 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { name: manifest.name, version: '1.0.0', status: 'uploaded' } : { code: 'CLUTCH_AUTH_REQUIRED', message: 'a token is required' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const p = await clutch(['plugin', 'publish', out, '--url', url, '--token', 's3cret']);
      expect(p.stderr).toBe('');
      expect(p.code).toBe(0);
      expect(JSON.parse(p.stdout)).toEqual({ name: 'first-blood-conversion', version: '1.0.0', status: 'uploaded' });
      expect(seen[0]).toEqual({ method: 'POST', url: '/v1/plugins', auth: 'Bearer s3cret', type: 'application/json', body: { manifest, bundle } });
      const denied = await clutch(['plugin', 'publish', out, '--url', `${url}/`]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/answered 401: a token is required \[CLUTCH_AUTH_REQUIRED\].*CLUTCH_PLUGIN_PUBLISH_FAILED/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
