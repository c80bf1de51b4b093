// Faceit (CS2/CS:GO): webhooks say when a match is ready, finished, aborted or cancelled; the Data
// API match says the same as a document; its statistics give each map's final lines. Faceit has no
// game clock, so drafts have no gameTime. State remembers each match's teams (which faction is
// which, its start and end times) so statistics arriving later line up with the webhooks.
import type { EventType, PayloadOf, TeamRef } from '@clutch/core';
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, Draft, ParseOutput } from '../types.ts';
import { isObj, optCount, optNum, parseJson, slug, type Obj } from '../util.ts';
import { readMatchDoc, readStats, readWebhook, SOURCE, type FMapStats, type FMapTeam, type FMatch, type FStats, type FTeam } from './read.ts';

const MAX_REMEMBERED_MATCHES = 64;

interface Memo {
  /** match.started / match.ended already emitted (by a webhook, the match document or statistics). */
  started?: boolean;
  ended?: boolean;
  teams?: [FTeam, FTeam];
  bestOf?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface FaceitState {
  /** By Faceit match id, oldest first; at most MAX_REMEMBERED_MATCHES. */
  matches: Record<string, Memo>;
}

interface Target {
  matchId: string;
  seriesId?: string;
}

function draft<T extends EventType>(target: Target, type: T, payload: PayloadOf<T>, occurredAt: string, key: string): Draft {
  return { type, payload, title: 'cs2', matchId: target.matchId, ...(target.seriesId ? { seriesId: target.seriesId } : {}), occurredAt, key } as Draft;
}

const teamRefs = (teams: [FTeam, FTeam]): [TeamRef, TeamRef] => [
  { id: teams[0].id, name: teams[0].name },
  { id: teams[1].id, name: teams[1].name },
];

function remember(state: FaceitState, id: string, update: Memo): FaceitState {
  const { [id]: old, ...rest } = state.matches;
  const merged: Memo = { ...old };
  for (const [k, v] of Object.entries(update)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  const entries = Object.entries({ ...rest, [id]: merged });
  return { matches: Object.fromEntries(entries.slice(-MAX_REMEMBERED_MATCHES)) };
}

/** Webhooks and the match document: start at ready/configuring, end at finished/aborted/cancelled. */
function lifecycle(m: FMatch, memo: Memo, ctx: AdapterContext): Draft[] {
  const target = { matchId: `faceit-${m.id}` };
  const teams = m.teams ?? memo.teams;
  const bestOf = m.bestOf ?? memo.bestOf;
  const out: Draft[] = [];
  if ((m.status === 'started' || m.status === 'finished') && teams && !memo.started) {
    const payload = { teams: teamRefs(teams), ...(m.map && bestOf === 1 ? { map: m.map } : {}), ...(bestOf && bestOf <= 9 ? { bestOf } : {}) };
    out.push(draft(target, 'match.started', payload, m.startedAt ?? memo.startedAt ?? m.eventAt ?? ctx.receivedAt, 'match.started'));
  }
  if (memo.ended) return out;
  if (m.status === 'finished' && m.results) {
    const winner = m.results.winner && teams ? teams[m.results.winner === 'faction1' ? 0 : 1].id : undefined;
    // For a best of 3 the score counts maps; for a best of 1 it is 1–0 until statistics give rounds.
    const payload = { ...(winner ? { winner } : {}), score: m.results.score, scoreUnit: 'maps' as const };
    out.push(draft(target, 'match.ended', payload, m.finishedAt ?? m.eventAt ?? ctx.receivedAt, 'match.ended'));
  }
  if (m.status === 'aborted' || m.status === 'cancelled') {
    const payload = { score: m.results?.score ?? ([0, 0] as [number, number]), reason: m.status };
    out.push(draft(target, 'match.ended', payload, m.finishedAt ?? m.eventAt ?? ctx.receivedAt, 'match.ended'));
  }
  return out;
}

/** Orders a map's two teams as faction1, faction2 (when the match is known) and names them. */
function mapTeams(map: FMapStats, memo: Memo): [FMapTeam & { ref: FTeam }, FMapTeam & { ref: FTeam }] {
  const known = memo.teams;
  const pair = map.teams.map((t, i) => {
    const byFaction = known?.find((k) => k.factionId !== undefined && k.factionId === t.factionId);
    const ref: FTeam = byFaction ?? { faction: i === 0 ? 'faction1' : 'faction2', factionId: t.factionId, id: slug(t.name || `faction${i + 1}`), name: t.name || `Faction ${i + 1}` };
    return { ...t, ref };
  });
  if (known && pair[0]!.ref.faction === 'faction2') pair.reverse();
  if (pair[0]!.ref.id === pair[1]!.ref.id) pair.forEach((p, i) => (p.ref = { ...p.ref, id: `faction${i + 1}` }));
  return pair as [FMapTeam & { ref: FTeam }, FMapTeam & { ref: FTeam }];
}

function playerStats(s: Obj, rounds: number | undefined) {
  const adr = optNum(s.ADR);
  const damage = optNum(s.Damage) ?? (adr !== undefined && rounds !== undefined ? Math.round(adr * rounds) : undefined);
  const stats = { kills: optCount(s.Kills), deaths: optCount(s.Deaths), assists: optCount(s.Assists), headshots: optCount(s.Headshots), mvps: optCount(s.MVPs), damage };
  return Object.fromEntries(Object.entries(stats).filter(([, v]) => v !== undefined));
}

/** One map's statistics: its start, every player's and team's final line, its result. */
function mapEvents(stats: FStats, map: FMapStats, memo: Memo, ctx: AdapterContext): Draft[] {
  const series = (stats.bestOf ?? memo.bestOf ?? 1) > 1 || stats.maps.length > 1;
  // One match per map of a series, grouped by seriesId; a best of 1 is the Faceit match itself.
  const target: Target = series ? { matchId: `faceit-${stats.id}-${map.n}`, seriesId: `faceit-${stats.id}` } : { matchId: `faceit-${stats.id}` };
  const at = (series ? undefined : memo.finishedAt) ?? ctx.receivedAt;
  const teams = mapTeams(map, memo);
  const refs: [TeamRef, TeamRef] = [
    { id: teams[0].ref.id, name: teams[0].ref.name },
    { id: teams[1].ref.id, name: teams[1].ref.name },
  ];
  const out: Draft[] = [];
  const start = { teams: refs, ...(map.map ? { map: map.map } : {}), ...(map.mode ? { mode: map.mode } : {}) };
  if (series || !memo.started) out.push(draft(target, 'match.started', start, (series ? undefined : memo.startedAt) ?? at, 'match.started'));
  for (const t of teams) {
    for (const p of t.players) {
      const payload = { player: { id: p.id, name: p.name, team: t.ref.id }, stats: playerStats(p.stats, map.rounds) };
      out.push(draft(target, 'player.state', payload, at, `ps:${p.id}`));
    }
    const kills = t.players.reduce((a, p) => a + (optCount(p.stats.Kills) ?? 0), 0);
    out.push(draft(target, 'team.state', { team: { id: t.ref.id, name: t.ref.name }, stats: { ...(t.score !== undefined ? { score: t.score } : {}), kills } }, at, `ts:${t.ref.id}`));
  }
  const score: [number, number] = [teams[0].score ?? 0, teams[1].score ?? 0];
  const winner = teams.find((t) => (map.winnerId !== undefined && t.factionId === map.winnerId) || (map.winnerId === undefined && t.win === true));
  // A best of 1 already had a match.ended (maps 1–0) from the webhook or match: this one refines it to rounds.
  out.push(draft(target, 'match.ended', { ...(winner ? { winner: winner.ref.id } : {}), score }, at, series ? 'match.ended' : 'match.ended.rounds'));
  return out;
}

export const faceit: Adapter<FaceitState> = {
  source: SOURCE,
  title: 'cs2',
  kind: 'document',
  format: 'json',
  description: 'Faceit CS2 webhooks (match_status_*) and Data API v4 /matches/{id} and /matches/{id}/stats',
  initialState: () => ({ matches: {} }),
  parse(payload: Buffer, state: FaceitState, ctx: AdapterContext): ParseOutput<FaceitState> {
    const root = parseJson(SOURCE, payload);
    if (!isObj(root)) throw new ParseError(SOURCE, 'expected a JSON object', '/');
    if (Array.isArray(root.rounds)) {
      const stats = readStats(root);
      const memo = state.matches[stats.id] ?? {};
      const drafts = stats.maps.flatMap((m) => mapEvents(stats, m, memo, ctx));
      return { state: remember(state, stats.id, { bestOf: stats.bestOf, started: true }), drafts };
    }
    const isWebhook = typeof root.event === 'string' && isObj(root.payload);
    if (!isWebhook && root.match_id === undefined)
      throw new ParseError(SOURCE, 'not a Faceit webhook ({event, payload}), match (/matches/{id}) or statistics (/matches/{id}/stats) document', '/');
    const m = isWebhook ? readWebhook(root) : readMatchDoc(root);
    const memo = state.matches[m.id] ?? {};
    const drafts = lifecycle(m, memo, ctx);
    const started = drafts.some((d) => d.type === 'match.started') || undefined;
    const ended = drafts.some((d) => d.type === 'match.ended') || undefined;
    const next = remember(state, m.id, { teams: m.teams, bestOf: m.bestOf, startedAt: m.startedAt, finishedAt: m.finishedAt, started, ended });
    return { state: next, drafts };
  },
  // Each payload is complete in itself: parse already emitted what it describes.
  finish: (state: FaceitState) => ({ state, drafts: [] }),
};
