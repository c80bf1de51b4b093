// The CPU-heavy half of the processor: the match states of some partitions, in memory, and what one
// batch does to them. No I/O: it runs on the processor's thread or in a worker thread
// (shard-worker.ts), with the same code. The processor does the I/O around it:
// 1. decode(batch): parses the records; returns the matches it holds no state for;
// 2. the processor loads their snapshots from the store (seeds);
// 3. apply(batch, seeds): applies the events in order and returns, per touched match, everything
//    the store, Redis and clutch.stats.v1 need (view, snapshot as JSON text, window rows).
// States are a cache of what the store holds after each batch: dropping them (clear) is always safe.
import { applyStats, applyToSummary, newStats, statsView, type Envelope, type LiveSummary, type MatchStatsView, type StatsState, type Title } from '@clutch/core';
import { fromCanonicalValue } from '../events/codec.ts';
import { loadShippedModels } from '../predict/index.ts';
import { LivePredictor, newPredState, withTotals, type LivePrediction, type PredState } from '../predict/live.ts';
import type { PredictionRows } from '../store/predictions.ts';
import { windowRowsJson, type WindowRow, type WindowRowsJson } from '../store/stats.ts';
import { addValues, afterLateEvent, beforeEvent, currentValues, eventTimeMs, newWindows, type Values, type WindowChanges, type WindowState } from './windows.ts';

/** The processor's state of one match; `stats` and `win` are what match_stats.state holds. */
export interface MatchProc {
  tenant: string;
  matchId: string;
  tournamentId?: string;
  seriesId?: string;
  summary?: LiveSummary;
  stats: StatsState;
  win: WindowState;
  /** The win-probability predictor's state (predictions on). */
  pred?: PredState;
}

/** match_stats.state */
export interface Snapshot {
  v: 1;
  stats: StatsState;
  win: WindowState;
  tournamentId?: string;
  seriesId?: string;
  pred?: PredState;
}

/** What the store holds for a match the shard has no state for (both absent for a new match). */
export interface MatchSeed {
  tenant: string;
  matchId: string;
  snapshot?: Snapshot;
  summary?: LiveSummary;
}

export interface DecodeResult {
  /** Matches of the batch with no state here: seed them in apply(). */
  missing: Array<{ tenant: string; matchId: string }>;
}

/** One match after a batch. */
export interface TouchedMatch {
  tenant: string;
  matchId: string;
  title: Title;
  tournamentId?: string;
  seriesId?: string;
  lastSeq: number;
  /** Seq of the batch's first event applied to this match. */
  fromSeq: number;
  startMs: number;
  /** The last applied event's timestamps (the start of a live message's timestamp chain). */
  occurredAt: string;
  receivedAt: string;
  summary?: LiveSummary;
  view: MatchStatsView;
  /** The Snapshot as JSON text (serialised where it was built: no copy of the object between threads). */
  snapshot: string;
  /** The window rows the batch changed, serialised for the store here (no copy of row objects between threads). */
  rows: WindowRowsJson;
  changes: WindowChanges;
  /** Win-probability predictions made on this batch's events (predictions on), serialised here. */
  predictions?: PredictionsJson;
}

/** A match's predictions of one batch, serialised in the worker (no copy of objects between threads). */
export interface PredictionsJson {
  /** How many predictions the batch made (in seq order). */
  count: number;
  /** The last MAX_DELTA_PREDICTIONS of them, as a JSON array: the live delta's `predictions`. */
  live: string;
  /** The latest, with the per-player WPA totals, as JSON: what live snapshots carry. */
  latest: string;
  /** All of them as match_predictions columns (store/predictions.ts). */
  rows: PredictionRows;
  /** Win probability added so far in the match, per player (the WPA leaderboard's per-match values). */
  playerWpa: Record<string, number>;
}

/**
 * Predictions on (true), off, or 'inference-only': computed (models, explanations, per-match state) but
 * neither serialised, stored nor sent — what bench/predictions uses to measure inference alone.
 */
export type PredictionsMode = boolean | 'inference-only';

/** Predictions a live delta carries at most (a batch caught up from a backlog may make more; all are stored). */
export const MAX_DELTA_PREDICTIONS = 20;

function predictionsJson(m: MatchProc, list: LivePrediction[]): PredictionsJson {
  // Each prediction serialised once; the live array and the stored rows are built from those texts.
  const texts = list.map((p) => JSON.stringify(p));
  const last = list.at(-1)!;
  return {
    count: list.length,
    live: `[${(texts.length > MAX_DELTA_PREDICTIONS ? texts.slice(-MAX_DELTA_PREDICTIONS) : texts).join(',')}]`,
    latest: last.kind === 'live' ? JSON.stringify(withTotals(last, m.pred!)) : texts.at(-1)!,
    playerWpa: { ...m.pred!.wpa },
    rows: { tenant: m.tenant, matchId: m.matchId, seq: list.map((p) => p.seq), kind: list.map((p) => p.kind), model: list.map((p) => p.model.name), version: list.map((p) => p.model.version), occurredAt: list.map((p) => p.occurredAt), json: texts },
  };
}

