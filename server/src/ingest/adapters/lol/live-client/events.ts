// Live Client events (events.Events[] of /allgamedata, or /eventdata) → drafts. Every poll re-sends
// the whole list: an event's identity is its EventID, name and time (plus its index among identical
// ones in the payload — the client's sample events all carry EventID 0), remembered in the state.
import type { Objective, PlayerRef } from '@clutch/core';
import { ParseError } from '../../errors.ts';
import type { Draft } from '../../types.ts';
import { compact, num, obj, optNum, optStr, str, type Obj } from '../../util.ts';
import { capTail, dragonObjective, otherSide, sideIndex, structureFromName, type Side } from '../common.ts';
import { MAX_SEEN, SOURCE, activeSideOf, isWorld, makeDraft, refOf, sideOfKiller, type LcState } from './state.ts';

interface LcEvent {
  e: Obj;
  name: string;
  ms: number;
  identity: string;
}

/** A game has a few hundred events; more in one payload is not the Live Client API. */
const MAX_EVENTS = 5000;

export function readEvents(list: unknown[], at: string): LcEvent[] {
  if (list.length > MAX_EVENTS) throw new ParseError(SOURCE, `more than ${MAX_EVENTS} events`, at);
  const counts = new Map<string, number>();
  return list.map((v, i) => {
    const e = obj(SOURCE, v, `${at}/${i}`);
    const name = str(SOURCE, e.EventName, `${at}/${i}/EventName`).slice(0, 64);
    const time = num(SOURCE, e.EventTime, `${at}/${i}/EventTime`);
    if (time < 0 || time > 1e6) throw new ParseError(SOURCE, `EventTime ${time} is not a game time in seconds`, `${at}/${i}/EventTime`);
    const ms = Math.round(time * 1000);
    const base = `${optNum(e.EventID) ?? '-'}:${name}:${ms}`;
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return { e, name, ms, identity: `${base}:${n}` };
  });
}

/** Drafts for the events not seen before; marks them seen. */
export function emitEvents(s: LcState, events: LcEvent[], out: Draft[]): void {
  const seen = new Set(s.seen);
  const fresh = events.filter((ev) => !seen.has(ev.identity));
  const byTime = new Map<number, LcEvent[]>();
  for (const ev of events) {
    const list = byTime.get(ev.ms);
    if (list) list.push(ev);
    else byTime.set(ev.ms, [ev]);
  }
  for (const ev of fresh) {
    const d = toDraft(s, ev, byTime.get(ev.ms) ?? []);
    if (d) out.push(d);
  }
  s.seen = capTail([...s.seen, ...fresh.map((ev) => ev.identity)], MAX_SEEN);
}

const MONSTERS: Record<string, Objective> = { BaronKill: 'baron_nashor', HeraldKill: 'rift_herald', HordeKill: 'void_grub', AtakhanKill: 'atakhan' };

/** `atSameTime`: the payload's events with this event's EventTime. */
function toDraft(s: LcState, ev: LcEvent, atSameTime: LcEvent[]): Draft | undefined {
  const key = `ev:${ev.identity}`;
  switch (ev.name) {
    case 'ChampionKill':
      return kill(s, ev, atSameTime, key);
    case 'TurretKilled':
    case 'InhibKilled':
      return structure(s, ev, key);
    case 'DragonKill':
      return monster(s, ev, dragonObjective(optStr(ev.e.DragonType)), key);
    case 'GameEnd':
      return ended(s, ev);
    default: {
      const objective = MONSTERS[ev.name];
      // GameStart, MinionsSpawning, FirstBrick, FirstBlood, Multikill, Ace, Inhib respawns: see docs
      return objective ? monster(s, ev, { objective }, key) : undefined;
    }
  }
}

function assisters(s: LcState, e: Obj): PlayerRef[] | undefined {
  if (!Array.isArray(e.Assisters)) return undefined;
  const list = e.Assisters.slice(0, 9)
    .map(optStr)
    .filter((n): n is string => !!n && !isWorld(n))
    .map((n) => refOf(s, n));
  return list.length ? list : undefined;
}

function killerRef(s: LcState, e: Obj): PlayerRef | undefined {
  const name = optStr(e.KillerName);
  return name && !isWorld(name) ? refOf(s, name) : undefined;
}

function kill(s: LcState, ev: LcEvent, atSameTime: LcEvent[], key: string): Draft {
  const killerName = optStr(ev.e.KillerName);
  const killer = killerRef(s, ev.e);
  const victim = refOf(s, str(SOURCE, ev.e.VictimName, 'ChampionKill/VictimName'));
  // FirstBlood and Multikill are separate events at the same EventTime naming the same killer.
  const same = killerName === undefined ? [] : atSameTime;
  const firstBlood = same.some((o) => o.name === 'FirstBlood' && optStr(o.e.Recipient) === killerName) || undefined;
  const multi = same.filter((o) => o.name === 'Multikill' && optStr(o.e.KillerName) === killerName).map((o) => optNum(o.e.KillStreak) ?? 0);
  if (killer?.team && killer.team !== victim.team) s.eventKills[sideIndex(killer.team as Side)]++;
  const extra = compact({ killerName: killer ? undefined : killerName?.slice(0, 128), multiKill: multi.length ? Math.max(...multi) : undefined });
  const payload = compact({ killer, victim, assisters: assisters(s, ev.e), firstBlood, extra: Object.keys(extra).length ? extra : undefined });
  return makeDraft(s, 'player.killed.player', payload, ev.ms, key);
}

function structure(s: LcState, ev: LcEvent, key: string): Draft {
  const raw = optStr(ev.e.TurretKilled) ?? optStr(ev.e.InhibKilled) ?? '';
  const found = structureFromName(raw);
  const objective: Objective = found?.objective ?? (ev.name === 'TurretKilled' ? 'tower' : 'inhibitor');
  // The name says whose structure fell; the other side took it.
  const team = found?.owner ? otherSide(found.owner) : sideOfKiller(s, optStr(ev.e.KillerName) ?? '');
  const payload = compact({ team, objective, subtype: found?.subtype ?? (raw.slice(0, 64) || undefined), player: killerRef(s, ev.e), assisters: assisters(s, ev.e) });
  return makeDraft(s, 'objective.taken', payload, ev.ms, key);
}

function monster(s: LcState, ev: LcEvent, kind: { objective: Objective; subtype?: string }, key: string): Draft {
  const team = sideOfKiller(s, optStr(ev.e.KillerName) ?? '');
  const payload = compact({ team, ...kind, player: killerRef(s, ev.e), assisters: assisters(s, ev.e) });
  return makeDraft(s, 'objective.taken', payload, ev.ms, key);
}

/** GameEnd's Result is the local player's: "Win" or "Lose". Spectators have no side, so no winner. */
function ended(s: LcState, ev: LcEvent): Draft | undefined {
  if (s.ended) return undefined;
  s.ended = true;
  const result = optStr(ev.e.Result)?.slice(0, 32);
  const mine = activeSideOf(s);
  const winner = mine && result === 'Win' ? mine : mine && result === 'Lose' ? otherSide(mine) : undefined;
  const score = s.scoreKills ?? s.eventKills;
  const payload = compact({ winner, score: [score[0], score[1]] as [number, number], durationMs: ev.ms, extra: result ? { result } : undefined });
  return makeDraft(s, 'match.ended', payload, ev.ms, 'match.ended');
}
