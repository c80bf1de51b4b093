// MatchDoc + TimelineDoc → canonical drafts in game order: match.started, the draft (bans, picks), the
// timeline replayed with a player.state/team.state snapshot per minute frame, the final per-player and
// per-team numbers from the match JSON, then match.ended. Keys depend only on the fact (never on which
// documents were present), so a second `finish` after the other document arrives repeats the same keys.
import type { EventType, Objective, PayloadOf, PlayerRef } from '@clutch/core';
import type { AdapterContext, Draft } from '../../types.ts';
import { compact, isoFromMs } from '../../util.ts';
import { championName } from '../champions.ts';
import { TEAMS, dragonObjective, laneName, mapName, nameId, otherSide, player, sideIndex, sideOf, towerSubtype, type Side } from '../common.ts';
import { SOURCE, type Frame, type MatchDoc, type MatchState, type TEvent, type TimelineDoc } from './types.ts';

interface Counts {
  kills: number;
  towers: number;
  inhibitors: number;
  dragons: number;
  barons: number;
  heralds: number;
}

interface Emitter {
  matchId: string;
  base: number;
  players: Map<number, PlayerRef>;
  champions: Map<number, string>;
  out: Draft[];
  used: Map<string, number>;
  counts: Record<Side, Counts>;
}

export function emitAll(state: MatchState, ctx: AdapterContext): Draft[] {
  const { match, timeline } = state;
  const id = match?.matchId ?? timeline?.matchId;
  if (!id) return [];
  const c: Emitter = {
    matchId: `lol-${id}`,
    base: baseTime(match, timeline, ctx),
    players: playerRefs(match, timeline),
    champions: new Map((match?.players ?? []).filter((p) => p.championId !== undefined && p.champion).map((p) => [p.championId!, p.champion!])),
    out: [],
    used: new Map(),
    counts: { blue: zero(), red: zero() },
  };
  started(c, match);
  if (match) picksAndBans(c, match);
  if (timeline) replay(c, timeline);
  ended(c, match, timeline);
  return c.out;
}

function zero(): Counts {
  return { kills: 0, towers: 0, inhibitors: 0, dragons: 0, barons: 0, heralds: 0 };
}

/** Epoch ms of game time 0: gameStartTimestamp, else the timeline's realTimestamps, else receivedAt − duration. */
function baseTime(match: MatchDoc | undefined, timeline: TimelineDoc | undefined, ctx: AdapterContext): number {
  if (match?.gameStart !== undefined) return match.gameStart;
  if (timeline?.base !== undefined && timeline.base > 0) return timeline.base;
  const received = Date.parse(ctx.receivedAt);
  const duration = match?.durationMs ?? timeline?.endT ?? timeline?.frames.at(-1)?.t ?? 0;
  return Math.max(0, (Number.isNaN(received) ? 0 : received) - duration);
}

function playerRefs(match: MatchDoc | undefined, timeline: TimelineDoc | undefined): Map<number, PlayerRef> {
  const refs = new Map<number, PlayerRef>();
  const fromMatch = new Map((match?.players ?? []).map((p) => [p.pid, p]));
  const pids = new Set([...fromMatch.keys(), ...(timeline?.participants ?? []).map((p) => p.pid)]);
  const fiveVsFive = pids.size <= 10;
  for (const pid of pids) {
    const m = fromMatch.get(pid);
    const t = timeline?.participants.find((p) => p.pid === pid);
    const puuid = m?.puuid ?? t?.puuid;
    const name = m?.name ?? `Participant ${pid}`;
    // Without the match JSON a 5v5 timeline still tells sides apart: participants 1–5 are blue.
    const side = m?.teamId !== undefined ? sideOf(m.teamId) : fiveVsFive ? (pid <= 5 ? 'blue' : 'red') : undefined;
    const id = puuid ?? (m?.name ? nameId(m.name) : `participant-${pid}`);
    refs.set(pid, player(id, name, side, m?.champion ?? t?.champion));
  }
  return refs;
}