export interface ApplyResult {
  touched: TouchedMatch[];
  counts: { applied: number; late: number; duplicate: number; invalid: number };
  /** Records that are not valid canonical events (index in the batch, reason): logged and skipped. */
  invalid: Array<{ index: number; reason: string }>;
}

/**
 * One event applied to a match's state, in memory: summary, windows (closing the minutes it moves
 * past, correcting closed ones when it is late) and built-in stats. The caller has checked its seq.
 */
export function applyEvent(m: Pick<MatchProc, 'summary' | 'stats' | 'win' | 'tournamentId' | 'seriesId'>, e: Envelope, allowedLatenessMs: number, changes: WindowChanges): 'late' | 'applied' {
  if (e.tournamentId) m.tournamentId = e.tournamentId;
  if (e.seriesId) m.seriesId = e.seriesId;
  m.summary = applyToSummary(m.summary, e);
  const minute = beforeEvent(m.win, m.stats, eventTimeMs(m.win, e), changes);
  if (minute >= m.win.open) {
    applyStats(m.stats, e);
    return 'applied';
  }
  const before = currentValues(m.stats);
  applyStats(m.stats, e);
  afterLateEvent(m.win, before, currentValues(m.stats), minute, allowedLatenessMs, changes);
  return 'late';
}

interface Pending {
  events: Array<Envelope | string>;
  /** States held at decode time, so a clear() between the two steps cannot lose them. */
  pinned: Map<string, MatchProc>;
}

const key = (tenant: string, matchId: string) => `${tenant}\u0000${matchId}`;

export class MatchShard {
  readonly #states = new Map<string, MatchProc>();
  readonly #pending = new Map<number, Pending>();
  readonly #max: number;
  readonly #lateness: number;
  readonly #predictor: LivePredictor | undefined;
  /** Predictions computed and dropped (bench/predictions measures the inference alone this way). */
  readonly #inferenceOnly: boolean;

  constructor(o: { maxCachedMatches?: number; allowedLatenessMs?: number; predictions?: PredictionsMode } = {}) {
    this.#max = o.maxCachedMatches ?? 10_000;
    this.#lateness = o.allowedLatenessMs ?? 60_000;
    // The shipped models, loaded once per shard (per worker thread): a missing one fails at start.
    if (o.predictions) this.#predictor = new LivePredictor(loadShippedModels());
    this.#inferenceOnly = o.predictions === 'inference-only';
  }

  get size(): number {
    return this.#states.size;
  }

  decode(batchId: number, values: readonly Uint8Array[]): DecodeResult {
    const events: Array<Envelope | string> = [];
    const pinned = new Map<string, MatchProc>();
    const missing = new Map<string, { tenant: string; matchId: string }>();
    for (const v of values) {
      let e: Envelope;
      try {
        e = fromCanonicalValue(v);
      } catch (err) {
        events.push((err as Error).message);
        continue;
      }
      events.push(e);
      const k = key(e.tenant, e.matchId);
      if (pinned.has(k) || missing.has(k)) continue;
      const m = this.#states.get(k);
      if (m) pinned.set(k, m);
      else missing.set(k, { tenant: e.tenant, matchId: e.matchId });
    }
    this.#pending.set(batchId, { events, pinned });
    return { missing: [...missing.values()] };
  }

