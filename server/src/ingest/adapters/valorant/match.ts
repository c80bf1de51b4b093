// Riot VAL-MATCH-V1 match JSON → the match replayed round by round: start, per round its start, kills,
// spike plant/defuse/detonation, end with the score, players' and teams' state; then the result.
// Teams are 'red' and 'blue' (Riot's teamId), Red attacking first. The document has no round start
// or end times: a round starts when its kills say it did (game time − round time), and ends at its
// last known event (kill, defuse, detonation 45 s after the plant).
import type { EventType, PayloadOf, PlayerRef, TeamRef } from '@clutch/core';
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, Draft, ParseOutput } from '../types.ts';
import { isObj, obj, optCount, optNum, parseJson, stableKey } from '../util.ts';
import { gearName, mapName } from './content.ts';
import { readMatch, SOURCE, teamIdOf, type TeamId, type VKill, type VMatch, type VPlayer, type VRound } from './read.ts';

const SPIKE_TIMER_MS = 45_000;
const TEAMS: readonly TeamId[] = ['red', 'blue'];

export interface DocumentState {
  documents: number;
}

/** Red attacks rounds 1-12, Blue 13-24; in overtime sides swap every round, Red attacking first. */
export function attackers(round: number): TeamId {
  if (round <= 12) return 'red';
  if (round <= 24) return 'blue';
  return (round - 25) % 2 === 0 ? 'red' : 'blue';
}
const sideOf = (team: TeamId, round: number) => (attackers(round) === team ? 'attack' : 'defense');

/** Canonical round-end reasons from roundResultCode (or roundResult when the code is empty). */
function reasonOf(r: VRound): string | undefined {
  const code = (r.code ?? r.result ?? '').toLowerCase();
  if (code.startsWith('elimin')) return 'elimination';
  if (code.startsWith('detonat') || code.includes('detonated')) return 'spike_detonated';
  if (code.startsWith('defuse') || code.includes('defused')) return 'spike_defused';
  if (code.startsWith('surrender')) return 'surrender';
  if (code.includes('timer') || code.includes('time')) return 'time_expired';
  return code ? code.slice(0, 64) : undefined;
}

class Emitter {
  readonly drafts: Draft[] = [];
  readonly m: VMatch;
  constructor(m: VMatch) {
    this.m = m;
  }
  add<T extends EventType>(type: T, payload: PayloadOf<T>, gameTime: number, key: string): void {
    const occurredAt = new Date(this.m.startMs + gameTime).toISOString();
    this.drafts.push({ type, payload, title: 'valorant', matchId: `val-${this.m.id}`, occurredAt, gameTime: Math.round(gameTime), key } as Draft);
  }
}

function refOf(p: VPlayer, round: number): PlayerRef {
  return { id: p.puuid, name: p.name, team: p.team, side: sideOf(p.team, round), ...(p.agent ? { character: p.agent } : {}) };
}

function teamRef(team: TeamId, round: number): TeamRef {
  return { id: team, name: team === 'red' ? 'Red' : 'Blue', side: sideOf(team, round) };
}

/** The weapon that finished the victim: a gun by name, an agent's ability, the spike, a fall. */
function weaponOf(k: VKill, killer: VPlayer | undefined): string | undefined {
  const type = (k.damageType ?? '').toLowerCase();
  if (type === 'weapon') return gearName(k.damageItem);
  if (type === 'ability') return [killer?.agent, k.damageItem].filter(Boolean).join(' ') || 'Ability';
  if (type === 'bomb') return 'Spike';
  if (type === 'melee') return 'Melee';
  if (type === 'fall') return 'Fall';
  return k.damageType?.slice(0, 64);
}

interface Running {
  kills: Map<string, number>;
  deaths: Map<string, number>;
  assists: Map<string, number>;
  score: Map<string, number>;
  damage: Map<string, number>;
  won: Record<TeamId, number>;
}

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

