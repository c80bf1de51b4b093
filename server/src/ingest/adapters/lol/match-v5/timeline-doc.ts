// Match-V5 timeline JSON (GET /lol/match/v5/matches/{id}/timeline) → TimelineDoc: minute frames
// reduced to the numbers player.state needs, events reduced to the ones with a canonical type, special
// kills (first blood, multikill, ace) folded into the kill they belong to.
import { ParseError } from '../../errors.ts';
import { arr, isObj, num, obj, optCount, optNum, optStr, str, type Obj } from '../../util.ts';
import { matchIdOf, stripUndefined } from './match-doc.ts';
import { MAX_EVENTS, MAX_FRAMES, MAX_PARTICIPANTS, SOURCE, type Frame, type FrameRow, type TEvent, type TimelineDoc } from './types.ts';

export function readTimeline(root: Obj): TimelineDoc {
  const meta = obj(SOURCE, root.metadata, '/metadata');
  const info = obj(SOURCE, root.info, '/info');
  const matchId = matchIdOf(meta.matchId);
  const frames = arr(SOURCE, info.frames, '/info/frames');
  if (frames.length > MAX_FRAMES) throw new ParseError(SOURCE, `more than ${MAX_FRAMES} frames`, '/info/frames');
  const doc: TimelineDoc = { matchId, participants: readParticipants(info, meta), frames: [], events: [] };
  const votes: Votes = new Map();
  const specials: { t: number; killer: number; type: string; multi?: number }[] = [];
  let count = 0;
  for (const [i, f] of frames.entries()) {
    const at = `/info/frames/${i}`;
    const frame = obj(SOURCE, f, at);
    doc.frames.push(readFrame(frame, at));
    const events = arr(SOURCE, frame.events ?? [], `${at}/events`);
    count += events.length;
    if (count > MAX_EVENTS) throw new ParseError(SOURCE, `more than ${MAX_EVENTS} events`, `${at}/events`);
    for (const [j, e] of events.entries()) readEvent(obj(SOURCE, e, `${at}/events/${j}`), `${at}/events/${j}`, doc, votes, specials);
  }
  doc.events.sort((a, b) => a.t - b.t);
  attachSpecials(doc.events, specials);
  const champions = elect(votes);
  for (const p of doc.participants) {
    const c = champions.get(p.pid);
    if (c && !p.champion) p.champion = c;
  }
  return doc;
}

/** Timeline participants → puuids: info.participants (both shapes), else metadata.participants in order. */
function readParticipants(info: Obj, meta: Obj): TimelineDoc['participants'] {
  const list = Array.isArray(info.participants) ? info.participants : [];
  const out: TimelineDoc['participants'] = [];
  for (const [i, p] of list.slice(0, MAX_PARTICIPANTS).entries()) {
    if (!isObj(p)) continue;
    const pid = optNum(p.participantId) ?? i + 1;
    out.push(stripUndefined({ pid, puuid: optStr(p.puuid)?.slice(0, 128) || undefined }));
  }
  if (out.length === 0 && Array.isArray(meta.participants)) {
    for (const [i, puuid] of meta.participants.slice(0, MAX_PARTICIPANTS).entries()) {
      const id = optStr(puuid);
      if (id) out.push({ pid: i + 1, puuid: id.slice(0, 128) });
    }
  }
  return out;
}

function readFrame(frame: Obj, at: string): Frame {
  const t = time(frame.timestamp, `${at}/timestamp`);
  const rows: FrameRow[] = [];
  const pf = frame.participantFrames;
  if (isObj(pf)) {
    for (const [key, v] of Object.entries(pf).slice(0, MAX_PARTICIPANTS)) {
      if (!isObj(v)) continue;
      const pid = optNum(v.participantId) ?? Number(key);
      if (!Number.isInteger(pid) || pid < 1) continue;
      const pos = isObj(v.position) ? v.position : {};
      const dmg = isObj(v.damageStats) ? optNum(v.damageStats.totalDamageDoneToChampions) : undefined;
      const cs = (optCount(v.minionsKilled) ?? 0) + (optCount(v.jungleMinionsKilled) ?? 0);
      rows.push([pid, optNum(v.currentGold) ?? 0, optNum(v.totalGold) ?? 0, optNum(v.xp) ?? 0, optCount(v.level) ?? 1, cs, optNum(pos.x) ?? null, optNum(pos.y) ?? null, dmg ?? null]);
    }
  }
  return { t, rows };
}

function time(v: unknown, at: string): number {
  const t = num(SOURCE, v, at);
  if (t < 0 || t > 1e9) throw new ParseError(SOURCE, `timestamp ${t} is not a game time in ms`, at);
  return Math.round(t);
}

type Specials = { t: number; killer: number; type: string; multi?: number }[];

function readEvent(e: Obj, at: string, doc: TimelineDoc, votes: Votes, specials: Specials): void {
  const type = str(SOURCE, e.type, `${at}/type`);
  const t = time(e.timestamp, `${at}/timestamp`);
  const real = optNum(e.realTimestamp);
  if (doc.base === undefined && real !== undefined && real > 0) doc.base = Math.round(real) - t;
  const mapped = mapEvent(type, e, at, t, specials);
  if (mapped) doc.events.push(mapped);
  if (type === 'CHAMPION_KILL') learnChampions(e, votes);
  if (type === 'GAME_END') {
    doc.endT = t;
    const w = optNum(e.winningTeam);
    if (w !== undefined) doc.winningTeam = w;
  }
}