  apply(batchId: number, seeds: readonly MatchSeed[]): ApplyResult {
    const p = this.#pending.get(batchId);
    if (!p) throw new Error(`batch ${batchId} was not decoded here`);
    this.#pending.delete(batchId);
    const seeded = new Map(seeds.map((s) => [key(s.tenant, s.matchId), s]));
    const counts = { applied: 0, late: 0, duplicate: 0, invalid: 0 };
    const invalid: ApplyResult['invalid'] = [];
    const touched = new Map<string, { m: MatchProc; changes: WindowChanges; roundsAtStart: number; fromSeq: number; last: Envelope; predictions?: LivePrediction[] }>();
    const predictor = this.#predictor;
    for (const [index, e] of p.events.entries()) {
      if (typeof e === 'string') {
        counts.invalid++;
        invalid.push({ index, reason: e });
        continue;
      }
      const k = key(e.tenant, e.matchId);
      let m = p.pinned.get(k);
      if (!m) {
        const s = seeded.get(k);
        if (!s) throw new Error(`no state nor seed for match ${e.matchId}`);
        m = fromSeed(s, e);
        p.pinned.set(k, m);
      }
      if (e.seq <= m.stats.lastSeq) {
        counts.duplicate++;
        continue;
      }
      let t = touched.get(k);
      if (!t) touched.set(k, (t = { m, changes: { minutes: [], corrections: [] }, roundsAtStart: m.stats.rounds.length, fromSeq: e.seq, last: e }));
      counts[applyEvent(m, e, this.#lateness, t.changes)]++;
      if (predictor) {
        const made = predictor.observe(m.stats, (m.pred ??= newPredState()), e);
        if (made && !this.#inferenceOnly) (t.predictions ??= []).push(...made);
      }
      t.last = e;
      t.roundsAtStart = Math.min(t.roundsAtStart, m.stats.rounds.length);
    }
    // Most recently used last; the oldest go beyond the bound (reloaded from the store if needed).
    for (const [k, m] of p.pinned) {
      this.#states.delete(k);
      this.#states.set(k, m);
    }
    while (this.#states.size > this.#max) this.#states.delete(this.#states.keys().next().value!);
    return {
      touched: [...touched.values()].map(({ m, changes, roundsAtStart, fromSeq, last, predictions }) => ({
        tenant: m.tenant,
        matchId: m.matchId,
        title: m.stats.title,
        ...(m.tournamentId ? { tournamentId: m.tournamentId } : {}),
        ...(m.seriesId ? { seriesId: m.seriesId } : {}),
        lastSeq: m.stats.lastSeq,
        fromSeq,
        startMs: m.win.startMs,
        occurredAt: last.occurredAt,
        receivedAt: last.receivedAt,
        ...(m.summary ? { summary: m.summary } : {}),
        view: statsView(m.stats),
        snapshot: JSON.stringify({ v: 1, stats: m.stats, win: m.win, ...(m.tournamentId ? { tournamentId: m.tournamentId } : {}), ...(m.seriesId ? { seriesId: m.seriesId } : {}), ...(m.pred ? { pred: m.pred } : {}) } satisfies Snapshot),
        rows: windowRowsJson(windowRows(m, changes, roundsAtStart)),
        changes: { minutes: [...new Set(changes.minutes)], corrections: [...new Set(changes.corrections)] },
        ...(predictions ? { predictions: predictionsJson(m, predictions) } : {}),
      })),
      counts,
      invalid,
    };
  }

  /** Forgets a decoded batch that will not be applied (its seeds could not be loaded). */
  drop(batchId: number): void {
    this.#pending.delete(batchId);
  }

  /** Drops every state (after a failed write, or when partitions move to another process). */
  clear(): void {
    this.#states.clear();
  }
}

function fromSeed(s: MatchSeed, first: Envelope): MatchProc {
  const snap = s.snapshot?.v === 1 ? s.snapshot : undefined;
  return {
    tenant: s.tenant,
    matchId: s.matchId,
    stats: snap?.stats ?? newStats(first.title, first.matchId),
    win: snap?.win ?? newWindows(Date.parse(first.occurredAt) - (first.gameTime ?? 0)),
    ...(s.summary ? { summary: s.summary } : {}),
    ...(snap?.tournamentId ? { tournamentId: snap.tournamentId } : {}),
    ...(snap?.seriesId ? { seriesId: snap.seriesId } : {}),
    ...(snap?.pred ? { pred: snap.pred } : {}),
  };
}

/** The window rows a batch changed: closed and corrected minutes, the open minute, new rounds, the game. */
function windowRows(m: MatchProc, changes: WindowChanges, roundsAtStart: number): WindowRow[] {
  const s = m.stats;
  const rows: WindowRow[] = [];
  const push = (win: WindowRow['win'], idx: number, time: Date, values: Record<string, Values>) => {
    for (const [subject, v] of Object.entries(values)) {
      rows.push({ tenant: m.tenant, matchId: m.matchId, title: s.title, lastSeq: s.lastSeq, win, idx, time, subjectKind: subject.startsWith('p:') ? 'player' : 'team', subjectId: subject.slice(2), ...v });
    }
  };
  const now = currentValues(s);
  for (const minute of new Set(changes.minutes)) {
    const values = m.win.minutes[minute];
    if (values) push('minute', minute, new Date(m.win.startMs + minute * 60_000), values);
  }
  push('minute', m.win.open, new Date(m.win.startMs + m.win.open * 60_000), now); // the open minute, provisional
  for (let r = Math.max(1, roundsAtStart); r <= s.history.length; r++) {
    const snap = s.history[r - 1]!;
    const values: Record<string, Values> = {};
    const teams: Record<string, Values> = {};
    for (const [id, c] of Object.entries(snap)) {
      const v: Values = { kills: c.kills, deaths: c.deaths, assists: c.assists, ...(c.damage !== undefined ? { damage: c.damage } : {}) };
      values[`p:${id}`] = v;
      const team = s.players[id]?.team;
      if (team === undefined) continue;
      addValues((teams[`t:${team}`] ??= {}), v);
    }
    push('round', r, new Date(m.win.startMs + (s.rounds[r - 1]?.endedAtMs ?? 0)), Object.assign(values, teams));
  }
  push('game', 0, new Date(m.win.startMs), now);
  return rows;
}