function killEvent(e: Emitter, m: VMatch, r: VRound, k: VKill, first: boolean, run: Running): void {
  const victim = m.players.get(k.victim)!;
  const killer = k.killer ? m.players.get(k.killer) : undefined;
  const extra = { ...(k.damageType ? { damageType: k.damageType } : {}), ...(k.secondary !== undefined ? { secondaryFire: k.secondary } : {}) };
  const weapon = weaponOf(k, killer);
  const payload: PayloadOf<'player.killed.player'> = {
    ...(killer ? { killer: refOf(killer, r.n) } : {}),
    victim: refOf(victim, r.n),
    ...(k.assistants.length ? { assisters: k.assistants.map((a) => refOf(m.players.get(a)!, r.n)) } : {}),
    ...(weapon ? { weapon: weapon.slice(0, 128) } : {}),
    ...(k.killerAt ? { killerPosition: k.killerAt } : {}),
    ...(k.victimAt ? { victimPosition: k.victimAt } : {}),
    ...(killer && killer.puuid !== victim.puuid && killer.team === victim.team ? { teamKill: true } : {}),
    ...(killer && killer.puuid === victim.puuid ? { suicide: true } : {}),
    // Valorant's first blood is per round (the round's opening kill).
    ...(first ? { firstBlood: true } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
  e.add('player.killed.player', payload, k.t, `kill:${r.n}:${stableKey(k.t, k.killer, k.victim)}`);
  if (killer) bump(run.kills, killer.puuid);
  bump(run.deaths, victim.puuid);
  for (const a of k.assistants) bump(run.assists, a);
}

/** One round: start, its events in time order, end, then everyone's state at the end. */
function roundEvents(e: Emitter, m: VMatch, r: VRound, startMs: number, run: Running): number {
  e.add('round.started', { round: r.n }, startMs, `round:${r.n}:start`);
  const planter = r.planter ? m.players.get(r.planter) : undefined;
  const defuser = r.defuser ? m.players.get(r.defuser) : undefined;
  const site = r.site ? { site: r.site } : {};
  const timed: { t: number; emit: () => void }[] = r.kills.map((k, i) => ({ t: k.t, emit: () => killEvent(e, m, r, k, i === 0, run) }));
  const plantT = r.plantAt !== undefined ? startMs + r.plantAt : undefined;
  if (plantT !== undefined) timed.push({ t: plantT, emit: () => e.add('bomb.planted', { ...(planter ? { player: refOf(planter, r.n) } : {}), ...site }, plantT, `plant:${r.n}`) });
  if (r.defuseAt !== undefined) {
    const t = startMs + r.defuseAt;
    timed.push({ t, emit: () => e.add('bomb.defused', { ...(defuser ? { player: refOf(defuser, r.n) } : {}), ...site }, t, `defuse:${r.n}`) });
  }
  if (plantT !== undefined && reasonOf(r) === 'spike_detonated') timed.push({ t: plantT + SPIKE_TIMER_MS, emit: () => e.add('bomb.exploded', site, plantT + SPIKE_TIMER_MS, `explode:${r.n}`) });
  timed.sort((a, b) => a.t - b.t);
  for (const x of timed) x.emit();
  const end = Math.max(startMs, ...timed.map((x) => x.t));
  run.won[r.winner] += 1;
  const reason = reasonOf(r);
  const extra = { ...(r.result ? { result: r.result } : {}), ...(r.ceremony ? { ceremony: r.ceremony } : {}) };
  e.add('round.ended', { round: r.n, winner: r.winner, winnerSide: sideOf(r.winner, r.n), score: [run.won.red, run.won.blue], ...(reason ? { reason } : {}), ...(Object.keys(extra).length ? { extra } : {}) }, end, `round:${r.n}:end`);
  states(e, m, r, end, run);
  return end;
}

function states(e: Emitter, m: VMatch, r: VRound, end: number, run: Running): void {
  const dead = new Set(r.kills.map((k) => k.victim));
  const teams: Record<TeamId, { money: number; equipmentValue: number; alive: number }> = { red: { money: 0, equipmentValue: 0, alive: 0 }, blue: { money: 0, equipmentValue: 0, alive: 0 } };
  for (const [puuid, line] of r.perPlayer) {
    const p = m.players.get(puuid);
    if (!p) continue;
    bump(run.score, puuid, line.score ?? 0);
    bump(run.damage, puuid, line.damage);
    const eco = line.economy;
    const money = optNum(eco?.remaining);
    const equipmentValue = optNum(eco?.loadoutValue);
    const items = [gearName(typeof eco?.weapon === 'string' ? eco.weapon : undefined), gearName(typeof eco?.armor === 'string' ? eco.armor : undefined)].filter((x): x is string => !!x).map((x) => x.slice(0, 128));
    const stats = {
      kills: run.kills.get(puuid) ?? 0,
      deaths: run.deaths.get(puuid) ?? 0,
      assists: run.assists.get(puuid) ?? 0,
      score: run.score.get(puuid) ?? 0,
      damage: run.damage.get(puuid) ?? 0,
      alive: !dead.has(puuid),
      ...(money !== undefined ? { money } : {}),
      ...(equipmentValue !== undefined ? { equipmentValue } : {}),
    };
    e.add('player.state', { player: refOf(p, r.n), stats, ...(items.length ? { items } : {}) }, end, `ps:${r.n}:${stableKey(puuid)}`);
    const t = teams[p.team];
    t.money += money ?? 0;
    t.equipmentValue += equipmentValue ?? 0;
    if (!dead.has(puuid)) t.alive += 1;
  }
  for (const team of TEAMS) {
    const kills = [...m.players.values()].filter((p) => p.team === team).reduce((a, p) => a + (run.kills.get(p.puuid) ?? 0), 0);
    e.add('team.state', { team: teamRef(team, r.n), stats: { score: run.won[team], kills, ...teams[team] } }, end, `ts:${r.n}:${team}`);
  }
}

function ended(e: Emitter, m: VMatch, run: Running, lastEnd: number): void {
  if (!m.completed) return;
  const byTeam = new Map(m.teams.map((t, i) => [teamIdOf(t.teamId, `/teams/${i}/teamId`), t]));
  const wonOf = (team: TeamId) => optCount(byTeam.get(team)?.roundsWon) ?? run.won[team];
  const winner = TEAMS.find((t) => byTeam.get(t)?.won === true);
  const last = m.rounds.at(-1);
  const reason = last && reasonOf(last) === 'surrender' ? 'surrender' : undefined;
  const length = m.lengthMs ?? lastEnd;
  const payload = { ...(winner ? { winner } : {}), score: [wonOf('red'), wonOf('blue')] as [number, number], ...(reason ? { reason } : {}), durationMs: Math.round(length) };
  e.add('match.ended', payload, Math.max(length, lastEnd), 'match.ended');
}

export function valorantDrafts(m: VMatch): Draft[] {
  const e = new Emitter(m);
  const map = m.map ? mapName(m.map) : undefined;
  const extra = Object.keys(m.extra).length ? { extra: m.extra } : {};
  e.add('match.started', { teams: [teamRef('red', 1), teamRef('blue', 1)], ...(map ? { map } : {}), ...(m.queue ? { mode: m.queue.slice(0, 128) } : {}), ...extra }, 0, 'match.started');
  const run: Running = { kills: new Map(), deaths: new Map(), assists: new Map(), score: new Map(), damage: new Map(), won: { red: 0, blue: 0 } };
  let lastEnd = 0;
  for (const r of m.rounds) {
    // A round starts where its kills say (game time − round time); without kills, where the last ended.
    const fromKills = r.kills.map((k) => k.t - k.rt).filter((t) => t >= 0);
    const start = fromKills.length ? Math.min(...fromKills) : lastEnd;
    lastEnd = Math.max(lastEnd, roundEvents(e, m, r, start, run));
  }
  ended(e, m, run, lastEnd);
  return e.drafts;
}

export const valorantMatch: Adapter<DocumentState> = {
  source: SOURCE,
  title: 'valorant',
  kind: 'document',
  format: 'json',
  description: 'Riot VAL-MATCH-V1 match JSON: rounds, kills, spike plants and defuses, economy per round',
  initialState: () => ({ documents: 0 }),
  parse(payload: Buffer, state: DocumentState, _ctx: AdapterContext): ParseOutput<DocumentState> {
    const root = obj(SOURCE, parseJson(SOURCE, payload), '/');
    if (!isObj(root.matchInfo) && isObj(root.metadata)) throw new ParseError(SOURCE, 'this looks like a third-party (Henrik) match, not Riot VAL-MATCH-V1: expected matchInfo', '/matchInfo');
    return { state: { documents: state.documents + 1 }, drafts: valorantDrafts(readMatch(root)) };
  },
  // Each document is a whole match: parse already emitted everything.
  finish: (state: DocumentState) => ({ state, drafts: [] }),
};
