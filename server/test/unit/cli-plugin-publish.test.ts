// `clutch plugin publish` against the real lifecycle API (the embedded app on a port), and the same
// plugin's values from the server's test run (POST /v1/plugins/{name}/versions/{version}/test) next to
// the local harness's: "exactly as the server would".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { parseFiles } from '../../src/cli/parse.ts';
import { readBuiltPlugin, runPlugin } from '../../src/cli/plugin-harness.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'server/bin/clutch.mjs');
const DIR = join(ROOT, 'plugins/first-blood-conversion');
const ASCENT = join(ROOT, 'server/test/fixtures/valorant-match/match-ascent.json');

function clutch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('clutch plugin publish to the lifecycle API', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_PLUGIN_CACHE_MS: '0' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const a = t.app.server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('uploads the built plugin; a second upload of the version is refused with the server code; the server test run equals the harness', async () => {
    const r = await clutch(['plugin', 'publish', DIR, '--url', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as { name: string; version: string };
    expect(JSON.parse(r.stdout)).toMatchObject({ name: manifest.name, version: manifest.version });
    const got = await t.app.inject({ method: 'GET', url: `/v1/plugins/${manifest.name}/versions/${manifest.version}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ status: 'inactive', manifest });

    const again = await clutch(['plugin', 'publish', DIR, '--url', url]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/answered 409: .*\[CLUTCH_PLUGIN_VERSION_EXISTS\].*\[CLUTCH_PLUGIN_PUBLISH_FAILED\]/);

    const { events } = await parseFiles('valorant-match', [ASCENT], { tenant: 'demo', streamId: 'cli', receivedAt: '2026-01-01T00:00:00.000Z' });
    const run = await t.app.inject({ method: 'POST', url: `/v1/plugins/${manifest.name}/versions/${manifest.version}/test`, payload: { events } });
    expect(run.statusCode).toBe(200);
    const server = run.json() as { errors: unknown[]; outputs: Array<{ stat: string; subject: { kind: string; id?: string }; value: unknown }> };
    expect(server.errors).toEqual([]);
    const latest: Record<string, Record<string, unknown>> = { player: {}, team: {}, match: {} };
    for (const o of server.outputs) latest[o.subject.kind]![`${o.subject.kind === 'match' ? '' : o.subject.id}/${o.stat}`] = o.value;
    const [local] = await runPlugin(await readBuiltPlugin(join(DIR, 'bundle.js')), events);
    const flat = (v: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(v).flatMap(([id, s]) => Object.entries(s).map(([stat, x]) => [`${id}/${stat}`, x])));
    expect(latest.player).toEqual(flat(local!.players));
    expect(latest.team).toEqual(flat(local!.teams));
    expect(latest.match).toEqual(Object.fromEntries(Object.entries(local!.match).map(([s, x]) => [`/${s}`, x])));
    expect(Object.keys(latest.team!).length).toBeGreaterThan(0);
  }, 60_000);
});
