// The hostile corpus (server/test/plugins/hostile.ts) against one runtime: every plugin is contained
// with the expected coded error or a harmless result, while a well-behaved plugin of another tenant in
// the same pool keeps giving the right answers; the host's prototypes, event loop and memory stay fine.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { PluginRuntime } from '../../src/plugins/runtime.ts';
import { validatePlugin } from '../../src/plugins/manifest.ts';
import { hostile, hostileDefinition, hostileEvents } from '../plugins/hostile.ts';
import { openingDuelsBundle, openingDuelsManifest, openingExpected, openingMatch } from '../plugins/opening-duels.ts';

const protoSnapshot = () => [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Reflect.ownKeys(p).map(String).join('|')).join('\n');

describe('hostile plugin corpus', () => {
  const rt = new PluginRuntime({ workers: 2, strikes: { max: 1000, windowMs: 60_000 } });
  afterAll(() => rt.close());

  it('contains every plugin of the corpus; the host and a good plugin never notice', async () => {
    const before = protoSnapshot();
    const rssBefore = process.memoryUsage().rss;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const good = await rt.load('good', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    const match = openingMatch('good', 'm-good');
    const goodRun = async () => {
      let state: string | undefined;
      const latest: Record<string, number[]> = {};
      for (const slice of [match.slice(0, 7), match.slice(7, 13), match.slice(13)]) {
        const r = await rt.invoke(good.key, { matchId: 'm-good', events: slice, state });
        state = r.state;
        for (const v of r.values) (latest[v.subject.id] ??= [0, 0, 0])[['openingDuels', 'openingWins', 'openingWinRate'].indexOf(v.stat)] = v.value as number;
      }
      expect(latest).toEqual(openingExpected);
    };

    const corpus = hostile(assert);
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    const outcomes: Record<string, string> = {};
    for (const h of corpus) {
      const tenant = h.tenant ?? 'mallory';
      const def = hostileDefinition(h);
      const events = hostileEvents(tenant);
      const attempt = async (): Promise<{ code: string; result?: Awaited<ReturnType<PluginRuntime['invoke']>> }> => {
        let key: string;
        try {
          key = (await rt.load(tenant, def)).key;
        } catch (err) {
          return { code: (err as { code: string }).code };
        }
        let last: { code: string; result?: Awaited<ReturnType<PluginRuntime['invoke']>> } = { code: 'none' };
        for (let i = 0; i < (h.calls ?? 1); i++) {
          last = await rt.invoke(key, { matchId: 'm-hostile', events }).then(
            (result) => ({ code: 'ok', result }),
            (err: { code: string }) => ({ code: err.code }),
          );
        }
        return last;
      };
      // The good plugin runs alongside each hostile one, in the same pool.
      const [got] = await Promise.all([attempt(), goodRun()]);
      outcomes[`${tenant}/${h.name}`] = got.code;
      if (h.expect === 'load') expect(got.code, h.name).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
      else if (h.expect === 'ok') expect(got.code, h.name).toBe('ok');
      else expect(h.expect, `${h.name} gave ${got.code}`).toContain(got.code);
      if (got.result && h.check) h.check(got.result);
      expect(protoSnapshot(), `host prototypes after ${h.name}`).toBe(before);
    }
    await goodRun();
    delay.disable();
    const info = await rt.workerInfo();
    for (const w of info) expect(w.prototypesIntact).toBe(true);
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    // eslint-disable-next-line no-console
    console.log(JSON.stringify({ corpus: corpus.length, outcomes, eventLoopDelayMaxMs: delay.max / 1e6, eventLoopDelayP99Ms: delay.percentile(99) / 1e6, rssGrowthMiB: Math.round(rssGrowthMiB), workers: info }));
    // The host's event loop never waited on a plugin (the corpus spins CPUs for seconds).
    expect(delay.percentile(99) / 1e6).toBeLessThan(100);
    // Isolates are capped at 8–64 MiB each and disposed when they fail: the process does not balloon.
    expect(rssGrowthMiB).toBeLessThan(400);
  }, 60_000);
});
