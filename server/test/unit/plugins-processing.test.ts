// Tenant plugins in the processor, beyond the happy path (plugins-api.test.ts): a plugin's per-match
// state survives a restart of the processor (a fresh runtime and host read it back from the store),
// and a store write that fails after the plugins ran is retried without counting the batch twice (the
// state in memory only moves once the transaction has committed).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toRecord } from '../../src/events/codec.ts';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';
import { MemoryEventLog } from '../../src/infra/memory/event-log.ts';
import { createPGliteStore } from '../../src/infra/pglite/store.ts';
import { PluginHost } from '../../src/plugins/host.ts';
import { validatePlugin } from '../../src/plugins/manifest.ts';
import { PluginRuntime } from '../../src/plugins/runtime.ts';
import { startProcessor } from '../../src/processing/processor.ts';
import { archiveEvents } from '../../src/store/events.ts';
import { activate, deactivate, insertVersion, matchOutputs } from '../../src/store/plugins.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { topicNames, topicSpecs } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { openingDuelsBundle, openingDuelsManifest, openingExpected, openingMatch } from '../plugins/opening-duels.ts';

const topics = topicNames('');
const log = pino({ level: 'silent' });

function byPlayer(rows: ReadonlyArray<{ stat: string; subjectId: string; value: unknown }>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of rows) (out[r.subjectId] ??= [undefined, undefined, undefined])[['openingDuels', 'openingWins', 'openingWinRate'].indexOf(r.stat)] = r.value;
  return out;
}

