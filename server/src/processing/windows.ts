// Event-time windows over a match's stats: per-minute tumbling windows (cumulative counters of each
// player and team at the minute's end), per-round windows (shooters, from the stats' round history)
// and the per-game window (the totals so far). A watermark trails the latest event time by the
// allowed lateness: an event for a minute already behind the watermark is late, and the windows it
// changes are re-emitted as corrections. Pure and JSON-serialisable, like the stats state.
import { playerTotals, type Envelope, type PlayerAcc, type StatsState } from '@clutch/core';

export type Values = Partial<Record<'kills' | 'deaths' | 'assists' | 'damage' | 'gold' | 'xp' | 'cs', number>>;

export interface WindowState {
  /** Wall time of the match start (ms): window times are start + minute. */
  startMs: number;
  /** Latest event time seen (ms since start). */
  maxMs: number;
  /** Minute windows closed so far: minute → subject key (`p:id` / `t:id`) → values. */
  minutes: Record<number, Record<string, Values>>;
  /** The minute currently open. */
  open: number;
}

export interface WindowChanges {
  /** Minute windows to write (new, corrected or the open one). */
  minutes: number[];
  /** Minutes corrected behind the watermark (late events). */
  corrections: number[];
}

/** Bound on minute windows kept per match (a 6-hour game); older ones stay in the store only. */
const MAX_MINUTES = 360;

export function newWindows(startMs: number): WindowState {
  return { startMs, maxMs: 0, minutes: {}, open: 0 };
}

function playerValues(s: StatsState, p: PlayerAcc): Values {
  const t = playerTotals(s, p);
  const v: Values = { kills: t.kills, deaths: t.deaths, assists: t.assists };
  const dmg = t.damage ?? p.damageToChampions;
  if (dmg !== undefined) v.damage = dmg;
  const gold = p.totalGold ?? p.netWorth ?? p.gold;
  if (gold !== undefined) v.gold = gold;
  if (p.xp !== undefined) v.xp = p.xp;
  const cs = p.creepScore ?? p.lastHits;
  if (cs !== undefined) v.cs = cs;
  return v;
}

/** Adds `v` into `target`, field by field (a team's values are the sums of its players'). */
export function addValues(target: Values, v: Values): void {
  for (const k in v) target[k as keyof Values] = (target[k as keyof Values] ?? 0) + v[k as keyof Values]!;
}

/** Cumulative values of every player and team now. */
export function currentValues(s: StatsState): Record<string, Values> {
  const out: Record<string, Values> = {};
  const teams: Record<string, Values> = {};
  for (const id of s.order) {
    const p = s.players[id]!;
    const v = playerValues(s, p);
    out[`p:${id}`] = v;
    if (p.team === undefined) continue;
    addValues((teams[`t:${p.team}`] ??= {}), v);
  }
  return Object.assign(out, teams);
}

const clone = (v: Record<string, Values>): Record<string, Values> => {
  const out: Record<string, Values> = {};
  for (const k in v) out[k] = { ...v[k] };
  return out;
};

export function eventTimeMs(w: WindowState, e: Envelope): number {
  return e.gameTime ?? Math.max(0, Date.parse(e.occurredAt) - w.startMs);
}

/**
 * Call before applying an event to the stats: closes the minutes the event's time moves past
 * (their values are the totals before this event). Returns the event's minute.
 */
export function beforeEvent(w: WindowState, s: StatsState, t: number, changes: WindowChanges): number {
  const minute = Math.floor(t / 60_000);
  if (t > w.maxMs) w.maxMs = t;
  if (minute > w.open) {
    const now = currentValues(s);
    for (let m = w.open; m < minute; m++) {
      // Each minute owns its values: a later correction of one must not touch another.
      w.minutes[m] = m === minute - 1 ? now : clone(now);
      changes.minutes.push(m);
    }
    w.open = minute;
    const keys = Object.keys(w.minutes);
    if (keys.length > MAX_MINUTES) for (const k of keys.slice(0, keys.length - MAX_MINUTES)) delete w.minutes[Number(k)];
  }
  return minute;
}

/**
 * Call after applying a late event (its minute is before the open one): adds what it changed to
 * every closed minute from its own on. Those behind the watermark are corrections.
 */
export function afterLateEvent(w: WindowState, before: Record<string, Values>, after: Record<string, Values>, minute: number, allowedLatenessMs: number, changes: WindowChanges): void {
  const watermark = w.maxMs - allowedLatenessMs;
  for (let m = minute; m < w.open; m++) {
    const win = w.minutes[m];
    if (!win) continue;
    let changed = false;
    for (const key of Object.keys(after)) {
      const a = after[key]!;
      const b = before[key] ?? {};
      const target = (win[key] ??= {});
      for (const k in a) {
        const d = a[k as keyof Values]! - (b[k as keyof Values] ?? 0);
        if (d !== 0) {
          target[k as keyof Values] = (target[k as keyof Values] ?? 0) + d;
          changed = true;
        }
      }
    }
    if (!changed) continue;
    changes.minutes.push(m);
    if ((m + 1) * 60_000 <= watermark) changes.corrections.push(m);
  }
}


export interface WindowPointLike {
  idx: number;
  time: Date;
  subjectKind: 'player' | 'team';
  subjectId: string;
  values: Values;
}

/**
 * Sliding windows from cumulative minute windows: for each minute m and subject, what happened in the
 * `size` minutes ending with m (cumulative at m minus cumulative at m − size; gauges such as gold and
 * xp are differences too: gold earned in the window). Slides by one minute. Derived at read time, so
 * a late event's correction of the minute windows reaches every sliding window that covers it.
 */
export function slidingWindows(minutes: readonly WindowPointLike[], size: number): WindowPointLike[] {
  const bySubject = new Map<string, Map<number, WindowPointLike>>();
  for (const p of minutes) {
    const k = `${p.subjectKind}:${p.subjectId}`;
    let m = bySubject.get(k);
    if (!m) bySubject.set(k, (m = new Map()));
    m.set(p.idx, p);
  }
  const out: WindowPointLike[] = [];
  for (const p of minutes) {
    const series = bySubject.get(`${p.subjectKind}:${p.subjectId}`)!;
    // The latest closed minute at or before m − size (a subject may have no row for early minutes: zero).
    let base: WindowPointLike | undefined;
    for (let i = p.idx - size; i >= 0 && !base; i--) base = series.get(i);
    const values: Values = {};
    for (const k in p.values) {
      const key = k as keyof Values;
      values[key] = p.values[key]! - (base?.values[key] ?? 0);
    }
    out.push({ ...p, values });
  }
  return out;
}
