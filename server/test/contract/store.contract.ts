// Store contract: migrations, transactions, the repositories and type round trips behave the same on
// PostgreSQL, TimescaleDB and PGlite. Each run gets an empty database of its own.
import type { LiveSummary } from '@clutch/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports/store.ts';
import { getMatch, lastSeqs, listMatches, upsertSummaries } from '../../src/store/matches.ts';
import { insertMetricPoints, metricBuckets } from '../../src/store/metrics.ts';
import { entitiesOf, getMatchStats, loadSnapshot, matchWindows, subjectHistory, upsertEntities, upsertWindows, writeMatchStats, type MatchStatsWrite, type WindowRow } from '../../src/store/stats.ts';
import type { MatchStatsView } from '@clutch/core';
import { ensureTenant } from '../../src/store/tenants.ts';
import { matchPredictions, writePredictions, type PredictionRows } from '../../src/store/predictions.ts';

export interface StoreFixture {
  store: Store;
  expectTimescale: boolean;
  close(): Promise<void>;
}

const summary = (tenant: string, matchId: string, lastSeq: number, score: [number, number] = [0, 0]): LiveSummary => ({
  tenant,
  matchId,
  title: 'cs2',
  status: 'live',
  teams: [
    { id: 'navi', name: 'Natus Vincere', score: score[0] },
    { id: 'vit', name: 'Vitality', score: score[1] },
  ],
  map: 'de_mirage',
  lastSeq,
  startedAt: '2026-11-24T10:00:00.000Z',
  updatedAt: new Date(Date.parse('2026-11-24T10:00:00.000Z') + lastSeq * 1000).toISOString(),
});