function push<T extends EventType>(c: Emitter, type: T, payload: PayloadOf<T>, t: number | undefined, key: string, at?: number): void {
  const n = c.used.get(key) ?? 0;
  c.used.set(key, n + 1);
  const draft = {
    type,
    payload,
    title: 'lol',
    matchId: c.matchId,
    occurredAt: isoFromMs(SOURCE, (at ?? c.base) + (t ?? 0)),
    key: (n ? `${key}#${n}` : key).slice(0, 200),
  } as Draft;
  if (t !== undefined) draft.gameTime = Math.max(0, Math.round(t));
  c.out.push(draft);
}

function ref(c: Emitter, pid: number): PlayerRef | undefined {
  return pid > 0 ? c.players.get(pid) : undefined;
}

function refs(c: Emitter, pids: number[]): PlayerRef[] | undefined {
  const list = pids.map((p) => ref(c, p)).filter((p): p is PlayerRef => p !== undefined);
  return list.length ? list : undefined;
}

function started(c: Emitter, match: MatchDoc | undefined): void {
  // Roles (lane positions) let stats pair lane opponents (gold difference at 10 and 15 minutes).
  const roles: Record<string, string> = {};
  for (const mp of match?.players ?? []) {
    const id = c.players.get(mp.pid)?.id;
    if (id && mp.role && mp.role !== 'Invalid' && mp.role !== 'NONE') roles[id] = mp.role;
  }
  const extra = compact({ riotMatchId: c.matchId.slice(4), queueId: match?.queueId, gameVersion: match?.version, platformId: match?.platformId, roles: Object.keys(roles).length ? roles : undefined });
  push(c, 'match.started', compact({ teams: TEAMS, map: mapName(match?.mapId), mode: match?.mode, extra }), 0, 'match.started');
}

function picksAndBans(c: Emitter, match: MatchDoc): void {
  const at = match.gameCreation ?? c.base;
  for (const team of match.teams) {
    const side = sideOf(team.teamId);
    for (const [i, ban] of team.bans.entries()) {
      if (ban.championId <= 0) continue; // -1: no ban
      const payload = compact({ team: side, character: championName(ban.championId, c.champions), characterId: String(ban.championId), order: ban.pickTurn });
      push(c, 'draft.banned', payload, undefined, `ban:${team.teamId}:${ban.pickTurn ?? i}`, at);
    }
  }
  // Match-V5 does not say in which order champions were picked: `order` is left out.
  for (const p of match.players) {
    const side = sideOf(p.teamId);
    const who = c.players.get(p.pid);
    if (!side || !p.champion || !who) continue;
    push(c, 'draft.picked', compact({ team: side, character: p.champion, characterId: p.championId !== undefined ? String(p.championId) : undefined, player: who }), undefined, `pick:${p.pid}`, at);
  }
}

function replay(c: Emitter, timeline: TimelineDoc): void {
  let fi = 0;
  for (const e of timeline.events) {
    while (fi < timeline.frames.length && timeline.frames[fi]!.t < e.t) snapshot(c, timeline.frames[fi++]!);
    event(c, e);
  }
  while (fi < timeline.frames.length) snapshot(c, timeline.frames[fi++]!);
}

function snapshot(c: Emitter, f: Frame): void {
  const sums: Record<Side, { gold: number; xp: number }> = { blue: { gold: 0, xp: 0 }, red: { gold: 0, xp: 0 } };
  for (const [pid, gold, totalGold, xp, level, cs, x, y, dmg] of f.rows) {
    const who = c.players.get(pid);
    if (!who) continue;
    const side = sideOf(who.team);
    if (side) {
      sums[side].gold += totalGold;
      sums[side].xp += xp;
    }
    const stats = compact({ gold, totalGold, xp, level, creepScore: cs, damageToChampions: dmg ?? undefined });
    push(c, 'player.state', compact({ player: who, stats, position: x !== null && y !== null ? { x, y } : undefined }), f.t, `frame:${f.t}:${pid}`);
  }
  for (const team of TEAMS) {
    const side = team.id as Side;
    push(c, 'team.state', { team, stats: { ...c.counts[side], gold: sums[side].gold, xp: sums[side].xp } }, f.t, `frame:${f.t}:${side}`);
  }
}

