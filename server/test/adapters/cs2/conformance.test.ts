// The CS2 JSON adapters on the real material in ../shared/data (skipped, with a message, when it is
// absent): a GSI body captured from a spectator HUD (FaZe vs NaVi, de_dust2, round 11), and MatchZy's
// official OpenAPI event schema, whose field examples are composed into one body per event.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { cs2Gsi } from '../../../src/ingest/adapters/cs2/gsi.ts';
import { get5, matchzy, MAPPED_EVENTS, REMEMBERED_EVENTS, UNMAPPED_EVENTS } from '../../../src/ingest/adapters/cs2/webhook.ts';
import { countBy, ctx, describeWithSharedData, expectValidDrafts, run, sharedFile } from '../harness.ts';
import { payloads } from './helpers.ts';
import { parseYaml } from './mini-yaml.ts';

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON/YAML documents

const capture = (): P => JSON.parse(readFileSync(sharedFile('fixtures', 'csgo-gsi', 'output.js'), 'utf8')) as P;

describeWithSharedData('cs2-gsi on a real spectator capture (csgo-gsi/output.js)', () => {
  it('establishes state from the first payload: one snapshot, no events, totals matching the capture', () => {
    const gsi = capture();
    const drafts = run(cs2Gsi, [JSON.stringify(gsi)], ctx({ streamId: 'HUD observer' }));
    expectValidDrafts(cs2Gsi, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'player.state': 10, 'team.state': 2 });
    expect(drafts[0]!.matchId).toBe('cs2gsi-hud-observer-20220608120036');

    // Round score vs the round history in the same body: 7 CT wins and 3 T wins in 10 rounds.
    const wins = Object.values(gsi.map.round_wins as Record<string, string>);
    const teams = payloads(drafts, 'team.state');
    expect(teams.map((t) => [t.team.id, t.team.side, t.stats.score])).toEqual([['faze-clan', 'ct', 7], ['natus-vincere', 't', 3]]);
    expect(wins.filter((w) => w.startsWith('ct_')).length).toBe(teams[0]!.stats.score);
    expect(wins.filter((w) => w.startsWith('t_')).length).toBe(teams[1]!.stats.score);
    expect(wins.length).toBe(gsi.map.round);

    // Every kill of one team is a death of the other: 44 FaZe kills = 44 NaVi deaths, 20 = 20.
    const players = payloads(drafts, 'player.state');
    const sum = (team: string, f: 'kills' | 'deaths') => players.filter((p) => p.player.team === team).reduce((n, p) => n + (p.stats[f] ?? 0), 0);
    expect([sum('faze-clan', 'kills'), sum('natus-vincere', 'deaths')]).toEqual([44, 44]);
    expect([sum('natus-vincere', 'kills'), sum('faze-clan', 'deaths')]).toEqual([20, 20]);
    // Team money and alive players are the sums over the visible players.
    expect(teams[0]!.stats).toMatchObject({ money: 35250, alive: 3, timeoutsRemaining: 4 });
  });

  it('emits nothing for the change the capture itself records (`previously`: positions only)', () => {
    const now = capture();
    const before = structuredClone(now);
    for (const [id, prev] of Object.entries(now.previously.allplayers as Record<string, P>)) Object.assign(before.allplayers[id], prev);
    const drafts = run(cs2Gsi, [JSON.stringify(before), JSON.stringify(now)]);
    expect(drafts.filter((d) => !d.key.startsWith('join:'))).toEqual([]);
  });

  it('derives the next kill and round end from the capture moved forward, with totals that still add up', () => {
    const now = capture();
    const kill = structuredClone(now);
    kill.provider.timestamp += 4;
    Object.assign(kill.allplayers['76561197997351207'].match_stats, { kills: 19 }); // rain
    Object.assign(kill.allplayers['76561197997351207'].state, { round_kills: 2, round_killhs: 2 });
    Object.assign(kill.allplayers['76561198034202275'].match_stats, { deaths: 10 }); // s1mple
    Object.assign(kill.allplayers['76561198034202275'].state, { health: 0 });
    const over = structuredClone(kill);
    over.provider.timestamp += 1;
    over.round = { phase: 'over', win_team: 'CT' };
    Object.assign(over.map, { round: 11, team_ct: { ...over.map.team_ct, score: 8 }, round_wins: { ...over.map.round_wins, 11: 'ct_win_elimination' } });
    const drafts = run(cs2Gsi, [now, kill, over].map((p) => JSON.stringify(p)));
    expectValidDrafts(cs2Gsi, drafts);
    const kills = payloads(drafts, 'player.killed.player');
    expect(kills.map((k) => [k.killer?.name, k.killer?.team, k.victim.name, k.victim.team, k.headshot])).toEqual([['rain', 'faze-clan', 's1mple', 'natus-vincere', true]]);
    const [ended] = payloads(drafts, 'round.ended');
    expect(ended).toEqual({ round: 11, winner: 'faze-clan', winnerSide: 'ct', score: [8, 3], reason: 'elimination', extra: { roundWin: 'ct_win_elimination' } });
    expect(ended!.score[0] + ended!.score[1]).toBe(over.map.round);
  });
});

