// cs2-log on real CS2 server logs (../shared/data/fixtures/cs2-server-logs/*.log, never copied into
// the repository). Every draft must be valid, and totals are cross-checked against the capture
// itself, read here independently of the adapter: the Game Over line, the last MatchStatus, the
// last round_stats block and the cvars that must never leak.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { cs2LogAdapter } from '../../../src/ingest/adapters/cs2-log/adapter.ts';
import type { Draft } from '../../../src/ingest/adapters/types.ts';
import { countBy, ctx, describeWithSharedData, expectValidDrafts, run, sharedFile } from '../harness.ts';
import { bodies, ofType, toHttpFormat } from './helpers.ts';

const DIR = sharedFile('fixtures', 'cs2-server-logs');
const KNOWN = '0f870999-5f60-4259-7837-08de566fc039.log';
const c = ctx({ streamId: 'cs2-capture' });

/** What the capture says about itself, read with plain regexes (not the adapter's parser). */
function facts(text: string) {
  const rows = text.split('\n');
  const over = rows.findIndex((l) => /: Game Over: /.test(l));
  const gameOver = /score (\d+):(\d+) after/.exec(rows[over] ?? '');
  const played = rows.slice(0, over).flatMap((l) => /RoundsPlayed: (\d+)$/.exec(l)?.[1] ?? []).at(-1);
  // the last round_stats block before Game Over: per player kills and deaths (accountid > 0)
  const begin = rows.slice(0, over).findLastIndex((l) => l.endsWith(': JSON_BEGIN{'));
  const fields = (/"fields" : "([^"]*)"/.exec(rows.slice(begin).find((l) => l.includes('"fields"')) ?? '')?.[1] ?? '').split(',').map((f) => f.trim());
  const blockRows = rows.slice(begin, rows.findIndex((l, i) => i > begin && l.endsWith('}}JSON_END'))).flatMap((l) => /"player_\d+" : "([^"]*)"/.exec(l)?.[1]?.split(',').map(Number) ?? []);
  const players: number[][] = [];
  for (let i = 0; i < blockRows.length; i += fields.length) players.push(blockRows.slice(i, i + fields.length));
  const real = players.filter((p) => p[0]! > 0);
  const col = (name: string) => real.reduce((a, p) => a + p[fields.indexOf(name)]!, 0);
  const steam64 = (account: number) => (76561197960265728n + BigInt(account)).toString();
  const perPlayer = Object.fromEntries(real.map((p) => [steam64(p[0]!), { kills: p[fields.indexOf('kills')]!, deaths: p[fields.indexOf('deaths')]! }]));
  const stamp = /^L (\d\d)\/(\d\d)\/(\d{4}) - (\d\d:\d\d:\d\d)/.exec(rows[begin] ?? '');
  const secrets = [...text.matchAll(/: "[^"]*(?:password|secret|token)[^"]*" = "([^"]{6,})"/g)].map((m) => m[1]!).filter((v) => !/^(true|false|-?[\d.]+)$/.test(v));
  return {
    gameOver: gameOver ? [Number(gameOver[1]), Number(gameOver[2])] : undefined,
    roundsPlayed: played === undefined ? undefined : Number(played),
    block: { at: stamp ? `${stamp[3]}-${stamp[1]}-${stamp[2]}T${stamp[4]}.000Z` : '', kills: col('kills'), deaths: col('deaths'), assists: col('assists'), perPlayer },
    secrets,
  };
}

/** Kill events before the player.state drafts of the block at `at`, by category and per player. */
function killsBefore(drafts: Draft[], at: string) {
  const first = drafts.findIndex((d) => d.type === 'player.state' && d.occurredAt === at);
  const kills = ofType(drafts.slice(0, first), 'player.killed.player').map((k) => k.payload);
  const enemy = kills.filter((k) => k.killer && !k.teamKill);
  const perPlayer: Record<string, { kills: number; deaths: number }> = {};
  const of = (id: string) => (perPlayer[id] ??= { kills: 0, deaths: 0 });
  for (const k of enemy) of(k.killer!.id).kills++;
  for (const k of kills) of(k.victim.id).deaths++;
  return { totals: { all: kills.length, enemy: enemy.length, teamKills: kills.length - enemy.length - kills.filter((k) => !k.killer).length }, perPlayer };
}

