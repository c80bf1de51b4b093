// OpenDota /api/matches/{id}: Steam's match summary plus, for replay-parsed matches, a timeline —
// objectives[] (buildings, Roshan), players[].kills_log (who killed which hero, when) and per-minute
// gold_t / xp_t / lh_t / dn_t. One document describes the whole match, so parse emits everything.
import type { Draft } from '../types.ts';
import { compact, isObj, obj, optCount, optNum, optStr, parseJson, type Obj } from '../util.ts';
import { otherSide, parseBuilding, SIDES, teamRef, type Side } from './common.ts';
import { makeDraft, type When } from './draft.ts';
import { heroIdByInternal } from './heroes.ts';
import { endEvents, readMatch, refOfPlayer, startEvents, type DotaMatch, type DotaPlayer } from './summary.ts';
import type { Adapter, AdapterContext, ParseOutput } from '../types.ts';

const SOURCE = 'opendota';
const MAX_MINUTES = 300;
const MAX_KILLS_PER_PLAYER = 1000;
const MAX_OBJECTIVES = 2000;

export interface DocumentState {
  documents: number;
}

interface Timed {
  t: number;
  draft: Draft;
  /** Killer's player_slot, for kills. */
  by?: number;
}

function whenAt(m: DotaMatch, seconds: number): When {
  const occurredAt = new Date(m.startMs + seconds * 1000).toISOString();
  return seconds >= 0 ? { occurredAt, gameTime: seconds * 1000 } : { occurredAt };
}

function seconds(v: unknown): number | undefined {
  const n = optNum(v);
  return n !== undefined && Math.abs(n) <= 86400 ? n : undefined;
}

/** kills_log names the victim by hero: the player of the other side playing that hero. */
function killEvents(m: DotaMatch): Timed[] {
  const out: Timed[] = [];
  for (const killer of m.players) {
    const log = Array.isArray(killer.raw.kills_log) ? killer.raw.kills_log.slice(0, MAX_KILLS_PER_PLAYER) : [];
    for (const [i, e] of log.entries()) {
      if (!isObj(e)) continue;
      const t = seconds(e.time);
      const heroId = heroIdByInternal(optStr(e.key) ?? '');
      const victim = m.players.find((p) => p.side !== killer.side && p.heroId === heroId);
      if (t === undefined || heroId === undefined || !victim) continue;
      const payload = { killer: refOfPlayer(killer), victim: refOfPlayer(victim) };
      out.push({ t, by: killer.slot, draft: makeDraft(m.target, 'player.killed.player', payload, whenAt(m, t), `kill:${killer.slot}:${i}`) });
    }
  }
  out.sort((a, b) => a.t - b.t);
  // The first hero kill of the match is first blood (OpenDota's first_blood_time says when).
  const first = out[0]?.draft;
  if (first) (first.payload as { firstBlood?: boolean }).firstBlood = true;
  return out;
}

function objectiveEvents(m: DotaMatch): Timed[] {
  const list = Array.isArray(m.root.objectives) ? m.root.objectives.slice(0, MAX_OBJECTIVES) : [];
  const out: Timed[] = [];
  const repeats: Record<string, number> = {};
  for (const o of list) {
    if (!isObj(o)) continue;
    const t = seconds(o.time);
    if (t === undefined) continue;
    const type = optStr(o.type);
    if (type === 'building_kill') {
      const b = parseBuilding(optStr(o.key) ?? '');
      if (!b) continue;
      const team = otherSide(b.owner);
      const by = playerAt(m, optCount(o.player_slot));
      const base = `building:${b.owner}:${b.subtype}`;
      // Same key as GSI's for the same building; a second "tower4" of a side gets its rank.
      const n = (repeats[base] = (repeats[base] ?? 0) + 1);
      const payload = { team, objective: b.objective, subtype: b.subtype, ...(by && by.side === team ? { player: refOfPlayer(by) } : {}) };
      out.push({ t, draft: makeDraft(m.target, 'objective.taken', payload, whenAt(m, t), n > 1 ? `${base}:${n}` : base) });
    } else if (type === 'CHAT_MESSAGE_ROSHAN_KILL') {
      const team: Side | undefined = o.team === 2 ? 'radiant' : o.team === 3 ? 'dire' : undefined;
      out.push({ t, draft: makeDraft(m.target, 'objective.taken', { ...(team ? { team } : {}), objective: 'roshan' }, whenAt(m, t), `roshan:${t}`) });
    }
  }
  return out;
}

