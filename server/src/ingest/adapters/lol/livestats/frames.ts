// Window and details frames → drafts, by diffing each frame against the totals of the previous one.
// The feed reports totals, never who killed whom or which tower fell: kills become scoreboard
// snapshots (score.changed, team.state, player.state), structure and monster counts become
// objective.taken for the team, without a player.
import type { Objective, PlayerRef } from '@clutch/core';
import { ParseError } from '../../errors.ts';
import type { Draft } from '../../types.ts';
import { arr, compact, num, obj, optCount, optNum, optStr, type Obj } from '../../util.ts';
import { TEAMS, dragonObjective, player, sideIndex, type Side } from '../common.ts';
import { SOURCE, makeDraft, snapshotDue, type LsState, type TeamCounts } from './state.ts';

/** Highest plausible count per team and game (nexus turrets and inhibitors respawn, so above the map's). */
const MAX_COUNT: Record<'towers' | 'inhibitors' | 'barons', number> = { towers: 60, inhibitors: 40, barons: 20 };
const MAX_DRAGONS = 20;
const OBJECTIVE: Record<'towers' | 'inhibitors' | 'barons', Objective> = { towers: 'tower', inhibitors: 'inhibitor', barons: 'baron_nashor' };

export function readTeam(v: unknown, at: string): TeamCounts & { participants: Obj[] } {
  const t = obj(SOURCE, v, at);
  const count = (name: 'towers' | 'inhibitors' | 'barons') => {
    const n = num(SOURCE, t[name], `${at}/${name}`);
    if (n < 0 || n > MAX_COUNT[name] || !Number.isInteger(n)) throw new ParseError(SOURCE, `${name} ${n} is not a plausible count`, `${at}/${name}`);
    return n;
  };
  const dragons = arr(SOURCE, t.dragons ?? [], `${at}/dragons`);
  if (dragons.length > MAX_DRAGONS) throw new ParseError(SOURCE, `more than ${MAX_DRAGONS} dragons`, `${at}/dragons`);
  return {
    kills: Math.max(0, Math.floor(num(SOURCE, t.totalKills, `${at}/totalKills`))),
    towers: count('towers'),
    inhibitors: count('inhibitors'),
    barons: count('barons'),
    dragons: dragons.map((d, i) => (optStr(d) ?? String(i)).slice(0, 32)),
    gold: num(SOURCE, t.totalGold, `${at}/totalGold`),
    participants: arr(SOURCE, t.participants ?? [], `${at}/participants`).slice(0, 5).map((p, i) => obj(SOURCE, p, `${at}/participants/${i}`)),
  };
}

export function playerRef(s: LsState, pid: number): PlayerRef {
  const p = s.players.find((x) => x.pid === pid);
  if (p) return player(p.id, p.name, p.side, p.character);
  // Participants 1–5 are blue in every LoL feed; the name is unknown until a window's metadata arrives.
  return player(`participant-${pid}`, `Participant ${pid}`, pid <= 5 ? 'blue' : 'red', undefined);
}

/** objective.taken for every count that rose since the last frame, keyed by its ordinal in the game. */
export function diffObjectives(s: LsState, side: Side, cur: TeamCounts, at: number, out: Draft[]): void {
  const prev = s.teams[side];
  for (const name of ['towers', 'inhibitors', 'barons'] as const) {
    for (let n = prev[name] + 1; n <= cur[name]; n++) {
      out.push(makeDraft(s, 'objective.taken', { team: side, objective: OBJECTIVE[name] }, at, `obj:${side}:${OBJECTIVE[name]}:${n}`));
    }
  }
  // dragons[] lists the elements in the order taken; a longer list names the new ones.
  for (let i = prev.dragons.length; i < cur.dragons.length; i++) {
    out.push(makeDraft(s, 'objective.taken', compact({ team: side, ...dragonObjective(cur.dragons[i]) }), at, `obj:${side}:dragon:${i + 1}`));
  }
}

export function teamSnapshot(s: LsState, side: Side, cur: TeamCounts, at: number, out: Draft[]): void {
  const stats = { kills: cur.kills, gold: cur.gold, towers: cur.towers, inhibitors: cur.inhibitors, barons: cur.barons, dragons: cur.dragons.length };
  const sig = `${cur.kills}:${cur.towers}:${cur.inhibitors}:${cur.barons}:${cur.dragons.length}`;
  if (snapshotDue(s, `team:${side}`, sig, at)) out.push(makeDraft(s, 'team.state', { team: TEAMS[sideIndex(side)], stats }, at, `team:${side}:${at}`));
}

/** player.state from a window participant (summary) or a details participant (full line). */
export function playerSnapshot(s: LsState, p: Obj, at: number, path: string, detailed: boolean, out: Draft[]): void {
  const pid = num(SOURCE, p.participantId, `${path}/participantId`);
  if (!Number.isInteger(pid) || pid < 1 || pid > 10) throw new ParseError(SOURCE, `participantId ${pid} is not 1–10`, `${path}/participantId`);
  const health = optNum(p.currentHealth);
  const items = detailed && Array.isArray(p.items) ? p.items.slice(0, 10).map(optNum).filter((i) => i !== undefined && i > 0).map(String) : undefined;
  const stats = compact({
    kills: optCount(p.kills),
    deaths: optCount(p.deaths),
    assists: optCount(p.assists),
    level: optCount(p.level),
    creepScore: optCount(p.creepScore),
    totalGold: optNum(p.totalGoldEarned) ?? optNum(p.totalGold),
    health,
    alive: health === undefined ? undefined : health > 0,
    wardsPlaced: detailed ? optCount(p.wardsPlaced) : undefined,
    wardsKilled: detailed ? optCount(p.wardsDestroyed) : undefined,
  });
  const sig = `${stats.kills}:${stats.deaths}:${stats.assists}:${stats.level}:${items?.join(',') ?? ''}`;
  const stream = `${detailed ? 'd' : 'w'}:${pid}`;
  if (!snapshotDue(s, stream, sig, at)) return;
  out.push(makeDraft(s, 'player.state', compact({ player: playerRef(s, pid), stats, items: items?.length ? items : undefined }), at, `${stream}:${at}`));
}

/**
 * The feed has no winner field. The nexus can only fall after both nexus turrets and an inhibitor,
 * so a finished game where exactly one team has ≥ 5 towers and ≥ 1 inhibitor was won by that team;
 * otherwise (surrender, both teams deep in the base) the winner is left out.
 */
export function inferWinner(teams: Record<Side, TeamCounts>): Side | undefined {
  const could = (t: TeamCounts) => t.towers >= 5 && t.inhibitors >= 1;
  const blue = could(teams.blue);
  const red = could(teams.red);
  return blue === red ? undefined : blue ? 'blue' : 'red';
}