describe('tenant plugins in the processor', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  });

  /** A migrated in-memory store and event log, the demo tenant, and opening-duels 1.0.0 uploaded (not active). */
  const setup = async () => {
    const eventLog = new MemoryEventLog();
    const store = await createPGliteStore();
    const cache = createMemoryCacheBackend();
    closers.push(() => eventLog.close(), () => store.close(), () => cache.close());
    await store.migrate();
    await eventLog.ensureTopics(topicSpecs(topics));
    await ensureTenant(store.db, 'demo', 'demo');
    const def = validatePlugin(openingDuelsManifest, openingDuelsBundle);
    await insertVersion(store.db, { tenant: 'demo', name: def.manifest.name, version: def.manifest.version, manifest: def.manifest, bundle: def.bundle, sha256: 'x' });
    return { eventLog, store, cache };
  };

  it('reads a plugin state back from the store after a restart (a new runtime and host)', async () => {
    const { eventLog, store, cache } = await setup();
    await activate(store.db, 'demo', 'opening-duels', '1.0.0', undefined);

    const run = async () => {
      const runtime = new PluginRuntime({ workers: 1 });
      const host = new PluginHost({ runtime, store, log });
      const processor = await startProcessor({ eventLog, store, cache, topic: topics.events, groupId: 'clutch.processor', log, workers: 0, plugins: host });
      return async () => {
        await processor.stop();
        await runtime.close();
      };
    };
    const seqOf = async () => Number((await store.db.selectFrom('plugin_states').select('last_seq').where('tenant_id', '=', 'demo').where('match_id', '=', 'r-1').executeTakeFirst())?.last_seq ?? 0);

    const events = openingMatch('demo', 'r-1');
    const stop1 = await run();
    await eventLog.append(events.slice(0, 9).map((e) => toRecord(topics.events, e)));
    await expect.poll(seqOf, { timeout: 10_000 }).toBe(9);
    await stop1();

    const stop2 = await run();
    closers.push(stop2);
    await eventLog.append(events.slice(9).map((e) => toRecord(topics.events, e)));
    await expect.poll(seqOf, { timeout: 10_000 }).toBe(events.length);
    // Had the second run started from an empty state, s1mple would have 2 duels, not 3.
    expect(byPlayer(await matchOutputs(store.db, 'demo', 'r-1'))).toEqual(openingExpected);
  }, 60_000);

  it('a plugin activated mid-match replays what it missed from the archive first: in chunks, over batches, after the archive has it', async () => {
    const { eventLog, store, cache } = await setup();
    const runtime = new PluginRuntime({ workers: 1 });
    // At most 5 missed events (of its types) per batch, 3 per call.
    const host = new PluginHost({ runtime, store, log, cacheMs: 0, maxReplayEvents: 5, replayChunk: 3 });
    const processor = await startProcessor({ eventLog, store, cache, topic: topics.events, groupId: 'clutch.processor', log, workers: 0, plugins: host });
    closers.push(() => runtime.close(), () => processor.stop());
    const events = openingMatch('demo', 'late-1');
    const processed = (seq: number) => expect.poll(async () => Number((await store.db.selectFrom('match_stats').select('last_seq').where('tenant_id', '=', 'demo').where('match_id', '=', 'late-1').executeTakeFirst())?.last_seq ?? 0), { timeout: 10_000 }).toBe(seq);
    const feed = async (from: number, to: number) => {
      await eventLog.append(events.slice(from, to).map((e) => toRecord(topics.events, e)));
      await processed(to);
    };
    // The archiver is not running here: the test archives by hand, as the archiver would.
    const archive = (to: number) => archiveEvents(store.db, events.slice(0, to).map((e) => ({ tenant: e.tenant, matchId: e.matchId, seq: e.seq, type: e.type, occurredAt: e.occurredAt, envelope: JSON.stringify(e) })));
    const stateSeq = async () => (await store.db.selectFrom('plugin_states').select('last_seq').where('tenant_id', '=', 'demo').where('match_id', '=', 'late-1').executeTakeFirst())?.last_seq;

    // Rounds 1 and 2 (seqs 1..10) before the plugin is active.
    await feed(0, 10);
    await activate(store.db, 'demo', 'opening-duels', '1.0.0', undefined);
    // Seq 11: the archive does not have 1..10 yet, so the plugin sits this batch out.
    await feed(10, 11);
    expect(await stateSeq()).toBeUndefined();
    // Seq 12 with 1..11 archived: it replays 5 of the 8 events of its types it missed (seqs 2..7), no more.
    await archive(11);
    await feed(11, 12);
    expect(Number(await stateSeq())).toBe(7);
    // Seq 13: the rest of the history (8, 9, 11, 12), then the batch itself.
    await archive(12);
    await feed(12, 13);
    expect(Number(await stateSeq())).toBe(13);
    await feed(13, events.length);
    expect(Number(await stateSeq())).toBe(events.length);
    // The values of the whole match, as if it had been active from the start.
    expect(byPlayer(await matchOutputs(store.db, 'demo', 'late-1'))).toEqual(openingExpected);
  }, 60_000);

  it('unloads a version that no match has run for a while (deactivated), and loads it again when it is back', async () => {
    const { store } = await setup();
    await activate(store.db, 'demo', 'opening-duels', '1.0.0', undefined);
    const runtime = new PluginRuntime({ workers: 1 });
    closers.push(() => runtime.close());
    const host = new PluginHost({ runtime, store, log, cacheMs: 0, idleUnloadMs: 100 });
    const loaded = async () => (await runtime.workerInfo())[0]!.plugins;
    expect((await host.runnable('demo', undefined)).map((v) => v.name)).toEqual(['opening-duels']);
    expect(await loaded()).toBe(1);
    // Not on matches of a title its manifest does not list (cs2 and valorant only).
    expect(await host.runnable('demo', undefined, 'lol')).toEqual([]);
    expect((await host.runnable('demo', undefined, 'valorant')).map((v) => v.name)).toEqual(['opening-duels']);
    await deactivate(store.db, 'demo', 'opening-duels', undefined);
    expect(await host.runnable('demo', undefined)).toEqual([]);
    await new Promise((r) => setTimeout(r, 150));
    // The next look at any tenant's plugins sweeps it out of the runtime.
    expect(await host.runnable('other', undefined)).toEqual([]);
    expect(await loaded()).toBe(0);
    expect(() => runtime.status('demo/opening-duels@1.0.0')).toThrow(/no plugin/);
    await activate(store.db, 'demo', 'opening-duels', '1.0.0', undefined);
    expect((await host.runnable('demo', undefined)).map((v) => v.name)).toEqual(['opening-duels']);
    expect(await loaded()).toBe(1);
  });

  it('a store write that fails after the plugins ran is retried without counting the batch twice', async () => {
    const t: TestApp = await embeddedApp({ CLUTCH_PLUGIN_CACHE_MS: '0', CLUTCH_PROCESSOR_WORKERS: '0' });
    closers.push(() => t.dispose());
    await t.app.ready();
    const up = await t.app.inject({ method: 'POST', url: '/v1/plugins', payload: { manifest: openingDuelsManifest, bundle: openingDuelsBundle } });
    expect(up.statusCode, up.body).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/v1/plugins/opening-duels/versions/1.0.0/activate', payload: {} })).statusCode).toBe(200);

    // The processor's transaction for this match fails once, after it wrote everything (a lost commit).
    const db = t.infra.store.db;
    const realTransaction = db.transaction.bind(db);
    let failures = 0;
    (db as { transaction: unknown }).transaction = () => {
      const b = realTransaction();
      return {
        execute: <T>(fn: (trx: unknown) => Promise<T>) =>
          b.execute(async (trx) => {
            const r = await fn(trx);
            const wrote = await trx.selectFrom('plugin_states').select('last_seq').where('tenant_id', '=', 'demo').where('match_id', '=', 'f-1').executeTakeFirst();
            if (wrote && failures === 0) {
              failures++;
              throw new Error('the connection was lost at commit');
            }
            return r;
          }),
      };
    };
    const events = openingMatch('demo', 'f-1');
    await t.infra.eventLog.append(events.slice(0, 9).map((e) => toRecord(topics.events, e)));
    await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/f-1' })).json().lastSeq, { timeout: 10_000 }).toBe(9);
    expect(failures).toBe(1);
    await t.infra.eventLog.append(events.slice(9).map((e) => toRecord(topics.events, e)));
    await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/f-1' })).json().lastSeq, { timeout: 10_000 }).toBe(events.length);
    const body = (await t.app.inject({ url: '/v1/matches/f-1/plugins' })).json();
    const values = body.plugins['opening-duels@1.0.0'].values as Array<{ stat: string; subject: { id: string }; value: unknown }>;
    expect(byPlayer(values.map((v) => ({ stat: v.stat, subjectId: v.subject.id, value: v.value })))).toEqual(openingExpected);
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/clutch_processor_retries_total [1-9]/);
  }, 60_000);
});