describeWithSharedData('cs2-log: real CS2 server logs', () => {
  const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.log')) : [];

  it('has captures to check', () => expect(files.length).toBeGreaterThan(0));

  for (const file of files) {
    const text = readFileSync(`${DIR}/${file}`, 'utf8');
    const drafts = run(cs2LogAdapter, [text], c);
    const f = facts(text);

    it(`${file}: every draft is valid, keys unique, nothing before the live start`, () => {
      expectValidDrafts(cs2LogAdapter, drafts);
      const started = ofType(drafts, 'match.started');
      expect(started.length).toBeGreaterThan(0);
      expect(drafts[0]!.type).toBe('match.started');
      for (const d of drafts) expect(d.gameTime).toBeGreaterThanOrEqual(0);
    });

    it(`${file}: rounds won per team = match.ended score = Game Over score; round.ended count = RoundsPlayed`, () => {
      const ended = ofType(drafts, 'match.ended').find((e) => e.payload.reason === 'game_over')!;
      const rounds = ofType(drafts, 'round.ended').filter((r) => r.matchId === ended.matchId);
      const [started] = ofType(drafts, 'match.started').filter((s) => s.matchId === ended.matchId);
      const wins = started!.payload.teams.map((t) => rounds.filter((r) => r.payload.winner === t.id).length);
      expect(wins).toEqual(ended.payload.score);
      expect(ended.payload.score.toSorted((a, b) => a - b)).toEqual(f.gameOver!.toSorted((a, b) => a - b));
      expect(rounds.length).toBe(f.roundsPlayed);
      expect(rounds.map((r) => r.payload.round)).toEqual(rounds.map((_, i) => i + 1));
      expect(rounds.at(-1)!.payload.score).toEqual(ended.payload.score);
    });

    it(`${file}: kill events = the last round_stats block, player by player (enemy kills; every death)`, () => {
      const k = killsBefore(drafts, f.block.at);
      for (const [id, row] of Object.entries(f.block.perPlayer)) expect(k.perPlayer[id] ?? { kills: 0, deaths: 0 }, `player ${id}`).toEqual(row);
      const states = ofType(drafts, 'player.state').filter((s) => s.occurredAt === f.block.at);
      expect(states.reduce((a, s) => a + (s.payload.stats.kills ?? 0), 0)).toBe(f.block.kills);
    });

    it(`${file}: leaks no password, token or chat`, () => {
      const json = JSON.stringify(drafts);
      for (const s of f.secrets) expect(json).not.toContain(s);
      // chat long enough not to collide with a weapon or a name by chance
      for (const said of text.matchAll(/" say(?:_team)? "([^"]*\s[^"]*)"/g)) if (said[1]!.length >= 12) expect(json).not.toContain(said[1]);
    });

    it(`${file}: same events in 7-line bodies and in the HTTP line shape`, () => {
      expect(run(cs2LogAdapter, bodies(text, 7), c)).toEqual(drafts);
      const http = run(cs2LogAdapter, bodies(toHttpFormat(text, '000'), 13), c);
      expect(http.map((d) => [d.type, d.payload, d.occurredAt])).toEqual(drafts.map((d) => [d.type, d.payload, d.occurredAt]));
    });

    it(`${file}: parses in well under 100 ms`, () => {
      const body = Buffer.from(text);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        cs2LogAdapter.parse(body, cs2LogAdapter.initialState(), c);
        times.push(performance.now() - t0);
      }
      expect(times.toSorted((a, b) => a - b)[2]).toBeLessThan(100);
    });
  }

  it.skipIf(!files.includes(KNOWN))(`${KNOWN}: the exact totals`, () => {
    const text = readFileSync(`${DIR}/${KNOWN}`, 'utf8');
    const drafts = run(cs2LogAdapter, [text], c);
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'match.started': 1,
      'player.money.changed': 653,
      'player.purchased.item': 310,
      'round.started': 15,
      'player.threw.grenade': 68,
      'player.blinded.player': 51,
      'player.damaged.player': 627,
      'player.killed.player': 116,
      'player.assisted.player': 52,
      'round.ended': 15,
      'player.state': 140,
      'bomb.planted': 1,
      'bomb.defused': 1,
      'player.switched.team': 10,
      'match.ended': 1,
    });
    const [started] = ofType(drafts, 'match.started');
    expect(started!.matchId).toBe('cs2-cs2-capture-20260119190317');
    expect(started!.payload.teams.map((t) => t.id)).toEqual(['rvls-test-team-1', 'rvls-test-2']);
    expect(ofType(drafts, 'match.ended')[0]!.payload).toMatchObject({ winner: 'rvls-test-team-1', score: [13, 2], durationMs: 596_000 });
    // the last round_stats block (after round 14): 92 kills of enemies + 19 team kills = 111 deaths
    expect(killsBefore(drafts, '2026-01-19T19:12:57.000Z').totals).toEqual({ all: 111, enemy: 92, teamKills: 19 });
    expect(facts(text).block).toMatchObject({ kills: 92, deaths: 111, assists: 43 });
    // after that block: round 15, 5 more kills (116 kill events while live)
    expect(ofType(drafts, 'player.killed.player').filter((k) => k.occurredAt > '2026-01-19T19:12:57.000Z')).toHaveLength(5);
    // assists: CS counts assists on enemies only (6 of the 49 assist lines helped a team kill)
    const assists = ofType(drafts.slice(0, drafts.findIndex((d) => d.occurredAt === '2026-01-19T19:12:57.000Z' && d.type === 'player.state')), 'player.assisted.player');
    expect(assists.filter((a) => a.payload.assister.team !== a.payload.victim.team).length).toBe(43);
  });
});
