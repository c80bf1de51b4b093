// Drafts out of one parse: which match they belong to, their key, and where they go (out now, into
// the pending buffer while it is not yet known whether a Match_Start is live, or nowhere).
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../types.ts';
import { stableKey } from '../util.ts';
import { LIMITS, type State } from './state.ts';

export const SOURCE = 'cs2-log';

/** One log line being handled. `occ` is its index among identical lines of the body (lazy). */
export interface Line {
  text: string;
  iso: string;
  ms: number;
  occ: number;
}

export interface Run {
  st: State;
  out: Draft[];
  /** Line text → how many identical lines were given a key so far (seeded from state.tail). */
  occ: Map<string, number>;
  /** slug(streamId), for match ids. */
  stream: string;
}

/** Index of this line among identical lines: the same body re-sent gives the same keys. */
export function lineOcc(run: Run, line: Line): number {
  if (line.occ < 0) {
    const n = run.occ.get(line.text) ?? 0;
    run.occ.set(line.text, n + 1);
    line.occ = n;
  }
  return line.occ;
}

/** `cs2-<stream>-<yyyymmddhhmmss>` of the live start (log time read as UTC). */
export function matchIdAt(run: Run, ms: number): string {
  return `cs2-${run.stream}-${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

interface Target {
  matchId: string;
  startMs: number;
  into: Draft[];
}

function target(run: Run): Target | undefined {
  const { st } = run;
  if (st.phase === 'live' && st.match) return { matchId: st.match.id, startMs: st.match.startMs, into: run.out };
  if (st.phase === 'pending' && st.pending && st.pending.drafts.length < LIMITS.pendingDrafts) {
    return { matchId: matchIdAt(run, st.pending.ms), startMs: st.pending.ms, into: st.pending.drafts };
  }
  return undefined;
}

/**
 * Emits a draft for the current match (or buffers it while pending); outside a match, nothing.
 * `key` overrides the line-derived key for facts that are one per match (match.started).
 */
export function emit<T extends EventType>(run: Run, type: T, payload: PayloadOf<T>, line: Line, key?: string): void {
  const t = target(run);
  if (!t) return;
  const draft = {
    type,
    payload,
    title: 'cs2',
    matchId: t.matchId,
    occurredAt: line.iso,
    gameTime: Math.max(0, line.ms - t.startMs),
    key: stableKey(type, key ?? line.text, key ? undefined : lineOcc(run, line)),
  } as Draft;
  t.into.push(draft);
}

/** Drops undefined fields (strict schemas); a plain loop, it runs for most drafts. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function isLive(run: Run): boolean {
  return run.st.phase === 'live' && run.st.match !== undefined;
}
