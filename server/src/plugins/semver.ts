// The semver subset plugin manifests need: a version is MAJOR.MINOR.PATCH with an optional
// pre-release (`-rc.1`) and build (`+sha`); a range is what npm users write: `^1.2.3`, `~1.2`, exact
// `1.2.3`, `>=1.0.0 <2.0.0` (space = and), `1.x`, `*`, and alternatives joined by `||`.
// Written here rather than taken from `semver` (only a transitive dependency): ~100 lines, tested in
// server/test/unit/plugins-semver.test.ts. Pre-releases follow npm's rule: a range matches a
// pre-release only when one of its comparators names a pre-release of the same MAJOR.MINOR.PATCH.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: readonly (string | number)[];
}

const NUM = '0|[1-9]\\d{0,8}';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const VERSION_RE = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`);
/** The same grammar as a JSON Schema pattern (manifest `version`). */
export const VERSION_PATTERN = VERSION_RE.source;
// A partial version in a range: 1, 1.2, 1.2.3, with x/X/* wildcards, and an optional pre-release.
const PARTIAL_RE = new RegExp(`^v?(${NUM}|[xX*])(?:\\.(${NUM}|[xX*]))?(?:\\.(${NUM}|[xX*]))?(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9a-zA-Z.-]+)?$`);
const MAX_RANGE_LENGTH = 256;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION_RE.exec(text);
  if (!m) return undefined;
  const pre = m[4] ? m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre };
}

export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (!a.pre.length || !b.pre.length) return a.pre.length ? -1 : b.pre.length ? 1 : 0;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

type Op = '>=' | '>' | '<' | '<=' | '=';
interface Comparator {
  op: Op;
  v: Version;
}
/** A parsed range: alternatives (||) of comparator sets (all must hold). */
export type Range = readonly (readonly Comparator[])[];

const v = (major: number, minor: number, patch: number, pre: readonly (string | number)[] = []): Version => ({ major, minor, patch, pre });

/** Parses a range; undefined when it is not one (the message says why is not needed: callers name the field). */
export function parseRange(text: string): Range | undefined {
  if (text.length > MAX_RANGE_LENGTH) return undefined;
  const sets: Comparator[][] = [];
  for (const alt of text.split('||')) {
    const tokens = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    const set: Comparator[] = [];
    if (tokens.length === 0) tokens.push('*');
    for (const token of tokens) {
      const parsed = comparators(token);
      if (!parsed) return undefined;
      set.push(...parsed);
    }
    sets.push(set);
  }
  return sets;
}

function comparators(token: string): Comparator[] | undefined {
  const m = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(token)!;
  const op = m[1] ?? '';
  const p = PARTIAL_RE.exec(m[2]!);
  if (!p) return undefined;
  const wild = (s: string | undefined) => s === undefined || /^[xX*]$/.test(s);
  const pre = p[4] ? p[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  const [M, m2, pt] = [p[1], p[2], p[3]];
  if (wild(M)) return op === '<' || op === '>' ? [{ op: '<', v: v(0, 0, 0) }] : [];
  const major = Number(M);
  if (wild(m2)) {
    // 1, 1.x, ^1, ~1, =1: [1.0.0, 2.0.0)
    if (op === '>') return [{ op: '>=', v: v(major + 1, 0, 0) }];
    if (op === '<') return [{ op: '<', v: v(major, 0, 0) }];
    if (op === '<=') return [{ op: '<', v: v(major + 1, 0, 0) }];
    if (op === '>=') return [{ op: '>=', v: v(major, 0, 0) }];
    return [{ op: '>=', v: v(major, 0, 0) }, { op: '<', v: v(major + 1, 0, 0) }];
  }
  const minor = Number(m2);
  if (wild(pt)) {
    if (op === '>') return [{ op: '>=', v: v(major, minor + 1, 0) }];
    if (op === '<') return [{ op: '<', v: v(major, minor, 0) }];
    if (op === '<=') return [{ op: '<', v: v(major, minor + 1, 0) }];
    if (op === '>=') return [{ op: '>=', v: v(major, minor, 0) }];
    if (op === '^' && major === 0) return [{ op: '>=', v: v(0, minor, 0) }, { op: '<', v: v(0, minor + 1, 0) }];
    if (op === '^') return [{ op: '>=', v: v(major, minor, 0) }, { op: '<', v: v(major + 1, 0, 0) }];
    return [{ op: '>=', v: v(major, minor, 0) }, { op: '<', v: v(major, minor + 1, 0) }];
  }
  const exact = v(major, minor, Number(pt), pre);
  switch (op) {
    case '^': {
      const upper = major > 0 ? v(major + 1, 0, 0) : minor > 0 ? v(0, minor + 1, 0) : v(0, 0, Number(pt) + 1);
      return [{ op: '>=', v: exact }, { op: '<', v: upper }];
    }
    case '~':
      return [{ op: '>=', v: exact }, { op: '<', v: v(major, minor + 1, 0) }];
    case '':
    case '=':
      return [{ op: '=', v: exact }];
    default:
      return [{ op: op as Op, v: exact }];
  }
}

function test(c: Comparator, version: Version): boolean {
  const d = compareVersions(version, c.v);
  switch (c.op) {
    case '=':
      return d === 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
  }
}

/** Whether `version` satisfies `range` (both as text); false when either does not parse. */
export function satisfies(version: string, range: string): boolean {
  const ver = parseVersion(version);
  const r = parseRange(range);
  if (!ver || !r) return false;
  return r.some((set) => {
    if (!set.every((c) => test(c, ver))) return false;
    if (!ver.pre.length) return true;
    // A pre-release only matches a set that names a pre-release of the same core version.
    return set.some((c) => c.v.pre.length > 0 && c.v.major === ver.major && c.v.minor === ver.minor && c.v.patch === ver.patch);
  });
}
