// What OpenDota's /api/matches/{id} and Steam's GetMatchDetails have in common (OpenDota's document
// is Steam's plus a replay parse): the match header, the ten players' final lines, the draft. Read
// into one shape, and turned into the summary events both adapters emit with the same keys, so the
// same match delivered by both sources is not counted twice.
import { ParseError } from '../errors.ts';
import type { Draft } from '../types.ts';
import { arr, compact, isObj, num, obj, optCount, optNum, optStr, type Obj } from '../util.ts';
import { bestOfSeries, bitCount, dotaPlayerId, gameModeName, matchIdOf, matchNumber, playerRef, sideOfSlot, SIDES, teamRef, type Side } from './common.ts';
import { makeDraft, type Target, type When } from './draft.ts';
import { heroInternalById, heroNameById } from './heroes.ts';

export const MAX_DOTA_PLAYERS = 24;
const MAX_DRAFT = 64;

export interface DotaPlayer {
  index: number;
  slot: number;
  side: Side;
  id: string;
  name: string;
  heroId: number;
  hero?: string;
  heroInternal?: string;
  raw: Obj;
}

export interface PickBan {
  isPick: boolean;
  heroId: number;
  side: Side;
  order: number;
}

export interface DotaMatch {
  target: Target;
  startMs: number;
  durationS: number;
  radiantWin?: boolean;
  score?: [number, number];
  teamNames: Partial<Record<Side, string>>;
  players: DotaPlayer[];
  picksBans: PickBan[];
  mode?: string;
  bestOf?: number;
  root: Obj;
}

export function readMatch(source: string, root: Obj): DotaMatch {
  const number = matchNumber(source, root.match_id, '/match_id');
  const startS = num(source, root.start_time, '/start_time');
  if (startS < 0 || startS > 1e11) throw new ParseError(source, `start_time ${startS} is not a unix time in seconds`, '/start_time');
  const durationS = num(source, root.duration, '/duration');
  if (durationS < 0 || durationS > 86400) throw new ParseError(source, `duration ${durationS} is not a match length in seconds`, '/duration');
  const rs = optCount(root.radiant_score);
  const ds = optCount(root.dire_score);
  const series = optCount(root.series_id);
  const league = optCount(root.leagueid);
  const target: Target = compact({ matchId: matchIdOf(number), seriesId: series ? `dota2-series-${series}` : undefined, tournamentId: league ? `dota2-league-${league}` : undefined });
  return {
    target,
    startMs: startS * 1000,
    durationS,
    radiantWin: typeof root.radiant_win === 'boolean' ? root.radiant_win : undefined,
    score: rs !== undefined && ds !== undefined ? [rs, ds] : undefined,
    teamNames: { radiant: teamName(root, 'radiant'), dire: teamName(root, 'dire') },
    players: readPlayers(source, root.players),
    picksBans: readPicksBans(source, root.picks_bans),
    mode: gameModeName(optCount(root.game_mode)),
    bestOf: series ? bestOfSeries(optCount(root.series_type)) : undefined,
    root,
  };
}

function teamName(root: Obj, side: Side): string | undefined {
  const team = root[`${side}_team`];
  return optStr(root[`${side}_name`]) ?? (isObj(team) ? optStr(team.name) : undefined);
}

function readPlayers(source: string, v: unknown): DotaPlayer[] {
  const list = arr(source, v, '/players');
  if (list.length > MAX_DOTA_PLAYERS) throw new ParseError(source, `players has ${list.length} entries; at most ${MAX_DOTA_PLAYERS}`, '/players');
  const slots = new Set<number>();
  return list.map((p, index) => {
    const at = `/players/${index}`;
    const o = obj(source, p, at);
    const slot = optCount(o.player_slot);
    if (slot === undefined || slot > 255) throw new ParseError(source, 'player_slot must be 0-255', `${at}/player_slot`);
    if (slots.has(slot)) throw new ParseError(source, `player_slot ${slot} appears twice`, `${at}/player_slot`);
    slots.add(slot);
    const heroId = optCount(o.hero_id) ?? 0;
    const name = (optStr(o.personaname) ?? optStr(o.name) ?? optStr(o.persona) ?? '').slice(0, 128);
    const side: Side = typeof o.isRadiant === 'boolean' ? (o.isRadiant ? 'radiant' : 'dire') : o.team_number === 1 ? 'dire' : o.team_number === 0 ? 'radiant' : sideOfSlot(slot);
    return { index, slot, side, id: dotaPlayerId(o.account_id, name, slot), name, heroId, hero: heroId ? heroNameById(heroId) : undefined, heroInternal: heroInternalById(heroId), raw: o };
  });
}

