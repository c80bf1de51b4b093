// Helpers every adapter needs: bounded JSON parsing, stable keys and ids, time arithmetic, guards.
// All pure.
import { createHash } from 'node:crypto';
import { ParseError } from './errors.ts';

/** Largest payload an adapter parses (ingest enforces its own, smaller, per-source limits first). */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

/** JSON.parse with a size and nesting limit; anything wrong is a ParseError naming the source. */
export function parseJson(source: string, payload: Buffer | string): unknown {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new ParseError(source, `payload larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (exceedsDepth(text, MAX_JSON_DEPTH)) throw new ParseError(source, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParseError(source, `not valid JSON: ${(err as Error).message}`);
  }
}

/** Cheap pre-scan so a hostile document cannot make JSON.parse recurse without bound. */
function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** A short stable key from parts (order matters): for Draft.key and derived ids. */
export function stableKey(...parts: (string | number | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => (p === undefined ? '\u0000' : String(p))).join('\u0001')).digest('base64url').slice(0, 22);
}

/** Lower-case, dash-separated, safe in ids and URLs ("Natus Vincere" → "natus-vincere"). */
export function slug(text: string, max = 64): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max);
  return s || 'unnamed';
}

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** An ISO timestamp from epoch milliseconds, or ParseError when it is not a sane time. */
export function isoFromMs(source: string, ms: number, at?: string): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new ParseError(source, `invalid timestamp ${ms}`, at);
  return new Date(ms).toISOString();
}

// ---- guards for untrusted JSON: return the value or throw a ParseError naming the path ----------

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(source: string, v: unknown, at: string): Obj {
  if (!isObj(v)) throw new ParseError(source, 'expected an object', at);
  return v;
}

export function arr(source: string, v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new ParseError(source, 'expected an array', at);
  return v;
}

export function str(source: string, v: unknown, at: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new ParseError(source, 'expected a string', at);
}

export function num(source: string, v: unknown, at: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ParseError(source, 'expected a number', at);
  return n;
}

export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

export function optNum(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A non-negative integer (counts), or undefined. */
export function optCount(v: unknown): number | undefined {
  const n = optNum(v);
  return n !== undefined && n >= 0 ? Math.floor(n) : undefined;
}

/** Drops undefined values so optional fields are absent, not `undefined` (strict schemas). */
export function compact<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