/** One example body per schema node: `example` values, first enum values, minimums, composed through $ref/allOf. */
function compose(node: P, root: P): unknown {
  if (node.example !== undefined) return node.example;
  if (typeof node.$ref === 'string') return compose(node.$ref.replace(/^#\//, '').split('/').reduce((o: P, k: string) => o[k] as P, root), root);
  if (node.allOf || node.properties) {
    const parts = ((node.allOf ?? []) as P[]).map((p) => compose(p, root));
    const scalar = parts.find((p) => typeof p !== 'object' || p === null || Array.isArray(p));
    if (scalar !== undefined && !node.properties) return scalar;
    const out: P = {};
    for (const p of parts) if (typeof p === 'object' && p !== null) Object.assign(out, p);
    for (const [k, v] of Object.entries((node.properties ?? {}) as P)) out[k] = compose(v as P, root);
    return out;
  }
  if (Array.isArray(node.enum)) return node.enum[0];
  if (node.type === 'array') return node.items ? [compose(node.items as P, root)] : [];
  if (node.type === 'integer' || node.type === 'number') return node.minimum ?? 0;
  if (node.type === 'boolean') return false;
  return node.type === 'string' ? '' : null;
}

function schemaBodies(): P[] {
  const schema = parseYaml(readFileSync(sharedFile('fixtures', 'cs2-matchzy', 'event_schema.yml'), 'utf8')) as P;
  return Object.values(schema.webhooks as P).map((w) => compose((w as P).post.requestBody.content['application/json'].schema as P, schema) as P);
}

describeWithSharedData('matchzy on its official event schema (cs2-matchzy/event_schema.yml)', () => {
  it('has every schema event either mapped, remembered or deliberately unmapped', () => {
    const names = schemaBodies().map((b) => b.event as string);
    expect(names).toEqual(['series_start', 'map_result', 'series_end', 'side_picked', 'map_picked', 'map_vetoed', 'going_live', 'round_end', 'demo_upload_ended']);
    const known = new Set<string>([...MAPPED_EVENTS, ...REMEMBERED_EVENTS, ...UNMAPPED_EVENTS]);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names.filter((n) => MAPPED_EVENTS.includes(n))).toEqual(['map_result', 'going_live', 'round_end']);
    expect(names.filter((n) => (UNMAPPED_EVENTS as readonly string[]).includes(n))).toEqual(['series_end', 'map_vetoed', 'demo_upload_ended']);
  });

  it('parses every example body to valid drafts, alone and in sequence, as matchzy and as get5', () => {
    const all = schemaBodies();
    for (const body of all) {
      for (const adapter of [matchzy, get5]) expectValidDrafts(adapter, run(adapter, [JSON.stringify(body)]));
    }
    const drafts = run(matchzy, all.map((b) => JSON.stringify(b)));
    expectValidDrafts(matchzy, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'match.ended': 1, 'match.started': 1, 'round.ended': 1, 'player.state': 4, 'team.state': 4 });
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['matchzy-14272-0']));
  });

  it('carries the examples through: scores, team names, per-player stats', () => {
    const bodies = schemaBodies();
    const roundEnd = bodies.find((b) => b.event === 'round_end')!;
    const drafts = run(matchzy, [JSON.stringify(roundEnd)]);
    const [ended] = payloads(drafts, 'round.ended');
    expect(ended!.score).toEqual([roundEnd.team1.score, roundEnd.team2.score]);
    // Both example teams are "Natus Vincere": their ids are kept apart.
    expect(payloads(drafts, 'team.state').map((t) => t.team)).toEqual([
      { id: 'natus-vincere-team1', name: 'Natus Vincere', side: 'ct' },
      { id: 'natus-vincere-team2', name: 'Natus Vincere', side: 'ct' },
    ]);
    const example = roundEnd.team1.players[0].stats;
    expect(payloads(drafts, 'player.state')[0]!.stats).toEqual({
      kills: example.kills, deaths: example.deaths, assists: example.assists, damage: example.damage,
      headshots: example.headshot_kills, mvps: example.mvp, score: example.score,
    });
  });
});

