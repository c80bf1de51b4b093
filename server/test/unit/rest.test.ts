// REST v1 history: matches (filters, cursor pages), tournaments with standings, series, teams with
// rosters, head-to-head, players and their stat history, a match's raw events and its state at a
// seq or time, ETags — over matches that went through the real pipeline (embedded adapters).
import type { Envelope } from '@clutch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecord } from '../../src/events/codec.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { envelope } from '../support/events.ts';

const team = (id: string) => ({ id, name: id.toUpperCase() });
const pl = (id: string, t: string) => ({ id, name: id, team: t });
const DAY = 86_400_000;

async function until(ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A CS2 map between two teams: `a` wins rounds 1 and 3 (2–1) unless `bWins`; each round opens with a kill. Starts `daysAgo` days before 2026-11-24T18:00Z. */
function cs2Map(o: { id: string; a: string; b: string; bWins?: boolean; daysAgo: number; tournament?: string; series?: string; finish?: boolean }): Envelope[] {
  const base = { tenant: 'demo', title: 'cs2' as const, matchId: o.id, ...(o.tournament ? { tournamentId: o.tournament } : {}), ...(o.series ? { seriesId: o.series } : {}) };
  const [w, l] = o.bWins ? [o.b, o.a] : [o.a, o.b];
  const evs: Envelope[] = [envelope(base, 1, 'match.started', { teams: [team(o.a), team(o.b)], map: 'de_nuke' })];
  const winners = [w, l, w];
  const score: Record<string, number> = { [o.a]: 0, [o.b]: 0 };
  winners.forEach((rw, i) => {
    const rl = rw === o.a ? o.b : o.a;
    evs.push(envelope(base, evs.length + 1, 'player.killed.player', { killer: pl(`${rw}-1`, rw), victim: pl(`${rl}-1`, rl), weapon: 'ak47', headshot: i === 0 }));
    score[rw]!++;
    evs.push(envelope(base, evs.length + 1, 'round.ended', { round: i + 1, winner: rw, score: [score[o.a]!, score[o.b]!] }));
  });
  if (o.finish !== false) evs.push(envelope(base, evs.length + 1, 'match.ended', { winner: w, score: [score[o.a]!, score[o.b]!] }));
  const shift = o.daysAgo * DAY;
  return evs.map((e) => ({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) - shift).toISOString(), receivedAt: new Date(Date.parse(e.receivedAt) - shift).toISOString() }));
}