function mapEvent(type: string, e: Obj, at: string, t: number, specials: Specials): TEvent | undefined {
  switch (type) {
    case 'CHAMPION_KILL':
      return stripUndefined<TEvent>({ t, k: 'kill', killer: pid(e.killerId), victim: num(SOURCE, e.victimId, `${at}/victimId`), assists: assists(e), ...pos(e), bounty: optNum(e.bounty), shutdown: optNum(e.shutdownBounty), streak: optCount(e.killStreakLength) });
    case 'CHAMPION_SPECIAL_KILL':
      specials.push(stripUndefined({ t, killer: pid(e.killerId), type: optStr(e.killType) ?? '', multi: optCount(e.multiKillLength) }));
      return undefined;
    case 'ELITE_MONSTER_KILL':
      return stripUndefined<TEvent>({ t, k: 'monster', killer: pid(e.killerId), team: optNum(e.killerTeamId), type: str(SOURCE, e.monsterType, `${at}/monsterType`).slice(0, 64), sub: optStr(e.monsterSubType)?.slice(0, 64), assists: assists(e), ...pos(e), bounty: optNum(e.bounty) });
    case 'BUILDING_KILL':
      return stripUndefined<TEvent>({ t, k: 'building', killer: pid(e.killerId), owner: optNum(e.teamId), type: str(SOURCE, e.buildingType, `${at}/buildingType`).slice(0, 64), lane: short(e.laneType), tower: short(e.towerType), assists: assists(e), ...pos(e), bounty: optNum(e.bounty) });
    case 'TURRET_PLATE_DESTROYED':
      return stripUndefined<TEvent>({ t, k: 'plate', killer: pid(e.killerId), owner: optNum(e.teamId), lane: short(e.laneType), ...pos(e) });
    case 'ITEM_PURCHASED':
    case 'ITEM_SOLD':
      return { t, k: type === 'ITEM_SOLD' ? 'sell' : 'buy', pid: num(SOURCE, e.participantId, `${at}/participantId`), item: str(SOURCE, e.itemId, `${at}/itemId`).slice(0, 32) };
    case 'WARD_PLACED':
      return { t, k: 'ward', pid: pid(e.creatorId), ward: optStr(e.wardType)?.slice(0, 64) ?? 'UNDEFINED' };
    case 'WARD_KILL':
      return { t, k: 'unward', pid: pid(e.killerId), ward: optStr(e.wardType)?.slice(0, 64) ?? 'UNDEFINED' };
    case 'LEVEL_UP':
      return { t, k: 'level', pid: num(SOURCE, e.participantId, `${at}/participantId`), level: num(SOURCE, e.level, `${at}/level`) };
    case 'PAUSE_START':
      return { t, k: 'pause' };
    case 'PAUSE_END':
      // Every timeline opens with PAUSE_END at 0: the clock starting, not a resume.
      return t > 0 ? { t, k: 'resume' } : undefined;
    default:
      return undefined; // ITEM_DESTROYED/UNDO, SKILL_LEVEL_UP, DRAGON_SOUL_GIVEN, CHAMPION_TRANSFORM, GAME_END…: see docs
  }
}

function pid(v: unknown): number {
  const n = optNum(v);
  return n !== undefined && Number.isInteger(n) && n > 0 && n <= MAX_PARTICIPANTS ? n : 0;
}

function assists(e: Obj): number[] {
  return Array.isArray(e.assistingParticipantIds) ? e.assistingParticipantIds.slice(0, 9).map(pid).filter((n) => n > 0) : [];
}

function pos(e: Obj): { x?: number; y?: number } {
  return isObj(e.position) ? { x: optNum(e.position.x), y: optNum(e.position.y) } : {};
}

function short(v: unknown): string | undefined {
  return optStr(v)?.slice(0, 32);
}

/**
 * The timeline names no champions, but a kill's damage entries do: in victimDamageDealt `name` is the
 * victim's champion (its participantId is the target, so ignore it); in victimDamageReceived `name` is
 * usually the source's champion (pets and clones make it wrong now and then). Votes, the first kind
 * weighing much more, pick each participant's champion.
 */
type Votes = Map<number, Map<string, number>>;

function learnChampions(e: Obj, votes: Votes): void {
  const vote = (p: number, name: unknown, weight: number) => {
    if (p < 1 || typeof name !== 'string' || name === '' || /^SRU|Turret|Minion/.test(name)) return;
    const n = name.slice(0, 64);
    const byName = votes.get(p) ?? new Map<string, number>();
    if (byName.size < 24 || byName.has(n)) byName.set(n, (byName.get(n) ?? 0) + weight);
    votes.set(p, byName);
  };
  const victim = pid(e.victimId);
  if (Array.isArray(e.victimDamageDealt)) for (const d of e.victimDamageDealt.slice(0, 64)) if (isObj(d)) vote(victim, d.name, 10);
  if (Array.isArray(e.victimDamageReceived)) for (const d of e.victimDamageReceived.slice(0, 64)) if (isObj(d)) vote(pid(d.participantId), d.name, 1);
}

function elect(votes: Votes): Map<number, string> {
  const out = new Map<number, string>();
  for (const [p, byName] of votes) {
    const best = [...byName].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best) out.set(p, best[0]);
  }
  return out;
}

/** First blood, multikill and ace come as separate events at the kill's timestamp, by the same killer. */
function attachSpecials(events: TEvent[], specials: Specials): void {
  const kills = new Map<string, Extract<TEvent, { k: 'kill' }>>();
  for (const e of events) if (e.k === 'kill') kills.set(`${e.t}:${e.killer}`, e); // the last one wins
  for (const s of specials) {
    const kill = kills.get(`${s.t}:${s.killer}`);
    if (!kill) continue;
    if (s.type === 'KILL_FIRST_BLOOD') kill.fb = true;
    else if (s.type === 'KILL_MULTI' && s.multi !== undefined) kill.multi = Math.max(kill.multi ?? 0, s.multi);
    else if (s.type === 'KILL_ACE') kill.ace = true;
  }
}
