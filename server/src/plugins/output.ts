// The host's check of what a plugin call returned. The text comes out of the isolate and is plugin
// output (see harness.ts): every size, count, type and stat name is checked here, on the host side of
// the boundary, whatever the in-isolate code claimed. Only plain values built here leave this file.
import { isStrikeCode, type PluginFault } from './errors.ts';
import type { PluginLimits, PluginOutput } from './manifest.ts';

export type StatSubjectKind = 'player' | 'team' | 'match';

/** One value a plugin emitted, checked against its manifest. */
export interface StatValue {
  stat: string;
  subject: { kind: StatSubjectKind; id: string };
  value: number | boolean | string;
}

export interface CallOutput {
  values: StatValue[];
  /** The new per-match state as JSON text (undefined without the `state` capability). */
  state: string | undefined;
  logs: string[];
  /** Log lines dropped because the per-call log cap was reached. */
  logsDropped: number;
}

export type Checked = { ok: true; output: CallOutput } | { ok: false; fault: PluginFault };

export interface CheckContext {
  outputs: ReadonlyMap<string, PluginOutput>;
  limits: PluginLimits;
  canState: boolean;
  matchId: string;
}

const MAX_ID = 128;
const MAX_STRING = 1024;
const MAX_LINE = 1024;
const MAX_DETAIL = 600;

const invalid = (detail: string): Checked => ({ ok: false, fault: { code: 'CLUTCH_PLUGIN_INVALID_OUTPUT', detail } });
const tooMuch = (detail: string): Checked => ({ ok: false, fault: { code: 'CLUTCH_PLUGIN_OUTPUT', detail } });

/** The most result text a call within its limits can produce (JSON escaping included), bytes. */
export function resultBudget(l: PluginLimits): number {
  return 64 * 1024 + l.maxEmitsPerCall * (4 * MAX_STRING + 64) + 6 * l.maxStateBytes + 6 * l.maxLogBytes;
}

export function checkResult(text: unknown, c: CheckContext): Checked {
  if (typeof text !== 'string') return invalid('the call returned no result');
  if (text.length > resultBudget(c.limits)) return tooMuch(`the result is over ${resultBudget(c.limits)} characters`);
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    return invalid('the result is not JSON');
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return invalid('the result is not an object');
  const res = r as Record<string, unknown>;
  if (res.ok === false) {
    const code = typeof res.code === 'string' && isStrikeCode(res.code) ? res.code : 'CLUTCH_PLUGIN_INVALID_OUTPUT';
    const detail = typeof res.detail === 'string' ? res.detail.slice(0, MAX_DETAIL) : 'the plugin failed';
    return { ok: false, fault: { code, detail } };
  }
  if (res.ok !== true || !Array.isArray(res.values) || !Array.isArray(res.logs)) return invalid('the result has not the expected shape');
  if (res.values.length > c.limits.maxEmitsPerCall) return tooMuch(`more than ${c.limits.maxEmitsPerCall} values emitted in one call`);
  const values: StatValue[] = [];
  for (const item of res.values as unknown[]) {
    const v = checkValue(item, c);
    if (typeof v === 'string') return invalid(v);
    values.push(v);
  }
  let state: string | undefined;
  if (c.canState) {
    if (typeof res.state !== 'string') return invalid('the state is missing');
    if (Buffer.byteLength(res.state, 'utf8') > c.limits.maxStateBytes) return tooMuch(`the state is over ${c.limits.maxStateBytes} bytes as JSON`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.state);
    } catch {
      return invalid('the state is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return invalid('the state must be a plain object');
    state = res.state;
  }
  const logs: string[] = [];
  let logBytes = 0;
  let logsDropped = typeof res.logsDropped === 'number' && Number.isSafeInteger(res.logsDropped) && res.logsDropped > 0 ? res.logsDropped : 0;
  for (const line of res.logs as unknown[]) {
    const s = typeof line === 'string' ? line.slice(0, MAX_LINE) : '';
    const bytes = Buffer.byteLength(s, 'utf8');
    if (logBytes + bytes > c.limits.maxLogBytes) {
      logsDropped++;
      continue;
    }
    logBytes += bytes;
    logs.push(s);
  }
  return { ok: true, output: { values, state, logs, logsDropped } };
}

function checkValue(item: unknown, c: CheckContext): StatValue | string {
  if (!Array.isArray(item) || item.length !== 4) return 'a value without the shape { stat, subject: { kind, id }, value }';
  const [stat, kind, id, value] = item as unknown[];
  const out = typeof stat === 'string' ? c.outputs.get(stat) : undefined;
  if (!out) return `stat ${typeof stat === 'string' ? JSON.stringify(stat.slice(0, 64)) : '(none)'} is not declared in the manifest's outputs`;
  if (kind !== out.subject) return `stat "${out.stat}" is declared for subject "${out.subject}", emitted for ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 16)) : 'no subject kind'}`;
  let subjectId: string;
  if (out.subject === 'match') {
    // A plugin only ever writes about the match it is called for.
    if (id !== undefined && id !== null && id !== c.matchId) return `stat "${out.stat}" is about the match: its id is this match's id or absent`;
    subjectId = c.matchId;
  } else {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return `stat "${out.stat}" needs a subject id, a string of 1–${MAX_ID} characters`;
    subjectId = id;
  }
  switch (out.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `stat "${out.stat}" is a number: got ${describe(value)}`;
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `stat "${out.stat}" is an integer: got ${describe(value)}`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return `stat "${out.stat}" is a boolean: got ${describe(value)}`;
      break;
    case 'string':
      if (typeof value !== 'string' || value.length > MAX_STRING) return `stat "${out.stat}" is a string of at most ${MAX_STRING} characters: got ${describe(value)}`;
      break;
  }
  return { stat: out.stat, subject: { kind: out.subject as StatSubjectKind, id: subjectId }, value: value as number | boolean | string };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (typeof v === 'number') return String(v);
  return v === undefined ? 'nothing' : typeof v;
}