export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`Store contract — ${name}`, () => {
    let f: StoreFixture;
    let store: Store;

    beforeAll(async () => {
      f = await make();
      store = f.store;
      const first = await store.migrate();
      expect(first.applied).toContain('0001_initial');
      await ensureTenant(store.db, 'acme', 'Acme Esports');
      await ensureTenant(store.db, 'globex', 'Globex Gaming');
    });
    afterAll(async () => {
      await f?.close();
    });

    it('applies migrations once: a second run applies nothing', async () => {
      expect((await store.migrate()).applied).toEqual([]);
    });

    it('detects TimescaleDB exactly when the extension is there', () => {
      expect(store.features().timescale).toBe(f.expectTimescale);
    });

    it('answers ping while up', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('keeps the newer summary when an older seq arrives late (idempotent by seq)', async () => {
      expect(await upsertSummaries(store.db, [summary('acme', 'm-idem', 5, [3, 1])])).toBe(1);
      expect(await upsertSummaries(store.db, [summary('acme', 'm-idem', 3, [1, 1])])).toBe(0);
      expect(await upsertSummaries(store.db, [summary('acme', 'm-idem', 5, [9, 9])])).toBe(0);
      const m = await getMatch(store.db, 'acme', 'm-idem');
      expect(m).toMatchObject({ lastSeq: 5, status: 'live', title: 'cs2', map: 'de_mirage' });
      expect(m!.teams.map((t) => t.score)).toEqual([3, 1]);
      expect(m!.startedAt).toEqual(new Date('2026-11-24T10:00:00.000Z'));
      expect((await lastSeqs(store.db, 'acme', ['m-idem', 'nope'])).get('m-idem')).toBe(5);
    });

    it('never returns one tenant’s matches to another', async () => {
      await upsertSummaries(store.db, [summary('acme', 'm-a', 1), summary('globex', 'm-g', 1)]);
      const acme = await listMatches(store.db, 'acme', { limit: 100 });
      const globex = await listMatches(store.db, 'globex', { limit: 100 });
      expect(acme.map((m) => m.id)).toContain('m-a');
      expect(acme.every((m) => m.tenant === 'acme')).toBe(true);
      expect(globex.map((m) => m.id)).toEqual(['m-g']);
      expect(await getMatch(store.db, 'globex', 'm-a')).toBeUndefined();
    });

    it('writes many summaries in batches and lists them newest first', async () => {
      // Newest = latest start (a stable order for cursor pages: a match's start does not move).
      const many = Array.from({ length: 2500 }, (_, i) => ({ ...summary('globex', `bulk-${i}`, i + 1), startedAt: new Date(Date.parse('2026-11-24T10:00:00.000Z') + i * 1000).toISOString() }));
      expect(await upsertSummaries(store.db, many)).toBe(2500);
      const top = await listMatches(store.db, 'globex', { limit: 3, status: 'live' });
      expect(top.map((m) => m.id)).toEqual(['bulk-2499', 'bulk-2498', 'bulk-2497']);
    });

    it('rolls back everything of a transaction that throws', async () => {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await ensureTenant(trx, 'ghost', 'Ghost');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const r = await store.db.selectFrom('tenants').select('id').where('id', '=', 'ghost').execute();
      expect(r).toEqual([]);
    });

    it('keeps concurrent transactions apart: only the committed ones leave rows', async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `conc-${i}`);
      const outcomes = await Promise.allSettled(
        ids.map((id, i) =>
          store.db.transaction().execute(async (trx) => {
            await ensureTenant(trx, id, id);
            await sql`select pg_sleep(0.005)`.execute(trx);
            if (i % 2 === 0) throw new Error(`abort ${id}`);
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(6);
      const rows = await store.db.selectFrom('tenants').select('id').where('id', 'like', 'conc-%').orderBy('id').execute();
      expect(rows.map((r) => r.id).sort()).toEqual(ids.filter((_, i) => i % 2 === 1).sort());
    });

    it('round-trips jsonb, timestamptz and bigint, and refuses int8 beyond 2^53', async () => {
      const r = await sql<{ j: unknown; t: Date; n: number }>`select ${JSON.stringify({ a: [1, 'x', null] })}::jsonb as j, ${new Date('2026-01-02T03:04:05.678Z')}::timestamptz as t, ${'9007199254740991'}::int8 as n`.execute(store.db);
      expect(r.rows[0]).toEqual({ j: { a: [1, 'x', null] }, t: new Date('2026-01-02T03:04:05.678Z'), n: 9007199254740991 });
      await expect(sql`select ${'9007199254740993'}::int8 as n`.execute(store.db)).rejects.toThrow(/MAX_SAFE_INTEGER/);
    });

    it('aggregates metric points into time buckets', async () => {
      const t0 = Date.parse('2026-11-24T10:00:00.000Z');
      await insertMetricPoints(
        store.db,
        Array.from({ length: 120 }, (_, i) => ({
          time: new Date(t0 + i * 1000),
          tenant: 'acme',
          matchId: 'm-ts',
          subject: i % 2 ? 'team-b' : 'team-a',
          metric: 'gold',
          value: i,
        })),
      );
      // Another tenant's points for the same match id must not leak into the result.
      await insertMetricPoints(store.db, [{ time: new Date(t0), tenant: 'globex', matchId: 'm-ts', subject: 'team-a', metric: 'gold', value: 1e9 }]);
      const buckets = await metricBuckets(store.db, 'acme', { matchId: 'm-ts', metric: 'gold', bucketSeconds: 60, from: new Date(t0), to: new Date(t0 + 120_000) });
      expect(buckets).toEqual([
        { start: new Date(t0), subject: 'team-a', avg: 29, max: 58, count: 30 },
        { start: new Date(t0), subject: 'team-b', avg: 30, max: 59, count: 30 },
        { start: new Date(t0 + 60_000), subject: 'team-a', avg: 89, max: 118, count: 30 },
        { start: new Date(t0 + 60_000), subject: 'team-b', avg: 90, max: 119, count: 30 },
      ]);
    });

    describe('processing results', () => {
      const view = (matchId: string, lastSeq: number, kills: number): MatchStatsView => ({
        matchId,
        title: 'cs2',
        status: 'live',
        lastSeq,
        durationMs: 60_000,
        players: [
          { id: 'p1', name: 'One', team: 'navi', kills, deaths: 1, assists: 0, kda: kills },
          { id: 'p2', name: 'Two', team: 'vit', kills: 1, deaths: kills, assists: 0, kda: 1 },
        ],
        teams: [
          { id: 'navi', name: 'Natus Vincere', score: 1, kills, deaths: 1, assists: 0, objectives: {} },
          { id: 'vit', name: 'Vitality', score: 0, kills: 1, deaths: kills, assists: 0, objectives: {} },
        ],
      });
      const write = (tenant: string, matchId: string, lastSeq: number, kills: number): MatchStatsWrite => ({
        tenant,
        matchId,
        title: 'cs2',
        tournamentId: 'major',
        lastSeq,
        snapshotJson: JSON.stringify({ v: 1, at: lastSeq }),
        view: view(matchId, lastSeq, kills),
        playedAt: new Date('2026-11-24T10:00:00.000Z'),
        updatedAt: new Date('2026-11-24T10:05:00.000Z'),
      });
      const game = (tenant: string, matchId: string, subjectId: string, kills: number, lastSeq: number, time = '2026-11-24T10:00:00.000Z'): WindowRow => ({
        time: new Date(time),
        tenant,
        matchId,
        title: 'cs2',
        subjectKind: 'player',
        subjectId,
        win: 'game',
        idx: 0,
        kills,
        deaths: 1,
        assists: 0,
        lastSeq,
      });

      it('writes match stats once per seq: a lower or equal seq changes nothing, per tenant', async () => {
        await upsertSummaries(store.db, [summary('acme', 'ps-1', 10), summary('globex', 'ps-1', 10)]);
        expect([...(await writeMatchStats(store.db, [write('acme', 'ps-1', 10, 5)]))]).toEqual(['acme\u0000ps-1']);
        expect((await writeMatchStats(store.db, [write('acme', 'ps-1', 9, 1)])).size).toBe(0);
        expect((await writeMatchStats(store.db, [write('acme', 'ps-1', 10, 7)])).size).toBe(0);
        await writeMatchStats(store.db, [write('globex', 'ps-1', 10, 99)]);
        expect((await getMatchStats(store.db, 'acme', 'ps-1'))!.players[0]!.kills).toBe(5);
        expect(await loadSnapshot(store.db, 'acme', 'ps-1')).toEqual({ v: 1, at: 10 });
        const rows = await store.db.selectFrom('match_player_stats').select(['player_id', 'kills', 'tournament_id']).where('tenant_id', '=', 'acme').where('match_id', '=', 'ps-1').orderBy('player_id').execute();
        expect(rows).toEqual([
          { player_id: 'p1', kills: 5, tournament_id: 'major' },
          { player_id: 'p2', kills: 1, tournament_id: 'major' },
        ]);
        await upsertEntities(store.db, entitiesOf([write('acme', 'ps-1', 10, 5)]));
        await upsertEntities(store.db, entitiesOf([write('acme', 'ps-1', 10, 5)])); // unchanged: nothing to do, no error
        expect(await store.db.selectFrom('tournaments').select(['id']).where('tenant_id', '=', 'acme').execute()).toEqual([{ id: 'major' }]);
        const entities = await store.db.selectFrom('players').select(['id', 'name', 'team_id']).where('tenant_id', '=', 'acme').orderBy('id').execute();
        expect(entities).toEqual([
          { id: 'p1', name: 'One', team_id: 'navi' },
          { id: 'p2', name: 'Two', team_id: 'vit' },
        ]);
        expect((await getMatch(store.db, 'acme', 'ps-1'))!.lastSeq).toBe(10);
        expect(await store.db.selectFrom('matches').select(['tournament_id']).where('tenant_id', '=', 'acme').where('id', '=', 'ps-1').executeTakeFirst()).toEqual({ tournament_id: 'major' });
      });

      it('stores predictions once per (seq, kind), per tenant, and reads them back by seq as they were written', async () => {
        const pred = (seq: number, p: number, kind: 'live' | 'draft' = 'live') => ({ seq, kind, occurredAt: `2026-11-24T10:00:${String(seq).padStart(2, '0')}.000Z`, model: { name: 'cs2-round-markov', version: '1' }, teams: [{ id: 'navi', name: 'Natus "NaVi" Vincere', probability: p }], note: 'quotes " and \\ backslashes, ünïcode' });
        const rows = (tenant: string, matchId: string, list: ReturnType<typeof pred>[]): PredictionRows => ({ tenant, matchId, seq: list.map((x) => x.seq), kind: list.map((x) => x.kind), model: list.map((x) => x.model.name), version: list.map((x) => x.model.version), occurredAt: list.map((x) => x.occurredAt), json: list.map((x) => JSON.stringify(x)) });
        const first = [pred(1, 0.5, 'draft'), pred(1, 0.52), pred(2, 0.6), pred(3, 0.7)];
        await writePredictions(store.db, [rows('acme', 'p-1', first), rows('globex', 'p-1', [pred(1, 0.1)])]);
        // a replay with other values changes nothing; a new seq is added
        await writePredictions(store.db, [rows('acme', 'p-1', [pred(2, 0.99), pred(4, 0.8)])]);
        const all = await matchPredictions(store.db, 'acme', 'p-1', { afterSeq: 0, limit: 100 });
        expect(all).toEqual([...first, pred(4, 0.8)]);
        expect(await matchPredictions(store.db, 'acme', 'p-1', { afterSeq: 1, limit: 2 })).toEqual([pred(2, 0.6), pred(3, 0.7)]);
        expect(await matchPredictions(store.db, 'acme', 'p-1', { afterSeq: 0, limit: 100, kind: 'draft' })).toEqual([first[0]]);
        expect(await matchPredictions(store.db, 'globex', 'p-1', { afterSeq: 0, limit: 100 })).toEqual([pred(1, 0.1)]);
        await writePredictions(store.db, []);
      });

      it('upserts windows (a correction replaces the value, a replay does not) and sums games per day for a player', async () => {
        await upsertSummaries(store.db, [summary('acme', 'w-1', 3), summary('acme', 'w-2', 3)]);
        const feat = { timescale: store.features().timescale };
        const minute = (idx: number, kills: number, lastSeq: number): WindowRow => ({ ...game('acme', 'w-1', 'p1', kills, lastSeq), win: 'minute', idx, time: new Date(Date.parse('2026-11-24T10:00:00.000Z') + idx * 60_000) });
        await upsertWindows(store.db, [minute(0, 1, 1), minute(1, 2, 2), game('acme', 'w-1', 'p1', 2, 2)], feat);
        // a late event corrects minute 0 (seq 3); the batch replayed (seq 2) changes nothing
        await upsertWindows(store.db, [minute(0, 2, 3), minute(1, 3, 3), game('acme', 'w-1', 'p1', 3, 3)], feat);
        await upsertWindows(store.db, [minute(0, 1, 2), minute(1, 2, 2), game('acme', 'w-1', 'p1', 2, 2)], feat);
        const w = await matchWindows(store.db, 'acme', 'w-1', 'minute');
        expect(w.map((x) => [x.idx, x.values.kills])).toEqual([
          [0, 2],
          [1, 3],
        ]);
        // a second game the same day, another the next day, and another tenant's game
        await upsertWindows(store.db, [game('acme', 'w-2', 'p1', 4, 3, '2026-11-24T18:00:00.000Z'), game('acme', 'w-3', 'p1', 10, 1, '2026-11-25T09:00:00.000Z'), game('globex', 'w-1', 'p1', 50, 1)], feat);
        const days = await subjectHistory(store.db, 'acme', { kind: 'player', id: 'p1', from: new Date('2026-11-24T00:00:00.000Z'), to: new Date('2026-11-26T00:00:00.000Z') });
        expect(days).toEqual([
          { day: new Date('2026-11-24T00:00:00.000Z'), games: 2, kills: 7, deaths: 2, assists: 0, damage: null },
          { day: new Date('2026-11-25T00:00:00.000Z'), games: 1, kills: 10, deaths: 1, assists: 0, damage: null },
        ]);
      });
    });
  });
}
