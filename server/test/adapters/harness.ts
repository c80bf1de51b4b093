// Shared test tools for source adapters: run one over payloads, check every draft against the
// canonical schemas, fuzz it, and find the real captures in ../shared/data (tests that need them skip
// with a message when the folder is absent, so a fresh clone still passes).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { payloadProblems } from '@clutch/core';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { isParseError } from '../../src/ingest/adapters/errors.ts';
import type { Adapter, AdapterContext, Draft } from '../../src/ingest/adapters/types.ts';

export const ctx = (over: Partial<AdapterContext> = {}): AdapterContext => ({ receivedAt: '2026-11-24T18:00:00.000Z', streamId: 'test-stream', ...over });

/** Feeds payloads in order (then finish, for documents) and returns every draft. */
export function run<S>(adapter: Adapter<S>, payloads: (Buffer | string)[], c: AdapterContext = ctx()): Draft[] {
  let state = adapter.initialState();
  const drafts: Draft[] = [];
  for (const p of payloads) {
    const out = adapter.parse(Buffer.isBuffer(p) ? p : Buffer.from(p), state, c);
    state = out.state;
    drafts.push(...out.drafts);
  }
  if (adapter.finish) drafts.push(...adapter.finish(state, c).drafts);
  return drafts;
}

/** Every draft is a valid canonical event of the adapter's title, with keys unique per match. */
export function expectValidDrafts(adapter: Adapter, drafts: Draft[]): void {
  const keys = new Set<string>();
  for (const [i, d] of drafts.entries()) {
    const where = `draft ${i} (${d.type})`;
    expect(payloadProblems(d.type, d.payload), where).toEqual([]);
    expect(d.title, where).toBe(adapter.title);
    expect(d.matchId, where).toMatch(/^.{1,128}$/);
    expect(Number.isNaN(Date.parse(d.occurredAt)), `${where} occurredAt ${d.occurredAt}`).toBe(false);
    if (d.gameTime !== undefined) expect(Number.isInteger(d.gameTime) && d.gameTime >= 0, `${where} gameTime ${d.gameTime}`).toBe(true);
    expect(d.key.length, where).toBeGreaterThan(0);
    expect(d.key.length, where).toBeLessThanOrEqual(200);
    const k = `${d.matchId}\u0000${d.key}`;
    expect(keys.has(k), `${where}: duplicate key ${d.key}`).toBe(false);
    keys.add(k);
  }
}

export function countBy<T>(items: T[], f: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[f(t)] = (out[f(t)] ?? 0) + 1;
  return out;
}

// ---- fuzzing -------------------------------------------------------------------------------------

export interface FuzzOptions {
  /** Runs per property (default 300). */
  runs?: number;
  /** Serialised state must stay under this many bytes (default 1 MiB): no unbounded growth. */
  maxStateBytes?: number;
  /** Longest a single parse may take, ms (default 2000): no pathological backtracking. */
  maxParseMs?: number;
}

function mutate(seed: Buffer, ops: { at: number; kind: number; byte: number; len: number }[]): Buffer {
  let b = Buffer.from(seed);
  for (const op of ops) {
    const at = b.length ? op.at % b.length : 0;
    switch (op.kind % 5) {
      case 0: // flip a byte
        if (b.length) b[at] = op.byte;
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + op.len))]);
        break;
      case 3: // duplicate a run
        b = Buffer.concat([b.subarray(0, at + op.len), b.subarray(at)]);
        break;
      default: // insert structural noise
        b = Buffer.concat([b.subarray(0, at), Buffer.from(['{', '}', '"', '[', ']', ',', ':', '\n', '\\', '0', 'null', '-1e309'][op.byte % 12]!), b.subarray(at)]);
    }
  }
  return b;
}

/** Calls parse and checks the outcome: valid drafts and bounded state, or a ParseError — nothing else. */
function parseChecked<S>(adapter: Adapter<S>, state: S, payload: Buffer, o: Required<FuzzOptions>): S {
  const started = performance.now();
  let next = state;
  try {
    const out = adapter.parse(payload, state, ctx());
    const done = adapter.finish ? adapter.finish(out.state, ctx()) : { state: out.state, drafts: [] };
    for (const d of [...out.drafts, ...done.drafts]) expect(payloadProblems(d.type, d.payload), `${d.type} from fuzzed input`).toEqual([]);
    next = done.state;
    const size = JSON.stringify(next ?? null)?.length ?? 0;
    expect(size, 'state size').toBeLessThanOrEqual(o.maxStateBytes);
  } catch (err) {
    if (!isParseError(err)) throw new Error(`${adapter.source} threw a non-ParseError on fuzzed input: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
  }
  expect(performance.now() - started, 'parse time (ms)').toBeLessThan(o.maxParseMs);
  return next;
}

/**
 * Property tests: arbitrary bytes, and mutations (flips, truncations, deletions, duplications,
 * structural noise) of real seeds, fed one after another into one state. Each parse returns schema-valid
 * drafts or throws a ParseError; it never throws anything else, never hangs, and state stays bounded.
 */
export function fuzz<S>(adapter: Adapter<S>, seeds: (Buffer | string)[], options: FuzzOptions = {}): void {
  const o: Required<FuzzOptions> = { runs: 300, maxStateBytes: 1024 * 1024, maxParseMs: 2000, ...options };
  const seedBufs = seeds.map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(s)));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      parseChecked(adapter, adapter.initialState(), Buffer.from(bytes), o);
    }),
    { numRuns: o.runs },
  );
  if (!seedBufs.length) return;
  const op = fc.record({ at: fc.nat(), kind: fc.nat(), byte: fc.nat({ max: 255 }), len: fc.integer({ min: 1, max: 64 }) });
  fc.assert(
    fc.property(fc.array(fc.record({ seed: fc.nat({ max: seedBufs.length - 1 }), ops: fc.array(op, { maxLength: 8 }) }), { minLength: 1, maxLength: 6 }), (steps) => {
      let state = adapter.initialState();
      for (const s of steps) state = parseChecked(adapter, state, mutate(seedBufs[s.seed]!, s.ops), o);
    }),
    { numRuns: o.runs },
  );
}

// ---- real captures -------------------------------------------------------------------------------

export const SHARED_DATA = resolve(fileURLToPath(new URL('../../../../shared/data', import.meta.url)));
export const hasSharedData = existsSync(SHARED_DATA);

export function sharedFile(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/** describe() that skips, saying why, when ../shared/data is not beside the repository. */
export function describeWithSharedData(name: string, fn: () => void): void {
  if (!hasSharedData) {
    describe.skip(`${name} — skipped: ${SHARED_DATA} not found (real captures live beside the repository, never in it)`, fn);
    return;
  }
  describe(name, fn);
}