function event(c: Emitter, e: TEvent): void {
  switch (e.k) {
    case 'kill':
      return kill(c, e);
    case 'monster':
      return monster(c, e);
    case 'building':
    case 'plate':
      return building(c, e);
    case 'buy':
    case 'sell': {
      const who = ref(c, e.pid);
      if (who) push(c, e.k === 'buy' ? 'player.purchased.item' : 'player.sold.item', { player: who, item: e.item }, e.t, `${e.k}:${e.t}:${e.pid}:${e.item}`);
      return;
    }
    case 'ward':
    case 'unward': {
      const who = ref(c, e.pid);
      if (who) push(c, e.k === 'ward' ? 'player.placed.ward' : 'player.killed.ward', { player: who, ward: e.ward }, e.t, `${e.k}:${e.t}:${e.pid}:${e.ward}`);
      return;
    }
    case 'level': {
      const who = ref(c, e.pid);
      if (who && e.level >= 0) push(c, 'player.leveled.up', { player: who, level: Math.floor(e.level) }, e.t, `level:${e.t}:${e.pid}:${e.level}`);
      return;
    }
    case 'pause':
      return push(c, 'match.paused', {}, e.t, `pause:${e.t}`);
    case 'resume':
      return push(c, 'match.resumed', {}, e.t, `resume:${e.t}`);
  }
}

function kill(c: Emitter, e: Extract<TEvent, { k: 'kill' }>): void {
  const killer = ref(c, e.killer);
  const victim = ref(c, e.victim) ?? player(`participant-${e.victim}`, `Participant ${e.victim}`, undefined, undefined);
  const side = sideOf(killer?.team);
  if (side && killer?.team !== victim.team) c.counts[side].kills++;
  const gold = e.bounty !== undefined || e.shutdown !== undefined ? (e.bounty ?? 0) + (e.shutdown ?? 0) : undefined;
  const extra = compact({ bounty: e.bounty, shutdownBounty: e.shutdown, killStreak: e.streak, multiKill: e.multi, ace: e.ace, executed: killer ? undefined : true });
  const payload = compact({
    killer,
    victim,
    assisters: refs(c, e.assists),
    victimPosition: e.x !== undefined && e.y !== undefined ? { x: e.x, y: e.y } : undefined,
    firstBlood: e.fb,
    bounty: gold,
    extra: Object.keys(extra).length ? extra : undefined,
  });
  push(c, 'player.killed.player', payload, e.t, `kill:${e.t}:${e.killer}:${e.victim}`);
}

const MONSTERS: Record<string, Objective> = { BARON_NASHOR: 'baron_nashor', RIFTHERALD: 'rift_herald', HORDE: 'void_grub', ATAKHAN: 'atakhan' };

function monster(c: Emitter, e: Extract<TEvent, { k: 'monster' }>): void {
  const side = sideOf(e.team);
  // killerTeamId 300 (neutral): e.g. a summoned Rift Herald dying on a turret. Nobody took an objective.
  if (!side) return;
  const kind = e.type === 'DRAGON' ? dragonObjective(e.sub) : MONSTERS[e.type] ? { objective: MONSTERS[e.type]! } : { objective: 'other' as const, subtype: e.type.toLowerCase() };
  const counts = c.counts[side];
  if (kind.objective === 'dragon' || kind.objective === 'elder_dragon') counts.dragons++;
  else if (kind.objective === 'baron_nashor') counts.barons++;
  else if (kind.objective === 'rift_herald') counts.heralds++;
  const payload = compact({ team: side, ...kind, player: ref(c, e.killer), assisters: refs(c, e.assists), position: position(e), bounty: e.bounty || undefined });
  push(c, 'objective.taken', payload, e.t, `monster:${e.t}:${e.type}:${e.killer}`);
}