function playerAt(m: DotaMatch, slot: number | undefined): DotaPlayer | undefined {
  return slot === undefined ? undefined : m.players.find((p) => p.slot === slot);
}

const series = (p: DotaPlayer, key: string): unknown[] => (Array.isArray(p.raw[key]) ? (p.raw[key] as unknown[]).slice(0, MAX_MINUTES) : []);

/** How many of the ascending times are at or before t. */
function countUpTo(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Per-minute player.state (gold earned so far, xp, last hits, denies, kills) and team.state (sums). */
function minuteEvents(m: DotaMatch, kills: Timed[]): Timed[] {
  const out: Timed[] = [];
  const minutes = Math.max(0, ...m.players.map((p) => series(p, 'gold_t').length));
  const killTimes = new Map<number, number[]>();
  for (const k of kills) {
    if (k.by === undefined) continue;
    const list = killTimes.get(k.by) ?? [];
    list.push(k.t); // kills arrive sorted by time
    killTimes.set(k.by, list);
  }
  for (let minute = 0; minute < minutes; minute++) {
    const sums = { radiant: { gold: 0, xp: 0, kills: 0, ok: true }, dire: { gold: 0, xp: 0, kills: 0, ok: true } };
    for (const p of m.players) {
      const gold = optNum(series(p, 'gold_t')[minute]);
      const xp = optNum(series(p, 'xp_t')[minute]);
      const k = countUpTo(killTimes.get(p.slot) ?? [], minute * 60);
      const stats = compact({ totalGold: gold, xp, lastHits: optCount(series(p, 'lh_t')[minute]), denies: optCount(series(p, 'dn_t')[minute]), kills: k });
      const sum = sums[p.side];
      if (gold === undefined || xp === undefined) sum.ok = false;
      else {
        sum.gold += gold;
        sum.xp += xp;
      }
      sum.kills += k;
      out.push({ t: minute * 60, draft: makeDraft(m.target, 'player.state', { player: refOfPlayer(p), stats }, whenAt(m, minute * 60), `ps:${p.slot}:${minute}`) });
    }
    for (const side of SIDES) {
      const sum = sums[side];
      // Team gold is the sum of the players' gold_t: OpenDota's radiant_gold_adv is Radiant's minus Dire's.
      const stats = sum.ok ? { gold: sum.gold, xp: sum.xp, kills: sum.kills } : { kills: sum.kills };
      out.push({ t: minute * 60, draft: makeDraft(m.target, 'team.state', { team: teamRef(side, m.teamNames[side]), stats }, whenAt(m, minute * 60), `ts:${side}:${minute}`) });
    }
  }
  return out;
}

export function openDotaDrafts(m: DotaMatch): Draft[] {
  const kills = killEvents(m);
  const timeline = [...kills, ...objectiveEvents(m), ...minuteEvents(m, kills)];
  // Stable sort: at one instant, states (pushed last) follow the kills and objectives they count.
  timeline.sort((a, b) => a.t - b.t);
  return [...startEvents(m), ...timeline.map((x) => x.draft), ...endEvents(m)];
}

export const openDota: Adapter<DocumentState> = {
  source: SOURCE,
  title: 'dota2',
  kind: 'document',
  format: 'json',
  description: 'OpenDota /api/matches/{id} match document (draft, kills, buildings, Roshan, per-minute gold and xp)',
  initialState: () => ({ documents: 0 }),
  parse(payload: Buffer, state: DocumentState, _ctx: AdapterContext): ParseOutput<DocumentState> {
    const root: Obj = obj(SOURCE, parseJson(SOURCE, payload), '/');
    return { state: { documents: state.documents + 1 }, drafts: openDotaDrafts(readMatch(SOURCE, root)) };
  },
  // Each document is complete: parse already emitted what it describes.
  finish: (state: DocumentState) => ({ state, drafts: [] }),
};