function readPicksBans(source: string, v: unknown): PickBan[] {
  if (v === undefined || v === null) return [];
  const list = arr(source, v, '/picks_bans').slice(0, MAX_DRAFT);
  return list.map((e, i) => {
    const o = obj(source, e, `/picks_bans/${i}`);
    const heroId = optCount(o.hero_id);
    if (!heroId) throw new ParseError(source, 'hero_id must be a hero id', `/picks_bans/${i}/hero_id`);
    return { isPick: o.is_pick === true, heroId, side: o.team === 1 ? 'dire' : 'radiant', order: optCount(o.order) ?? i };
  });
}

export const refOfPlayer = (p: DotaPlayer) => playerRef(p.id, p.name, p.side, p.hero);

export function startEvents(m: DotaMatch): Draft[] {
  const at: When = { occurredAt: new Date(m.startMs).toISOString(), gameTime: 0 };
  // cluster (the game server's), gameModeId and lobbyType are the lobby context of the Dota draft model (predict/live.ts).
  const extra = compact({ leagueId: optCount(m.root.leagueid) || undefined, lobbyType: optCount(m.root.lobby_type), gameModeId: optCount(m.root.game_mode), cluster: optCount(m.root.cluster), patch: optCount(m.root.patch), region: optCount(m.root.region) });
  const payload = compact({
    teams: [teamRef('radiant', m.teamNames.radiant), teamRef('dire', m.teamNames.dire)] as [ReturnType<typeof teamRef>, ReturnType<typeof teamRef>],
    mode: m.mode,
    bestOf: m.bestOf,
    extra: Object.keys(extra).length ? extra : undefined,
  });
  const out = [makeDraft(m.target, 'match.started', payload, at, 'match.started')];
  // Per-team slot numbers (the n-th pick of a team) make the same keys GSI uses for its draft slots.
  const seen: Record<string, number> = {};
  for (const e of [...m.picksBans].sort((a, b) => a.order - b.order)) {
    const kind = e.isPick ? 'pick' : 'ban';
    const slot = (seen[`${e.side}:${kind}`] = (seen[`${e.side}:${kind}`] ?? -1) + 1);
    const p = { team: e.side, character: heroNameById(e.heroId), characterId: String(e.heroId), order: e.order };
    const key = `draft:${e.side}:${kind}:${slot}`;
    out.push(e.isPick ? makeDraft(m.target, 'draft.picked', p, { occurredAt: at.occurredAt }, key) : makeDraft(m.target, 'draft.banned', p, { occurredAt: at.occurredAt }, key));
  }
  return out;
}

function finalStats(o: Obj) {
  return compact({
    kills: optCount(o.kills),
    deaths: optCount(o.deaths),
    assists: optCount(o.assists),
    lastHits: optCount(o.last_hits),
    denies: optCount(o.denies),
    gold: optNum(o.gold),
    totalGold: optNum(o.total_gold),
    netWorth: optNum(o.net_worth),
    level: optCount(o.level),
    xp: optNum(o.total_xp),
    damage: optNum(o.hero_damage),
  });
}

/** Kills per side from the players' lines (Radiant first). */
export function killsBySide(m: DotaMatch): [number, number] {
  const k: [number, number] = [0, 0];
  for (const p of m.players) k[p.side === 'radiant' ? 0 : 1] += optCount(p.raw.kills) ?? 0;
  return k;
}

/** Final player.state per player, team.state per side, match.ended. */
export function endEvents(m: DotaMatch): Draft[] {
  const at: When = { occurredAt: new Date(m.startMs + m.durationS * 1000).toISOString(), gameTime: m.durationS * 1000 };
  const out: Draft[] = [];
  for (const p of m.players) out.push(makeDraft(m.target, 'player.state', { player: refOfPlayer(p), stats: finalStats(p.raw) }, at, `pfinal:${p.slot}`));
  const kills = killsBySide(m);
  const score = m.score ?? kills;
  for (const [i, side] of SIDES.entries()) {
    const enemy = SIDES[1 - i]!;
    const towers = optNum(m.root[`tower_status_${enemy}`]);
    const barracks = optNum(m.root[`barracks_status_${enemy}`]);
    // Steam's status fields are bit masks of the enemy's buildings still standing: 11 towers, 6 barracks.
    const stats = compact({
      score: score[i],
      kills: kills[i],
      towers: towers !== undefined ? Math.max(0, 11 - bitCount(towers)) : undefined,
      barracks: barracks !== undefined ? Math.max(0, 6 - bitCount(barracks)) : undefined,
    });
    out.push(makeDraft(m.target, 'team.state', { team: teamRef(side, m.teamNames[side]), stats }, at, `tfinal:${side}`));
  }
  if (m.radiantWin !== undefined) {
    const payload = { winner: m.radiantWin ? 'radiant' : 'dire', score, durationMs: Math.round(m.durationS * 1000) };
    out.push(makeDraft(m.target, 'match.ended', payload, at, 'match.ended'));
  }
  return out;
}