function building(c: Emitter, e: Extract<TEvent, { k: 'building' | 'plate' }>): void {
  const owner = sideOf(e.owner);
  const side = owner ? otherSide(owner) : undefined; // teamId is the team that LOST the structure
  let objective: Objective = 'turret_plate';
  let subtype = laneName(e.lane);
  if (e.k === 'building') {
    objective = e.type === 'TOWER_BUILDING' ? 'tower' : e.type === 'INHIBITOR_BUILDING' ? 'inhibitor' : 'other';
    if (objective === 'tower') subtype = towerSubtype(e.lane, e.tower);
    if (side && objective === 'tower') c.counts[side].towers++;
    if (side && objective === 'inhibitor') c.counts[side].inhibitors++;
  }
  const payload = compact({ team: side, objective, subtype, player: ref(c, e.killer), assisters: e.k === 'building' ? refs(c, e.assists) : undefined, position: position(e), bounty: (e.k === 'building' && e.bounty) || undefined });
  push(c, 'objective.taken', payload, e.t, `${e.k}:${e.t}:${e.owner}:${e.lane}:${e.k === 'building' ? `${e.type}:${e.tower}` : ''}`);
}

function position(e: { x?: number; y?: number }): { x: number; y: number } | undefined {
  return e.x !== undefined && e.y !== undefined ? { x: e.x, y: e.y } : undefined;
}

function ended(c: Emitter, match: MatchDoc | undefined, timeline: TimelineDoc | undefined): void {
  // GAME_END's timestamp is exact to the ms; 2024 match JSONs round gameDuration down to the second.
  const t = timeline?.endT ?? match?.durationMs ?? timeline?.frames.at(-1)?.t;
  if (!match && timeline?.endT === undefined) return; // a timeline cut short: the game's end is unknown
  const totals = finalTotals(c, match, t);
  const winTeam = match?.teams.find((x) => x.win === true)?.teamId ?? timeline?.winningTeam;
  const score: [number, number] = totals ?? [c.counts.blue.kills, c.counts.red.kills];
  const extra = compact({ endOfGameResult: match?.endResult });
  const payload = compact({
    winner: sideOf(winTeam),
    score,
    reason: match?.surrender,
    durationMs: t,
    extra: Object.keys(extra).length ? extra : undefined,
  });
  push(c, 'match.ended', payload, t, 'match.ended');
}

/** Final player.state and team.state from the match JSON; returns the kill score [blue, red] it gives. */
function finalTotals(c: Emitter, match: MatchDoc | undefined, t: number | undefined): [number, number] | undefined {
  if (!match) return undefined;
  const gold: Record<Side, number> = { blue: 0, red: 0 };
  for (const p of match.players) {
    const who = c.players.get(p.pid);
    if (!who || !p.final) continue;
    const side = sideOf(p.teamId);
    if (side) gold[side] += p.final.totalGold ?? 0;
    push(c, 'player.state', compact({ player: who, stats: p.final, items: p.items?.length ? p.items : undefined }), t, `final:${p.pid}`);
  }
  const score: [number, number] = [0, 0];
  for (const team of match.teams) {
    const side = sideOf(team.teamId);
    if (!side) continue;
    const o = team.objectives;
    score[sideIndex(side)] = o.champion ?? 0;
    const stats = compact({ kills: o.champion, towers: o.tower, inhibitors: o.inhibitor, dragons: o.dragon, barons: o.baron, heralds: o.riftHerald, gold: gold[side] });
    push(c, 'team.state', { team: TEAMS[sideIndex(side)], stats }, t, `final:${side}`);
  }
  return match.teams.some((x) => x.objectives.champion !== undefined) ? score : undefined;
}