describe('REST v1 history', () => {
  let t: TestApp;
  const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
  const json = async (url: string) => {
    const r = await get(url);
    expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    return r.json();
  };
  const maps = [
    cs2Map({ id: 'iem-s1-m1', a: 'navi', b: 'vit', daysAgo: 3, tournament: 'iem', series: 'iem-s1' }),
    cs2Map({ id: 'iem-s1-m2', a: 'navi', b: 'vit', bWins: true, daysAgo: 3, tournament: 'iem', series: 'iem-s1' }),
    cs2Map({ id: 'iem-s1-m3', a: 'navi', b: 'vit', daysAgo: 3, tournament: 'iem', series: 'iem-s1' }),
    cs2Map({ id: 'iem-m4', a: 'faze', b: 'navi', daysAgo: 2, tournament: 'iem' }),
    cs2Map({ id: 'blast-m1', a: 'faze', b: 'vit', daysAgo: 40, tournament: 'blast' }),
    cs2Map({ id: 'live-m1', a: 'vit', b: 'faze', daysAgo: 0, tournament: 'iem', finish: false }),
  ];

  beforeAll(async () => {
    t = await embeddedApp();
    await t.app.ready();
    const topic = topicNames(t.config.kafkaTopicPrefix).events;
    await t.infra.eventLog.append(maps.flat().map((e) => toRecord(topic, e)));
    // Processed and archived: the last event of every match is in the archive, and its stats written
    // with the tournament and series ids.
    await until(async () => {
      const done = await Promise.all(maps.map(async (m) => (await get(`/v1/matches/${m[0]!.matchId}/events?afterSeq=${m.length - 1}`)).json()?.data?.length === 1));
      const stats = await Promise.all(maps.map(async (m) => (await get(`/v1/matches/${m[0]!.matchId}`)).json()?.lastSeq === m.length));
      const series = (await get('/v1/matches?series=iem-s1')).json()?.data?.length === 3;
      return done.every(Boolean) && stats.every(Boolean) && series;
    }, 20_000);
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('lists matches newest first, filtered, and pages through them with a cursor: every match once', async () => {
    const all = await json('/v1/matches?limit=200');
    expect(all.data.map((m: { id: string }) => m.id)).toEqual(['live-m1', 'iem-m4', 'iem-s1-m3', 'iem-s1-m2', 'iem-s1-m1', 'blast-m1']);
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: { data: Array<{ id: string }>; next: string | null } = await json(`/v1/matches?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.data.map((m) => m.id));
      cursor = p.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.data.map((m: { id: string }) => m.id));

    const ids = async (q: string) => (await json(`/v1/matches?${q}`)).data.map((m: { id: string }) => m.id);
    expect(await ids('tournament=blast')).toEqual(['blast-m1']);
    expect(await ids('team=faze&status=finished')).toEqual(['iem-m4', 'blast-m1']);
    expect(await ids('player=faze-1')).toEqual(['live-m1', 'iem-m4', 'blast-m1']);
    expect(await ids('status=live')).toEqual(['live-m1']);
    expect(await ids('from=2026-11-20T00:00:00Z&to=2026-11-22T12:00:00Z')).toEqual(['iem-s1-m3', 'iem-s1-m2', 'iem-s1-m1']);
    expect(await ids('title=lol')).toEqual([]);
    const m = (await json('/v1/matches?series=iem-s1&limit=1')).data[0];
    expect(m).toMatchObject({ id: 'iem-s1-m3', tournamentId: 'iem', seriesId: 'iem-s1', status: 'finished', winner: 'navi' });
  });

  it('answers bad list parameters with 400 and a coded error', async () => {
    const bad = async (url: string, code: string) => {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().code, url).toBe(code);
    };
    await bad('/v1/matches?cursor=bm90LWpzb24', 'CLUTCH_BAD_CURSOR');
    await bad(`/v1/matches?cursor=${Buffer.from('{"s":1}').toString('base64url')}`, 'CLUTCH_BAD_CURSOR');
    await bad('/v1/matches?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z', 'CLUTCH_RANGE_TOO_LONG');
    await bad('/v1/matches?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'CLUTCH_RANGE_TOO_LONG');
    await bad('/v1/matches?team=a%20b', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/matches?limit=201', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/players?sort=name', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/players/navi-1/stats?bucket=year', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/teams/navi/head-to-head/navi', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/matches/iem-m4/state?seq=2&at=2026-11-22T18:00:00Z', 'CLUTCH_BAD_REQUEST');
    await bad('/v1/matches/iem-m4/state', 'CLUTCH_BAD_REQUEST');
  });

  it('shows tournaments with standings, and series with their games and score', async () => {
    const ts = await json('/v1/tournaments');
    expect(ts.data.map((x: { id: string; matches: number; live: number }) => [x.id, x.matches, x.live])).toEqual([
      ['blast', 1, 0],
      ['iem', 5, 1],
    ]);
    const iem = await json('/v1/tournaments/iem');
    // navi: won m1, m3, lost m2 (vit) and iem-m4 (faze won 2–1)
    expect(iem.standings).toEqual([
      { team: { id: 'navi', name: 'NAVI' }, played: 4, wins: 2, losses: 2 },
      { team: { id: 'faze', name: 'FAZE' }, played: 1, wins: 1, losses: 0 },
      { team: { id: 'vit', name: 'VIT' }, played: 3, wins: 1, losses: 2 },
    ]);
    const s = await json('/v1/series/iem-s1');
    expect(s).toMatchObject({ id: 'iem-s1', title: 'cs2', tournamentId: 'iem', status: 'finished', winner: 'navi' });
    expect(s.teams).toEqual([
      { id: 'navi', name: 'NAVI', wins: 2 },
      { id: 'vit', name: 'VIT', wins: 1 },
    ]);
    expect(s.games.map((g: { id: string; winner: string }) => [g.id, g.winner])).toEqual([
      ['iem-s1-m1', 'navi'],
      ['iem-s1-m2', 'vit'],
      ['iem-s1-m3', 'navi'],
    ]);
    expect((await json('/v1/series?tournament=iem')).data.map((x: { id: string }) => x.id)).toEqual(['iem-s1']);
    expect((await get('/v1/series/nope')).json().code).toBe('CLUTCH_SERIES_NOT_FOUND');
    expect((await get('/v1/tournaments/nope')).statusCode).toBe(404);
  });

  it('shows teams with rosters, head-to-head, and players with their matches', async () => {
    const navi = await json('/v1/teams/navi');
    expect(navi.roster.map((p: { id: string }) => p.id)).toEqual(['navi-1']);
    expect(navi.recentMatches.map((m: { id: string }) => m.id)).toEqual(['iem-m4', 'iem-s1-m3', 'iem-s1-m2', 'iem-s1-m1']);
    const h2h = await json('/v1/teams/navi/head-to-head/vit');
    expect(h2h).toMatchObject({ teams: ['navi', 'vit'], played: 3, wins: { navi: 2, vit: 1 }, draws: 0 });
    expect(h2h.matches.map((m: { id: string }) => m.id)).toEqual(['iem-s1-m3', 'iem-s1-m2', 'iem-s1-m1']);
    expect((await get('/v1/teams/navi/head-to-head/nope')).json().code).toBe('CLUTCH_TEAM_NOT_FOUND');
    expect((await json('/v1/teams?name=FA')).data.map((x: { id: string }) => x.id)).toEqual(['faze']);
    const players = await json('/v1/players?limit=2');
    expect(players.data.map((p: { id: string }) => p.id)).toEqual(['faze-1', 'navi-1']);
    expect((await json(`/v1/players?limit=2&cursor=${players.next}`)).data.map((p: { id: string }) => p.id)).toEqual(['vit-1']);
    expect((await json('/v1/players?team=vit')).data.map((p: { id: string }) => p.id)).toEqual(['vit-1']);
    expect((await json('/v1/players?name=%25')).data).toEqual([]); // LIKE wildcards are literal
    const p = await json('/v1/players/navi-1');
    expect(p).toMatchObject({ id: 'navi-1', teamId: 'navi', title: 'cs2' });
    expect(p.recentMatches).toHaveLength(4);
    expect((await get('/v1/players/nope')).json().code).toBe('CLUTCH_PLAYER_NOT_FOUND');
  });

  it("sums a player's and a team's games per day and per month", async () => {
    // navi-1's kills: 2 in each map navi won (m1, m3), 1 in each it lost (m2, iem-m4).
    const daily = await json('/v1/players/navi-1/stats?from=2026-11-01T00:00:00Z&to=2026-11-25T00:00:00Z&bucket=day');
    expect(daily.data.map((d: { time: string; games: number; kills: number }) => [d.time.slice(0, 10), d.games, d.kills])).toEqual([
      ['2026-11-21', 3, 5],
      ['2026-11-22', 1, 1],
    ]);
    const monthly = await json('/v1/players/navi-1/stats?from=2026-10-01T00:00:00Z&to=2026-11-25T00:00:00Z&bucket=month');
    expect(monthly.data.map((d: { time: string; games: number; kills: number }) => [d.time.slice(0, 10), d.games, d.kills])).toEqual([['2026-11-01', 4, 6]]);
    const vit = await json('/v1/teams/vit/stats?from=2026-10-01T00:00:00Z&to=2026-11-25T00:00:00Z&bucket=month');
    expect(vit.data.map((d: { time: string; games: number }) => [d.time.slice(0, 10), d.games])).toEqual([
      ['2026-10-01', 1],
      ['2026-11-01', 4],
    ]);
  });

  it("serves a match's raw events in pages, and its state at a seq or a time", async () => {
    const m = maps[3]!; // iem-m4, 8 events
    const first = await json('/v1/matches/iem-m4/events?limit=3');
    expect(first.data.map((e: Envelope) => e.seq)).toEqual([1, 2, 3]);
    expect(first.data[0]).toEqual(m[0]);
    expect(first.next).toBe(3);
    const rest = await json(`/v1/matches/iem-m4/events?afterSeq=${first.next}&limit=100`);
    expect(rest.data.map((e: Envelope) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(rest.next).toBeNull();
    expect((await json('/v1/matches/iem-m4/events?types=round.ended')).data.map((e: Envelope) => e.seq)).toEqual([3, 5, 7]);
    expect((await get('/v1/matches/nope/events')).statusCode).toBe(404);

    // After round 2 (seq 5): 1–1, one kill each.
    const at5 = await json('/v1/matches/iem-m4/state?seq=5');
    expect(at5).toMatchObject({ matchId: 'iem-m4', seq: 5, match: { status: 'live', teams: [{ id: 'faze', score: 1 }, { id: 'navi', score: 1 }] } });
    const kills = (s: { stats: { players: Array<{ id: string; kills: number }> } }) => Object.fromEntries(s.stats.players.map((p) => [p.id, p.kills]));
    expect(kills(at5)).toEqual({ 'faze-1': 1, 'navi-1': 1 });
    // The same moment by time: the last event at or before the time of seq 5.
    const byTime = await json(`/v1/matches/iem-m4/state?at=${encodeURIComponent(m[4]!.occurredAt)}`);
    expect(byTime.seq).toBe(5);
    expect(byTime.stats).toEqual(at5.stats);
    // At the end it equals the live pipeline's final stats.
    const end = await json('/v1/matches/iem-m4/state?seq=8');
    expect(end.stats).toEqual(await json('/v1/matches/iem-m4/stats'));
    expect(end.match).toMatchObject({ status: 'finished', winner: 'faze' });
    expect((await get(`/v1/matches/iem-m4/state?at=2020-01-01T00:00:00Z`)).json().code).toBe('CLUTCH_STATE_NOT_FOUND');
    expect((await get('/v1/matches/iem-m4/state?seq=9')).json().code).toBe('CLUTCH_STATE_NOT_ARCHIVED');
    expect((await get('/v1/matches/iem-m4/state?seq=9')).statusCode).toBe(409);
  });

  it('tags answers with an ETag and answers 304 when the client has them, with a Cache-Control per kind of data', async () => {
    const r = await get('/v1/matches/iem-m4/state?seq=5');
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(r.headers['cache-control']).toBe('private, max-age=86400');
    const again = await get('/v1/matches/iem-m4/state?seq=5', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const live = await get('/v1/matches?status=live');
    expect(live.headers['cache-control']).toBe('private, no-cache');
    expect((await get('/v1/matches?status=live', { 'if-none-match': '"other"' })).statusCode).toBe(200);
    // A change makes a new tag: the live match moves on.
    const before = (await get('/v1/matches/live-m1')).headers.etag;
    const topic = topicNames(t.config.kafkaTopicPrefix).events;
    const live1 = maps[5]!;
    const base = { tenant: 'demo', title: 'cs2' as const, matchId: 'live-m1', tournamentId: 'iem' };
    await t.infra.eventLog.append([toRecord(topic, { ...envelope(base, live1.length + 1, 'match.ended', { winner: 'vit', score: [2, 1] }), occurredAt: new Date().toISOString() })]);
    await expect.poll(async () => (await get('/v1/matches/live-m1', { 'if-none-match': before as string })).statusCode, { timeout: 10_000 }).toBe(200);
  });
});
